namespace Connectors.Abstractions;

/// <summary>A request for one page of changes.</summary>
public sealed record ChangeQuery
{
    /// <summary>Gets the entity kind to read.</summary>
    public required EntityKind Kind { get; init; }

    /// <summary>Gets the inclusive lower bound on the change timestamp; <see langword="null"/> reads from the beginning.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Gets the exclusive upper bound on the change timestamp (backfills); <see langword="null"/> for none.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>
    /// Gets the connector's own opaque cursor from a previous read, for sources that page by a version number or a file
    /// name rather than a timestamp.
    /// </summary>
    public string? CursorToken { get; init; }

    /// <summary>Gets the continuation token of the previous page of this read; <see langword="null"/> for the first page.</summary>
    public string? ContinuationToken { get; init; }

    /// <summary>Gets the page size wanted; the connector may serve fewer.</summary>
    public int? PageSizeHint { get; init; }
}

/// <summary>
/// A problem with a record the connector read but could not turn into a canonical record. The engine journals it with
/// the raw payload; nothing is dropped.
/// </summary>
public sealed record RecordProblem
{
    /// <summary>Gets the canonical path of the offending field, for example <c>lines[2].unitPrice</c>.</summary>
    public required string Field { get; init; }

    /// <summary>Gets what is wrong, for example <c>"abc" is not a decimal</c>.</summary>
    public required string Message { get; init; }

    /// <summary>Gets the vendor's payload as read, when available.</summary>
    public string? RawPayload { get; init; }
}

/// <summary>One changed record in a page of changes.</summary>
public sealed record ChangedRecord
{
    /// <summary>Gets the record's key in the source.</summary>
    public required string Key { get; init; }

    /// <summary>Gets when the record changed, as the source reports it.</summary>
    public DateTimeOffset? ModifiedAt { get; init; }

    /// <summary>Gets the canonical record; <see langword="null"/> for a delete or a record with a <see cref="Problem"/>.</summary>
    public ICanonicalRecord? Record { get; init; }

    /// <summary>Gets whether the record was deleted in the source.</summary>
    public bool Deleted { get; init; }

    /// <summary>Gets why the record could not be read, when it could not.</summary>
    public RecordProblem? Problem { get; init; }
}

/// <summary>A page of changes.</summary>
public sealed record ChangePage
{
    /// <summary>Gets the records, in ascending order of <see cref="ChangedRecord.ModifiedAt"/>.</summary>
    public required IReadOnlyList<ChangedRecord> Records { get; init; }

    /// <summary>Gets the token that reads the next page, or <see langword="null"/> on the last page.</summary>
    public string? ContinuationToken { get; init; }

    /// <summary>Gets the connector's own cursor after this page, for sources that do not page by timestamp.</summary>
    public string? CursorToken { get; init; }
}

/// <summary>Reads changes since a cursor, a page at a time.</summary>
public interface IChangeReader
{
    /// <summary>
    /// Reads one page of changes. The <see cref="ChangeQuery.Since"/> bound is inclusive, so records that share the
    /// boundary timestamp are never lost; a cursor in the future yields an empty page, not an error.
    /// </summary>
    /// <param name="query">What to read.</param>
    /// <param name="cancellationToken">A token that cancels the read.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ConnectorException">The vendor refused or failed the read.</exception>
    Task<ChangePage> ReadChangesAsync(ChangeQuery query, CancellationToken cancellationToken = default);
}

/// <summary>Reads records by their keys.</summary>
public interface IRecordReader
{
    /// <summary>Reads the records with the given keys; keys not found are absent from the result.</summary>
    /// <param name="kind">The entity kind.</param>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">A token that cancels the read.</param>
    /// <returns>The records found, by key.</returns>
    /// <exception cref="ConnectorException">The vendor refused or failed the read.</exception>
    Task<IReadOnlyDictionary<string, ICanonicalRecord>> GetManyAsync(
        EntityKind kind, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default);
}

/// <summary>Finds records by natural key or by the correlation value the SDK wrote with them.</summary>
public interface IRecordFinder
{
    /// <summary>Finds records whose natural key (declared in <see cref="EntityCapabilities.NaturalKey"/>) equals the value.</summary>
    /// <param name="kind">The entity kind.</param>
    /// <param name="naturalKey">The value, for example a SKU or an e-mail address.</param>
    /// <param name="cancellationToken">A token that cancels the look-up.</param>
    /// <returns>Every match: none, one, or several (a conflict for a person).</returns>
    /// <exception cref="ConnectorException">The vendor refused or failed the look-up.</exception>
    Task<IReadOnlyList<ICanonicalRecord>> FindByNaturalKeyAsync(
        EntityKind kind, string naturalKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds records whose correlation field holds the value. Implementations probe with a filter that answers an empty
    /// list when nothing matches — never a GET that answers 404.
    /// </summary>
    /// <param name="kind">The entity kind.</param>
    /// <param name="correlationValue">The value the SDK wrote with the record (an intent token).</param>
    /// <param name="cancellationToken">A token that cancels the look-up.</param>
    /// <returns>Every match.</returns>
    /// <exception cref="ConnectorException">The vendor refused or failed the look-up.</exception>
    Task<IReadOnlyList<ICanonicalRecord>> FindByCorrelationAsync(
        EntityKind kind, string correlationValue, CancellationToken cancellationToken = default);
}
