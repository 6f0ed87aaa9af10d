using System.Collections.Concurrent;
using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>
/// The default <see cref="IConnectionResolver"/>: connectors registered per tenant at run time, or through a factory
/// per connection name that serves every tenant. Tenants can be added while the process runs.
/// </summary>
public sealed class ConnectionRegistry : IConnectionResolver
{
    private readonly ConcurrentDictionary<ConnectionId, IConnector> _connectors = new();
    private readonly ConcurrentDictionary<string, Func<ConnectionId, IConnector>> _factories = new(StringComparer.Ordinal);

    /// <summary>Registers a tenant's connector, replacing an earlier one.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="connector">The connector.</param>
    public void Register(ConnectionId connection, IConnector connector)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentException.ThrowIfNullOrWhiteSpace(connection.TenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(connection.Name);
        _connectors[connection] = connector;
    }

    /// <summary>Registers a factory that creates the connector of a connection name for any tenant, on first use.</summary>
    /// <param name="name">The connection's name.</param>
    /// <param name="factory">Creates the connector for a tenant.</param>
    public void RegisterFactory(string name, Func<ConnectionId, IConnector> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        _factories[name] = factory;
    }

    /// <summary>Removes a tenant's connector (for example when the tenant leaves).</summary>
    /// <param name="connection">The connection.</param>
    /// <returns><see langword="true"/> when one was removed.</returns>
    public bool Remove(ConnectionId connection) => _connectors.TryRemove(connection, out _);

    /// <inheritdoc />
    public ValueTask<IConnector> ResolveAsync(ConnectionId connection, CancellationToken cancellationToken = default)
    {
        if (_connectors.TryGetValue(connection, out var connector))
        {
            return ValueTask.FromResult(connector);
        }

        if (_factories.TryGetValue(connection.Name, out var factory))
        {
            return ValueTask.FromResult(_connectors.GetOrAdd(connection, factory));
        }

        throw new KeyNotFoundException(
            $"No connection '{connection.Name}' is registered for tenant '{connection.TenantId}'.");
    }
}
