using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>What a run would do with one record.</summary>
public enum PreviewAction
{
    /// <summary>Create it in the target.</summary>
    Create,

    /// <summary>Update the linked target record.</summary>
    Update,

    /// <summary>Nothing to write: the target already holds the values (or the policies keep the target's).</summary>
    NoChange,

    /// <summary>Skip it (a condition, a delete not propagated, a record blocked for a person).</summary>
    Skip,

    /// <summary>Delete the linked target record.</summary>
    Delete,

    /// <summary>Send it to the journal (an error, a conflict, a missing dependency).</summary>
    Journal,
}

/// <summary>What a run would do with one record, field group by field group, and which rule or policy decided.</summary>
public sealed record PreviewRecord
{
    /// <summary>Gets the source record's key.</summary>
    public required string SourceKey { get; init; }

    /// <summary>Gets what would happen.</summary>
    public required PreviewAction Action { get; init; }

    /// <summary>Gets the linked or matched target key, if any.</summary>
    public string? TargetKey { get; init; }

    /// <summary>Gets, per field group, the old and new values and what decided.</summary>
    public IReadOnlyList<FieldDecision> Fields { get; init; } = [];

    /// <summary>Gets the journal message or the reason for a skip.</summary>
    public string? Message { get; init; }
}

/// <summary>The result of <see cref="SyncEngine.PreviewAsync"/>: a dry run that wrote nothing anywhere.</summary>
public sealed record SyncPreview
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the flow.</summary>
    public required string FlowId { get; init; }

    /// <summary>Gets what the run would do, per record that changed (unchanged records are only counted).</summary>
    public required IReadOnlyList<PreviewRecord> Records { get; init; }

    /// <summary>Gets the counts the run would report.</summary>
    public required RunCounts Counts { get; init; }
}
