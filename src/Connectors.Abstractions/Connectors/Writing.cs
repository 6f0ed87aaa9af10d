namespace Connectors.Abstractions;

/// <summary>The kind of write.</summary>
public enum WriteOperation
{
    /// <summary>Create a new record.</summary>
    Create,

    /// <summary>Update an existing record: an absolute write of the fields sent, safe to repeat.</summary>
    Update,

    /// <summary>Set a value absolutely, optionally only if it still equals <see cref="WriteRequest.Expected"/>.</summary>
    Set,

    /// <summary>Apply a relative change (a stock delta). Not safe to repeat.</summary>
    Delta,

    /// <summary>Delete a record.</summary>
    Delete,
}

/// <summary>A write sent to a connector.</summary>
public sealed record WriteRequest
{
    /// <summary>Gets the entity kind.</summary>
    public required EntityKind Kind { get; init; }

    /// <summary>Gets the operation.</summary>
    public required WriteOperation Operation { get; init; }

    /// <summary>Gets the target key; required for every operation but <see cref="WriteOperation.Create"/>.</summary>
    public string? TargetKey { get; init; }

    /// <summary>Gets the record to write (for a delta, the change).</summary>
    public ICanonicalRecord? Record { get; init; }

    /// <summary>Gets the value expected in the target before a <see cref="WriteOperation.Set"/>, for compare-and-set.</summary>
    public ICanonicalRecord? Expected { get; init; }

    /// <summary>
    /// Gets the intent token: the connector passes it as the vendor's idempotency key and/or writes it to the
    /// correlation field, as its <see cref="SettlementMode"/> says.
    /// </summary>
    public string? IdempotencyToken { get; init; }

    /// <summary>Gets the record's key in the source system, which a connector may also store for correlation.</summary>
    public string? SourceKey { get; init; }
}

/// <summary>Whether a write took effect now or was accepted for later processing.</summary>
public enum WriteStatus
{
    /// <summary>The write was applied; <see cref="WriteResult.TargetKey"/> and <see cref="WriteResult.ReadBack"/> are set.</summary>
    Applied,

    /// <summary>The write was accepted as an asynchronous job; <see cref="WriteResult.JobId"/> is set.</summary>
    Submitted,
}

/// <summary>What the target answered to a write.</summary>
public sealed record WriteResult
{
    /// <summary>Gets whether the write was applied or submitted.</summary>
    public WriteStatus Status { get; init; }

    /// <summary>Gets the target's key of the record written.</summary>
    public string? TargetKey { get; init; }

    /// <summary>
    /// Gets the record as the target holds it after the write (read back, not what was sent), from which the engine takes
    /// the target's hash.
    /// </summary>
    public ICanonicalRecord? ReadBack { get; init; }

    /// <summary>Gets the job id of an asynchronous write.</summary>
    public string? JobId { get; init; }

    /// <summary>Creates the result of an applied write.</summary>
    /// <param name="targetKey">The target key.</param>
    /// <param name="readBack">The record as read back.</param>
    /// <returns>The result.</returns>
    public static WriteResult Applied(string targetKey, ICanonicalRecord? readBack)
        => new() { Status = WriteStatus.Applied, TargetKey = targetKey, ReadBack = readBack };

    /// <summary>Creates the result of a submitted asynchronous write.</summary>
    /// <param name="jobId">The job id.</param>
    /// <returns>The result.</returns>
    public static WriteResult Submitted(string jobId)
        => new() { Status = WriteStatus.Submitted, JobId = jobId };
}

/// <summary>Writes records.</summary>
public interface IRecordWriter
{
    /// <summary>Writes one record.</summary>
    /// <param name="request">The write.</param>
    /// <param name="cancellationToken">A token that cancels the write.</param>
    /// <returns>The target's answer.</returns>
    /// <exception cref="RecordValidationException">The target refused the record's content.</exception>
    /// <exception cref="DuplicateRecordException">The target already holds the record (settlement mode 3).</exception>
    /// <exception cref="ConnectorException">The write failed; <see cref="ConnectorException.IsTransient"/> tells whether to retry.</exception>
    Task<WriteResult> WriteAsync(WriteRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The state of an asynchronous write job.</summary>
public enum WriteJobState
{
    /// <summary>Still running.</summary>
    Pending,

    /// <summary>Finished and applied.</summary>
    Succeeded,

    /// <summary>Finished and rejected.</summary>
    Failed,
}

/// <summary>The status of an asynchronous write job.</summary>
public sealed record WriteJobStatus
{
    /// <summary>Gets the state.</summary>
    public required WriteJobState State { get; init; }

    /// <summary>Gets the target key, once succeeded.</summary>
    public string? TargetKey { get; init; }

    /// <summary>Gets the record as read back, once succeeded.</summary>
    public ICanonicalRecord? ReadBack { get; init; }

    /// <summary>Gets the target's message, once failed.</summary>
    public string? Error { get; init; }
}

/// <summary>Polls asynchronous write jobs (import services, file drops).</summary>
public interface IWriteJobTracker
{
    /// <summary>Gets a job's status.</summary>
    /// <param name="kind">The entity kind written.</param>
    /// <param name="jobId">The job id returned by <see cref="IRecordWriter.WriteAsync"/>.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The status.</returns>
    Task<WriteJobStatus> GetJobStatusAsync(EntityKind kind, string jobId, CancellationToken cancellationToken = default);
}
