namespace Connectors.Abstractions;

/// <summary>
/// A connection to one tenant's account at one vendor. Kept deliberately small: what a connector can do for each
/// entity kind is declared in <see cref="Capabilities"/> and reached through <see cref="GetService"/>
/// (<see cref="IChangeReader"/>, <see cref="IRecordReader"/>, <see cref="IRecordWriter"/>, <see cref="IRecordFinder"/>,
/// <see cref="IWriteJobTracker"/>, or any vendor-specific service).
/// </summary>
public interface IConnector
{
    /// <summary>Gets the vendor id, for example <c>shopify</c> (see the table in <c>docs/canonical-model.md</c>).</summary>
    string VendorId { get; }

    /// <summary>Gets what the connector can do, per entity kind.</summary>
    ConnectorCapabilities Capabilities { get; }

    /// <summary>Asks the connector for a service it offers, such as a capability interface or a vendor client.</summary>
    /// <param name="serviceType">The type of the service requested.</param>
    /// <param name="serviceKey">An optional key that tells apart several services of one type.</param>
    /// <returns>The service, or <see langword="null"/> when the connector does not offer it.</returns>
    object? GetService(Type serviceType, object? serviceKey = null);
}

/// <summary>Helpers over <see cref="IConnector"/>.</summary>
public static class ConnectorExtensions
{
    /// <summary>Asks the connector for a service of type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The service type.</typeparam>
    /// <param name="connector">The connector.</param>
    /// <param name="serviceKey">An optional key.</param>
    /// <returns>The service, or <see langword="null"/>.</returns>
    public static T? GetService<T>(this IConnector connector, object? serviceKey = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(connector);
        return connector.GetService(typeof(T), serviceKey) as T;
    }

    /// <summary>Asks the connector for a service it must offer.</summary>
    /// <typeparam name="T">The service type.</typeparam>
    /// <param name="connector">The connector.</param>
    /// <returns>The service.</returns>
    /// <exception cref="InvalidOperationException">The connector does not offer the service.</exception>
    public static T GetRequiredService<T>(this IConnector connector)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(connector);
        return connector.GetService<T>()
            ?? throw new InvalidOperationException(
                $"The '{connector.VendorId}' connector does not offer {typeof(T).Name}. Check its declared capabilities.");
    }
}

/// <summary>The operations a connector supports for one entity kind.</summary>
[Flags]
public enum EntityOperations
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Changes can be read since a cursor (<see cref="IChangeReader"/>).</summary>
    ReadChanges = 1,

    /// <summary>Records can be read by key (<see cref="IRecordReader"/>).</summary>
    ReadByKey = 2,

    /// <summary>Records can be created.</summary>
    Create = 4,

    /// <summary>Records can be updated (an absolute write of the fields sent).</summary>
    Update = 8,

    /// <summary>A value can be set absolutely, optionally compared with an expected value (stock levels).</summary>
    Set = 16,

    /// <summary>A relative change can be applied (a stock delta).</summary>
    Delta = 32,

    /// <summary>Records can be deleted.</summary>
    Delete = 64,

    /// <summary>Records can be found by their natural key (<see cref="IRecordFinder"/>).</summary>
    FindByNaturalKey = 128,

    /// <summary>Records can be found by the correlation value the SDK wrote with them (<see cref="IRecordFinder"/>).</summary>
    FindByCorrelation = 256,

    /// <summary>Change reads report deleted records.</summary>
    ReportsDeletes = 512,
}

/// <summary>How the engine settles an intent found pending on resume: did the write it announced happen or not?</summary>
public enum SettlementMode
{
    /// <summary>
    /// No way to tell: the intent becomes <em>needs verification</em> in the journal and is never re-created
    /// automatically.
    /// </summary>
    None = 0,

    /// <summary>The vendor's idempotency key carries the intent token: the write is simply sent again with it.</summary>
    IdempotencyKey = 1,

    /// <summary>
    /// A filterable correlation field on the target holds the token; the engine probes it with a filter (which answers an
    /// empty list when nothing was written) before writing again.
    /// </summary>
    CorrelationField = 2,

    /// <summary>The target rejects duplicates by key (for example an invoice number it already has).</summary>
    RejectsDuplicates = 3,

    /// <summary>
    /// The write is asynchronous (an import job): the intent is <c>Submitted(jobId)</c> and settles by polling
    /// <see cref="IWriteJobTracker"/>.
    /// </summary>
    AsyncJob = 4,
}

/// <summary>What a connector can do for one entity kind.</summary>
public sealed record EntityCapabilities
{
    /// <summary>Gets the operations supported.</summary>
    public EntityOperations Operations { get; init; }

    /// <summary>Gets how pending create intents are settled.</summary>
    /// <value>The default value is <see cref="SettlementMode.None"/>.</value>
    public SettlementMode Settlement { get; init; }

    /// <summary>
    /// Gets how late a change may become visible to a read after its timestamp. The engine overlaps each read by this
    /// much and never moves a checkpoint closer to now than this.
    /// </summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan SettleLag { get; init; }

    /// <summary>Gets the name of the canonical field used as natural key (for example <c>sku</c> or <c>email</c>).</summary>
    public string? NaturalKey { get; init; }

    /// <summary>Gets the largest page the vendor serves.</summary>
    /// <value>The default value is 100.</value>
    public int MaxPageSize { get; init; } = 100;

    /// <summary>Gets whether the connector supports all of <paramref name="operations"/>.</summary>
    /// <param name="operations">The operations to test.</param>
    /// <returns><see langword="true"/> when every flag is supported.</returns>
    public bool Supports(EntityOperations operations) => (Operations & operations) == operations;
}

/// <summary>What a connector can do, per entity kind.</summary>
public sealed class ConnectorCapabilities
{
    private readonly Dictionary<EntityKind, EntityCapabilities> _entities;

    /// <summary>Creates the capability set.</summary>
    /// <param name="entities">The capabilities per entity kind.</param>
    public ConnectorCapabilities(IReadOnlyDictionary<EntityKind, EntityCapabilities> entities)
    {
        ArgumentNullException.ThrowIfNull(entities);
        _entities = new Dictionary<EntityKind, EntityCapabilities>(entities);
    }

    /// <summary>Gets the entity kinds the connector handles.</summary>
    public IReadOnlyCollection<EntityKind> EntityKinds => _entities.Keys;

    /// <summary>Gets the capabilities for one kind, or <see langword="null"/> when the connector does not handle it.</summary>
    /// <param name="kind">The entity kind.</param>
    /// <returns>The capabilities or <see langword="null"/>.</returns>
    public EntityCapabilities? For(EntityKind kind) => _entities.GetValueOrDefault(kind);

    /// <summary>Gets the capabilities for one kind.</summary>
    /// <param name="kind">The entity kind.</param>
    /// <param name="vendorId">The vendor id, used in the error message.</param>
    /// <returns>The capabilities.</returns>
    /// <exception cref="NotSupportedException">The connector does not handle the kind.</exception>
    public EntityCapabilities Require(EntityKind kind, string vendorId)
        => For(kind) ?? throw new NotSupportedException($"The '{vendorId}' connector does not handle entity kind '{kind}'.");
}
