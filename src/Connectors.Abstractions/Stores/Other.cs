namespace Connectors.Abstractions;

/// <summary>
/// Translation tables as data (countries, VAT codes, payment methods, units, warehouses…), per tenant.
/// </summary>
public interface ITranslationTableStore
{
    /// <summary>Gets a whole table.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="table">The table's name.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The entries, empty when the table does not exist.</returns>
    Task<IReadOnlyDictionary<string, string>> GetTableAsync(
        string tenantId, string table, CancellationToken cancellationToken = default);

    /// <summary>Looks up one key.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="table">The table's name.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The value, or <see langword="null"/> when absent.</returns>
    Task<string?> LookupAsync(string tenantId, string table, string key, CancellationToken cancellationToken = default);

    /// <summary>Adds, replaces or (with a <see langword="null"/> value) removes entries.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="table">The table's name.</param>
    /// <param name="entries">The entries.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>A task that completes when stored.</returns>
    Task SetEntriesAsync(
        string tenantId, string table, IReadOnlyDictionary<string, string?> entries, CancellationToken cancellationToken = default);

    /// <summary>Lists a tenant's tables.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The table names, sorted.</returns>
    Task<IReadOnlyList<string>> ListTablesAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <summary>Removes a table.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="table">The table's name.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns><see langword="true"/> when the table existed.</returns>
    Task<bool> DeleteTableAsync(string tenantId, string table, CancellationToken cancellationToken = default);

    /// <summary>Removes every table of a tenant.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The number of entries removed.</returns>
    Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default);
}

/// <summary>Protects secrets at rest. The key lives outside the database (an environment variable, a key file, a vault).</summary>
public interface ISecretProtector
{
    /// <summary>Encrypts and authenticates data.</summary>
    /// <param name="plaintext">The data.</param>
    /// <returns>The protected form.</returns>
    byte[] Protect(ReadOnlySpan<byte> plaintext);

    /// <summary>Decrypts protected data.</summary>
    /// <param name="protectedData">The protected form.</param>
    /// <returns>The data.</returns>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The data was tampered with or the key is wrong.</exception>
    byte[] Unprotect(ReadOnlySpan<byte> protectedData);
}

/// <summary>A connection's secrets, with the version used for compare-and-swap.</summary>
public sealed record StoredCredential
{
    /// <summary>Gets the secrets by name (for example <c>access_token</c>, <c>refresh_token</c>).</summary>
    public required IReadOnlyDictionary<string, string> Secrets { get; init; }

    /// <summary>Gets the version: 1 after the first save, incremented on every save.</summary>
    public long Version { get; init; }

    /// <summary>Gets when the credential was last saved.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>
/// Connection credentials, protected at rest (through an <see cref="ISecretProtector"/>) and updated by
/// compare-and-swap, so a rotated refresh token is never lost to a race.
/// </summary>
public interface ICredentialStore
{
    /// <summary>Gets a connection's credential.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The credential, or <see langword="null"/>.</returns>
    Task<StoredCredential?> GetAsync(ConnectionId connection, CancellationToken cancellationToken = default);

    /// <summary>Saves a credential if the stored version still equals <paramref name="expectedVersion"/> (0: none stored).</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="secrets">The secrets.</param>
    /// <param name="expectedVersion">The version read before; 0 when none was stored.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The credential as saved, or <see langword="null"/> when another writer got there first.</returns>
    Task<StoredCredential?> TrySaveAsync(
        ConnectionId connection, IReadOnlyDictionary<string, string> secrets, long expectedVersion, DateTimeOffset now,
        CancellationToken cancellationToken = default);

    /// <summary>Removes a credential.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns><see langword="true"/> when one was removed.</returns>
    Task<bool> DeleteAsync(ConnectionId connection, CancellationToken cancellationToken = default);

    /// <summary>Removes every credential of a tenant.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The number removed.</returns>
    Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default);
}

/// <summary>A lease held on a named resource.</summary>
public sealed record Lease
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the resource, for example <c>flow:orders</c>.</summary>
    public required string Resource { get; init; }

    /// <summary>Gets the holder.</summary>
    public required string Owner { get; init; }

    /// <summary>Gets when the lease ends unless renewed.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Gets a fencing number that grows with every new acquisition of the resource.</summary>
    public long Fence { get; init; }
}

