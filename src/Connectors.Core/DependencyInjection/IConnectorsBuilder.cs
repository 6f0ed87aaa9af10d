namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Configures Connectors in a service collection. Returned by <c>AddConnectors()</c>; vendor and store packages add
/// extension methods to it (<c>UseSqlite(…)</c>, <c>AddShopify(…)</c>).
/// </summary>
public interface IConnectorsBuilder
{
    /// <summary>Gets the service collection being configured.</summary>
    IServiceCollection Services { get; }
}
