namespace Connectors.Abstractions;

/// <summary>
/// A connector that passes every call to an inner connector: the base of decorators (fault injection, logging, caching,
/// throttling), in the manner of <c>Microsoft.Extensions.AI</c>'s <c>DelegatingChatClient</c>.
/// </summary>
/// <remarks>
/// <para>
/// Every member is virtual and, by default, forwards to <see cref="InnerConnector"/>. A decorator overrides only the
/// members it changes.
/// </para>
/// <para>
/// <see cref="GetService"/> answers <see langword="this"/> for each capability interface (<see cref="IChangeReader"/>,
/// <see cref="IRecordReader"/>, <see cref="IRecordWriter"/>, <see cref="IRecordFinder"/>, <see cref="IWriteJobTracker"/>)
/// that the inner connector offers, so calls made through the capability go through the decorator; it answers
/// <see langword="null"/> for a capability the inner connector does not offer, and passes every other request on.
/// </para>
/// </remarks>
public abstract class DelegatingConnector : IConnector, IChangeReader, IRecordReader, IRecordWriter, IRecordFinder, IWriteJobTracker
{
    /// <summary>Creates a connector that delegates to <paramref name="innerConnector"/>.</summary>
    /// <param name="innerConnector">The connector that receives the calls.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerConnector"/> is <see langword="null"/>.</exception>
    protected DelegatingConnector(IConnector innerConnector)
    {
        ArgumentNullException.ThrowIfNull(innerConnector);
        InnerConnector = innerConnector;
    }

    /// <summary>Gets the connector that receives the calls.</summary>
    protected IConnector InnerConnector { get; }

    /// <inheritdoc />
    /// <remarks>Forwards to the inner connector.</remarks>
    public virtual string VendorId => InnerConnector.VendorId;

    /// <inheritdoc />
    /// <remarks>Forwards to the inner connector.</remarks>
    public virtual ConnectorCapabilities Capabilities => InnerConnector.Capabilities;

    /// <summary>
    /// Asks for a service: <see langword="this"/> for a capability interface the inner connector offers (so the decorator
    /// sees the calls), <see langword="null"/> for one it does not, <see langword="this"/> for a type this decorator is
    /// (such as <see cref="IConnector"/> or its own class), and the inner connector's answer for anything else.
    /// </summary>
    /// <param name="serviceType">The type of the service requested.</param>
    /// <param name="serviceKey">An optional key that tells apart several services of one type.</param>
    /// <returns>The service, or <see langword="null"/> when neither this connector nor the inner one offers it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is <see langword="null"/>.</exception>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (IsCapability(serviceType))
        {
            return InnerConnector.GetService(serviceType, serviceKey) is null ? null : this;
        }

        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        return InnerConnector.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    /// <remarks>Forwards to the inner connector's <see cref="IChangeReader"/>.</remarks>
    /// <exception cref="NotSupportedException">The inner connector does not offer <see cref="IChangeReader"/>.</exception>
    public virtual Task<ChangePage> ReadChangesAsync(ChangeQuery query, CancellationToken cancellationToken = default)
        => Inner<IChangeReader>().ReadChangesAsync(query, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Forwards to the inner connector's <see cref="IRecordReader"/>.</remarks>
    /// <exception cref="NotSupportedException">The inner connector does not offer <see cref="IRecordReader"/>.</exception>
    public virtual Task<IReadOnlyDictionary<string, ICanonicalRecord>> GetManyAsync(
        EntityKind kind, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
        => Inner<IRecordReader>().GetManyAsync(kind, keys, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Forwards to the inner connector's <see cref="IRecordWriter"/>.</remarks>
    /// <exception cref="NotSupportedException">The inner connector does not offer <see cref="IRecordWriter"/>.</exception>
    public virtual Task<WriteResult> WriteAsync(WriteRequest request, CancellationToken cancellationToken = default)
        => Inner<IRecordWriter>().WriteAsync(request, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Forwards to the inner connector's <see cref="IRecordFinder"/>.</remarks>
    /// <exception cref="NotSupportedException">The inner connector does not offer <see cref="IRecordFinder"/>.</exception>
    public virtual Task<IReadOnlyList<ICanonicalRecord>> FindByNaturalKeyAsync(
        EntityKind kind, string naturalKey, CancellationToken cancellationToken = default)
        => Inner<IRecordFinder>().FindByNaturalKeyAsync(kind, naturalKey, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Forwards to the inner connector's <see cref="IRecordFinder"/>.</remarks>
    /// <exception cref="NotSupportedException">The inner connector does not offer <see cref="IRecordFinder"/>.</exception>
    public virtual Task<IReadOnlyList<ICanonicalRecord>> FindByCorrelationAsync(
        EntityKind kind, string correlationValue, CancellationToken cancellationToken = default)
        => Inner<IRecordFinder>().FindByCorrelationAsync(kind, correlationValue, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Forwards to the inner connector's <see cref="IWriteJobTracker"/>.</remarks>
    /// <exception cref="NotSupportedException">The inner connector does not offer <see cref="IWriteJobTracker"/>.</exception>
    public virtual Task<WriteJobStatus> GetJobStatusAsync(EntityKind kind, string jobId, CancellationToken cancellationToken = default)
        => Inner<IWriteJobTracker>().GetJobStatusAsync(kind, jobId, cancellationToken);

    /// <summary>Gets a capability of the inner connector, or fails with a message that names it.</summary>
    /// <typeparam name="T">The capability interface.</typeparam>
    /// <returns>The inner connector's implementation.</returns>
    /// <exception cref="NotSupportedException">The inner connector does not offer <typeparamref name="T"/>.</exception>
    protected T Inner<T>()
        where T : class
        => InnerConnector.GetService(typeof(T)) as T
            ?? throw new NotSupportedException(
                $"The '{InnerConnector.VendorId}' connector does not offer {typeof(T).Name}. Check its declared capabilities.");

    private static bool IsCapability(Type serviceType)
        => serviceType == typeof(IChangeReader)
            || serviceType == typeof(IRecordReader)
            || serviceType == typeof(IRecordWriter)
            || serviceType == typeof(IRecordFinder)
            || serviceType == typeof(IWriteJobTracker);
}