/// <summary>Leases on named resources (a flow of a tenant, a connection's token refresh), shared by every process of a store.</summary>
public interface ILeaseStore
{
    /// <summary>Acquires a lease when it is free, expired at <paramref name="now"/>, or already held by <paramref name="owner"/>.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="resource">The resource.</param>
    /// <param name="owner">The would-be holder.</param>
    /// <param name="now">The current time.</param>
    /// <param name="duration">How long the lease lasts.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The lease, or <see langword="null"/> when someone else holds it.</returns>
    Task<Lease?> TryAcquireAsync(
        string tenantId, string resource, string owner, DateTimeOffset now, TimeSpan duration,
        CancellationToken cancellationToken = default);

    /// <summary>Extends a lease still held by its owner.</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="now">The current time.</param>
    /// <param name="duration">How long from <paramref name="now"/>.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The renewed lease, or <see langword="null"/> when it was lost.</returns>
    Task<Lease?> RenewAsync(Lease lease, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Releases a lease if still held by its owner.</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns><see langword="true"/> when released.</returns>
    Task<bool> ReleaseAsync(Lease lease, CancellationToken cancellationToken = default);
}

/// <summary>The state of a webhook delivery in the inbox.</summary>
public enum WebhookDeliveryState
{
    /// <summary>Waiting to be processed.</summary>
    Pending,

    /// <summary>Processed.</summary>
    Processed,
}

/// <summary>A verified webhook delivery, persisted before the endpoint answers 2xx.</summary>
public sealed record WebhookDelivery
{
    /// <summary>Gets the inbox's id of the delivery, assigned on enqueue.</summary>
    public long Id { get; init; }

    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the connection that received it.</summary>
    public required string Connection { get; init; }

    /// <summary>Gets the vendor's delivery id (for de-duplication).</summary>
    public required string DeliveryId { get; init; }

    /// <summary>Gets the entity kind concerned.</summary>
    public required EntityKind Kind { get; init; }

    /// <summary>Gets the key of the record concerned (deliveries are hints: the record is fetched again).</summary>
    public required string RecordKey { get; init; }

    /// <summary>Gets the vendor's topic, for example <c>orders/updated</c>.</summary>
    public string? Topic { get; init; }

    /// <summary>Gets the raw body.</summary>
    public string? Body { get; init; }

    /// <summary>Gets when it was received.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Gets the state.</summary>
    public WebhookDeliveryState State { get; init; }

    /// <summary>Gets how many deliveries were coalesced into this one.</summary>
    /// <value>The default value is 1.</value>
    public int Coalesced { get; init; } = 1;

    /// <summary>Gets the worker that claimed it.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>Gets when the claim ends.</summary>
    public DateTimeOffset? LeaseUntil { get; init; }
}

/// <summary>The outcome of putting a delivery in the inbox.</summary>
public enum WebhookEnqueueResult
{
    /// <summary>Stored as a new pending item.</summary>
    Added,

    /// <summary>Merged into a pending item for the same record.</summary>
    Coalesced,

    /// <summary>The delivery id was seen before: ignored.</summary>
    Duplicate,
}

/// <summary>
/// The webhook inbox: deliveries are verified, stored here before the 2xx, de-duplicated by delivery id, coalesced by
/// record key, and processed later by fetching the current record.
/// </summary>
public interface IWebhookInbox
{
    /// <summary>Stores a delivery.</summary>
    /// <param name="delivery">The delivery.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>Whether it was added, coalesced or a duplicate.</returns>
    Task<WebhookEnqueueResult> EnqueueAsync(WebhookDelivery delivery, CancellationToken cancellationToken = default);

    /// <summary>Claims up to <paramref name="maxCount"/> pending deliveries of a tenant's connection, oldest first.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="connection">The connection.</param>
    /// <param name="owner">The claiming worker.</param>
    /// <param name="now">The current time.</param>
    /// <param name="leaseUntil">When the claim ends.</param>
    /// <param name="maxCount">The most to claim.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The claimed deliveries.</returns>
    Task<IReadOnlyList<WebhookDelivery>> ClaimAsync(
        string tenantId, string connection, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int maxCount,
        CancellationToken cancellationToken = default);

    /// <summary>Marks claimed deliveries processed.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="ids">The inbox ids.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>A task that completes when stored.</returns>
    Task CompleteAsync(string tenantId, IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default);

    /// <summary>Removes processed deliveries received before a time (delivery ids are still remembered for de-duplication
    /// until <paramref name="olderThan"/>).</summary>
    /// <param name="olderThan">The cut-off.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The number removed.</returns>
    Task<long> PurgeProcessedAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default);

    /// <summary>Removes everything of a tenant.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The number removed.</returns>
    Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default);
}
