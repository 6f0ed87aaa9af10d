namespace Connectors.Abstractions;

/// <summary>Names one tenant's connection: the tenant and the connection's name within it (for example <c>shop</c>).</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Name">The connection's name.</param>
public readonly record struct ConnectionId(string TenantId, string Name)
{
    /// <inheritdoc />
    public override string ToString() => string.Concat(TenantId, "/", Name);
}

/// <summary>
/// Resolves connections at run time, so an ISV can add tenants while the process runs. DI-registered connections are
/// only the single-tenant shortcut.
/// </summary>
public interface IConnectionResolver
{
    /// <summary>Gets the connector for a tenant's connection.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The connector.</returns>
    /// <exception cref="KeyNotFoundException">No such connection is known for the tenant.</exception>
    ValueTask<IConnector> ResolveAsync(ConnectionId connection, CancellationToken cancellationToken = default);
}
