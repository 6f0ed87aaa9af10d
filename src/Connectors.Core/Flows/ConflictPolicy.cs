namespace Connectors.Core;

/// <summary>
/// Who is right about a field group when a record changed since the last sync. Detection is three-way, per field
/// group, on the hash vectors the ID map keeps for each side: a change on one side only is never a conflict, and both
/// sides changed to the same value is not a conflict either. See <c>docs/conflicts.md</c>.
/// </summary>
public enum ConflictPolicy
{
    /// <summary>The source's change is written, also over a change made in the target (the default).</summary>
    SourceWins,

    /// <summary>A source-only change is written; when both sides changed, the target keeps its value.</summary>
    TargetWins,

    /// <summary>When both sides changed, the side whose <c>updatedAt</c> is later (beyond the clock-skew tolerance) wins; within the tolerance the target keeps its value.</summary>
    LastWriterWins,

    /// <summary>Written when the record is created, never overwritten afterwards (a description enriched in the target).</summary>
    CreateOnly,

    /// <summary>Like <see cref="SourceWins"/>, except that a blank (missing, empty) source value never overwrites a value.</summary>
    NeverBlank,

    /// <summary>When both sides changed, the record waits in the journal as a conflict for a person.</summary>
    Manual,
}
