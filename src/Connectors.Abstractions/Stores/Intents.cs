namespace Connectors.Abstractions;

/// <summary>Where an intent stands.</summary>
public enum IntentState
{
    /// <summary>Recorded before the write; whether the write reached the target is unknown until settled.</summary>
    Pending,

    /// <summary>The target accepted an asynchronous job (<see cref="Intent.JobId"/>); settles by polling.</summary>
    Submitted,

    /// <summary>The target answered: <see cref="Intent.TargetKey"/> and <see cref="Intent.TargetHashes"/> are known; the ID map is not yet committed.</summary>
    Written,

    /// <summary>The ID map holds the link: done.</summary>
    Committed,

    /// <summary>Nothing can tell whether the write happened: a person must verify; never re-created automatically.</summary>
    NeedsVerification,

    /// <summary>More than one target record matches: a conflict for a person.</summary>
    Conflict,

    /// <summary>The target refused the write for good; the record is in the journal.</summary>
    Failed,

    /// <summary>A person settled the intent by hand (for example: verified nothing was written) and it no longer blocks the record.</summary>
    Abandoned,
}

/// <summary>
/// An intent: recorded before a write that is not naturally absolute (a create, a delta, a payment), with a token the
/// target can recognise, so that a crash at any point never leads to a second write.
/// </summary>
public sealed record Intent
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the intent's id, unique per tenant.</summary>
    public required string IntentId { get; init; }

    /// <summary>Gets the flow that records the intent.</summary>
    public required string FlowId { get; init; }

    /// <summary>Gets the run that recorded the intent.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the target entity kind.</summary>
    public required EntityKind Kind { get; init; }

    /// <summary>Gets the source record's key.</summary>
    public required string SourceKey { get; init; }

    /// <summary>Gets the source record's hash vector at the time of the intent.</summary>
    public HashVector? SourceHashes { get; init; }

    /// <summary>Gets the token sent as idempotency key or correlation value.</summary>
    public required string Token { get; init; }

    /// <summary>Gets the write announced.</summary>
    public WriteOperation Operation { get; init; }

    /// <summary>Gets the state.</summary>
    public IntentState State { get; init; }

    /// <summary>Gets the target record as it was to be written, in canonical JSON, so the write can be repeated.</summary>
    public string? PayloadJson { get; init; }

    /// <summary>Gets the target key, once known.</summary>
    public string? TargetKey { get; init; }

    /// <summary>Gets the target's hash vector as read back, once known.</summary>
    public HashVector? TargetHashes { get; init; }

    /// <summary>Gets the job id of an asynchronous write.</summary>
    public string? JobId { get; init; }

    /// <summary>Gets the worker holding the lease, if any.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>Gets when the lease ends.</summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>Gets how many times settlement was attempted.</summary>
    public int Attempts { get; init; }

    /// <summary>Gets when the intent was recorded.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the intent last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets whether the intent still needs the engine's attention (pending, submitted or written).</summary>
    public bool IsUnsettled => State is IntentState.Pending or IntentState.Submitted or IntentState.Written;

    /// <summary>Gets whether the intent stops the engine from writing its source record again (unsettled, needs verification, conflict).</summary>
    public bool BlocksRecord => IsUnsettled || State is IntentState.NeedsVerification or IntentState.Conflict;
}

/// <summary>Intents, claimed under leases so that two workers never settle the same intent.</summary>
public interface IIntentStore
{
    /// <summary>Records a new intent. Its lease, if set, is held by <see cref="Intent.LeaseOwner"/>.</summary>
    /// <param name="intent">The intent.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>A task that completes when the intent is durable.</returns>
    /// <exception cref="InvalidOperationException">An intent with the same id exists.</exception>
    Task AddAsync(Intent intent, CancellationToken cancellationToken = default);

    /// <summary>Gets an intent.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="intentId">The intent's id.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The intent, or <see langword="null"/>.</returns>
    Task<Intent?> GetAsync(string tenantId, string intentId, CancellationToken cancellationToken = default);

    /// <summary>Lists a flow's unsettled intents (pending, submitted, written), oldest first.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="flowId">The flow.</param>
    /// <param name="maxCount">The most to return.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The intents.</returns>
    Task<IReadOnlyList<Intent>> ListUnsettledAsync(
        string tenantId, string flowId, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Gets, per source key, the newest intent of a flow that blocks the record (see <see cref="Intent.BlocksRecord"/>).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="flowId">The flow.</param>
    /// <param name="sourceKeys">The source keys.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The blocking intents by source key.</returns>
    Task<IReadOnlyDictionary<string, Intent>> GetBlockingAsync(
        string tenantId, string flowId, IReadOnlyCollection<string> sourceKeys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims an intent's lease for <paramref name="owner"/> until <paramref name="leaseUntil"/>: succeeds when the lease
    /// is free, expired at <paramref name="now"/>, or already the owner's.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="intentId">The intent's id.</param>
    /// <param name="owner">The claiming worker.</param>
    /// <param name="now">The current time.</param>
    /// <param name="leaseUntil">When the lease ends.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The claimed intent, or <see langword="null"/> when another worker holds it or it does not exist.</returns>
    Task<Intent?> TryClaimAsync(
        string tenantId, string intentId, string owner, DateTimeOffset now, DateTimeOffset leaseUntil,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces an intent (state, target key, hashes, lease) provided <paramref name="owner"/> still holds its lease at
    /// <paramref name="now"/>. Pass a null <see cref="Intent.LeaseOwner"/> in <paramref name="intent"/> to release the lease.
    /// </summary>
    /// <param name="intent">The new state of the intent.</param>
    /// <param name="owner">The worker that must hold the lease.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns><see langword="true"/> when updated; <see langword="false"/> when the lease was lost.</returns>
    Task<bool> TryUpdateAsync(Intent intent, string owner, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Counts a tenant's intents by state, for diagnostics and tests.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="flowId">The flow, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The counts by state (states with no intent are absent).</returns>
    Task<IReadOnlyDictionary<IntentState, int>> CountByStateAsync(
        string tenantId, string? flowId, CancellationToken cancellationToken = default);

    /// <summary>Removes every intent of a tenant.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The number removed.</returns>
    Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default);
}

/// <summary>Where a flow's normal reads resume.</summary>
public sealed record Checkpoint
{
    /// <summary>Gets the timestamp cursor: min(max seen, now − settle lag).</summary>
    public DateTimeOffset? Cursor { get; init; }

    /// <summary>Gets the connector's own cursor, for sources that do not page by timestamp.</summary>
    public string? CursorToken { get; init; }

    /// <summary>Gets when the checkpoint was written.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Checkpoints per tenant and flow. Backfills never touch them.</summary>
public interface ICheckpointStore
{
    /// <summary>Gets a flow's checkpoint.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="flowId">The flow.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The checkpoint, or <see langword="null"/> before the first run.</returns>
    Task<Checkpoint?> GetAsync(string tenantId, string flowId, CancellationToken cancellationToken = default);

    /// <summary>Writes a flow's checkpoint.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="flowId">The flow.</param>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>A task that completes when the checkpoint is durable.</returns>
    Task SetAsync(string tenantId, string flowId, Checkpoint checkpoint, CancellationToken cancellationToken = default);

    /// <summary>Removes a flow's checkpoint, so its next run reads everything.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="flowId">The flow.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns><see langword="true"/> when a checkpoint was removed.</returns>
    Task<bool> DeleteAsync(string tenantId, string flowId, CancellationToken cancellationToken = default);

    /// <summary>Removes every checkpoint of a tenant.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The number removed.</returns>
    Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default);
}
