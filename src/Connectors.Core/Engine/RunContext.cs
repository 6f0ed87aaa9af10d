using Connectors.Abstractions;

namespace Connectors.Core;

internal sealed class RunContext
{
    public required string TenantId { get; init; }

    public required FlowDefinition Flow { get; init; }

    public required string RunId { get; init; }

    public required RunKind Kind { get; init; }

    public required IConnector Source { get; init; }

    public required EntityCapabilities SourceCapabilities { get; init; }

    public required IConnector Target { get; init; }

    public required EntityCapabilities TargetCapabilities { get; init; }

    public required IRecordWriter Writer { get; init; }

    public IRecordReader? TargetReader { get; init; }

    public IRecordFinder? TargetFinder { get; init; }

    public IWriteJobTracker? JobTracker { get; init; }

    public required CancellationToken CancellationToken { get; init; }

    public Lease? Lease { get; set; }

    public TranslationTables Tables { get; set; } = TranslationTables.Empty;

    /// <summary>Gets whether this is a preview: nothing is written to any connector or store.</summary>
    public bool DryRun { get; init; }

    public List<PreviewRecord> Preview { get; } = [];

    public HashSet<string> OpenEntryKeys { get; } = new(StringComparer.Ordinal);

    public List<RecordOutcome> Outcomes { get; } = [];

    public int Read;
    public int Created;
    public int Updated;
    public int Unchanged;
    public int Skipped;
    public int Waiting;
    public int Failed;
    public int Settled;
    public int Submitted;
    public int Pages;

    public RunCounts Counts => new()
    {
        Read = Read,
        Created = Created,
        Updated = Updated,
        Unchanged = Unchanged,
        Skipped = Skipped,
        Waiting = Waiting,
        Failed = Failed,
        Settled = Settled,
        Submitted = Submitted,
    };

    public SyncStepContext Step(string? sourceKey) => new(TenantId, Flow.Id, RunId, sourceKey);
}

/// <summary>Thrown when a worker loses a lease it needs; the run stops and another worker carries on.</summary>
internal sealed class LeaseLostException : Exception
{
    public LeaseLostException()
    {
    }

    public LeaseLostException(string message)
        : base(message)
    {
    }

    public LeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
