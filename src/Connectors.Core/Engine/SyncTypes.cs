using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>Options of the sync engine.</summary>
public sealed class SyncEngineOptions
{
    /// <summary>Gets or sets this worker's id, used as lease owner. Unique per process.</summary>
    /// <value>The default value is the machine name, the process id and a random suffix.</value>
    public string WorkerId { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>Gets or sets how long a flow's and an intent's lease lasts before another worker may take over.</summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the page size asked of sources when the flow sets none.</summary>
    /// <value>The default value is 100.</value>
    public int DefaultPageSize { get; set; } = 100;

    /// <summary>Gets or sets how many times a transient failure of one call is retried before the run stops (and resumes next time).</summary>
    /// <value>The default value is 3.</value>
    public int TransientRetries { get; set; } = 3;

    /// <summary>Gets or sets the first retry delay; later delays double. A vendor's retry-after wins when longer.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets whether metrics carry the tenant id as a tag (high cardinality: opt in).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool TenantInMetrics { get; set; }

    /// <summary>Gets or sets how many waiting journal entries a run retries at its start.</summary>
    /// <value>The default value is 1000.</value>
    public int MaxWaitingRetriesPerRun { get; set; } = 1000;

    /// <summary>Gets or sets the source of new ids (runs, intents, tokens). Tests set a seeded one.</summary>
    /// <value>The default value creates version-7 GUIDs.</value>
    public Func<string> NewId { get; set; } = static () => Guid.CreateVersion7().ToString("N");
}

/// <summary>Options of one run.</summary>
public sealed record SyncRunOptions
{
    /// <summary>Gets how the run was started.</summary>
    /// <value>The default value is <see cref="RunKind.Manual"/>.</value>
    public RunKind Kind { get; init; } = RunKind.Manual;

    /// <summary>Gets the inclusive start of a backfill window.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Gets the exclusive end of a backfill window.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Gets a receiver of progress reports, once per page.</summary>
    public IProgress<SyncProgress>? Progress { get; init; }
}

/// <summary>Progress of a run, reported once per page.</summary>
public sealed record SyncProgress
{
    /// <summary>Gets the flow.</summary>
    public required string FlowId { get; init; }

    /// <summary>Gets the run.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the pages done.</summary>
    public int Pages { get; init; }

    /// <summary>Gets the counts so far.</summary>
    public required RunCounts Counts { get; init; }
}

/// <summary>The result of a run.</summary>
public sealed record SyncRunResult
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the flow.</summary>
    public required string FlowId { get; init; }

    /// <summary>Gets the run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets how the run ended.</summary>
    public RunStatus Status { get; init; }

    /// <summary>Gets what the run did.</summary>
    public RunCounts Counts { get; init; } = new();

    /// <summary>Gets how long the run took, on the engine's clock.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets until when the run is paused.</summary>
    public DateTimeOffset? PausedUntil { get; init; }

    /// <summary>Gets the error that stopped the run, if any.</summary>
    public string? Error { get; init; }

    /// <inheritdoc />
    public override string ToString()
        => $"{FlowId} [{Status}] read {Counts.Read}, created {Counts.Created}, updated {Counts.Updated}, " +
           $"unchanged {Counts.Unchanged}, skipped {Counts.Skipped}, waiting {Counts.Waiting}, failed {Counts.Failed}, " +
           $"settled {Counts.Settled} in {Duration.TotalMilliseconds:0} ms";
}

/// <summary>The named steps of the engine at which a probe is called (crash tests kill the process there).</summary>
public enum SyncStep
{
    /// <summary>A page was read from the source; nothing of it is processed yet.</summary>
    AfterRead,

    /// <summary>An intent was recorded; the write has not been sent.</summary>
    AfterIntentWritten,

    /// <summary>The target answered a write; nothing about it is recorded yet.</summary>
    AfterTargetWrite,

    /// <summary>The ID map holds the link; the checkpoint has not moved.</summary>
    AfterIdMapCommit,

    /// <summary>Half of a page's records are processed.</summary>
    MidPage,

    /// <summary>A page's records are all processed; the checkpoint is about to move.</summary>
    BeforeCheckpoint,
}

/// <summary>What a probe is told at a step.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="FlowId">The flow.</param>
/// <param name="RunId">The run.</param>
/// <param name="SourceKey">The source record concerned, when one is.</param>
public sealed record SyncStepContext(string TenantId, string FlowId, string RunId, string? SourceKey);

/// <summary>
/// Observes the engine at its named steps. Tests use it to inject crashes; production code need not register one.
/// </summary>
public interface ISyncProbe
{
    /// <summary>Called at a step.</summary>
    /// <param name="syncStep">The step.</param>
    /// <param name="context">Where the engine is.</param>
    void OnStep(SyncStep syncStep, SyncStepContext context);
}

/// <summary>The stores the engine works with.</summary>
public sealed class SyncStores
{
    /// <summary>Gets the ID map.</summary>
    public required IIdMapStore IdMap { get; init; }

    /// <summary>Gets the intents.</summary>
    public required IIntentStore Intents { get; init; }

    /// <summary>Gets the checkpoints.</summary>
    public required ICheckpointStore Checkpoints { get; init; }

    /// <summary>Gets the journal.</summary>
    public required IJournalStore Journal { get; init; }

    /// <summary>Gets the leases.</summary>
    public required ILeaseStore Leases { get; init; }

    /// <summary>Gets the translation tables flows read; <see langword="null"/> when no flow uses tables.</summary>
    public ITranslationTableStore? TranslationTables { get; init; }
}
