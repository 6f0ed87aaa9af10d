namespace Connectors.Http;

/// <summary>Who a vendor's rate limit applies to.</summary>
public enum RateBudgetScope
{
    /// <summary>The client application: every tenant shares the budget (Visma limits per client application).</summary>
    App,

    /// <summary>One tenant's account at the vendor (one Shopify shop).</summary>
    Tenant,

    /// <summary>One division or company inside a tenant's account (Exact Online limits per company).</summary>
    Division,
}

/// <summary>
/// The key of a rate budget — and of a circuit breaker: (vendor, scope, scope id, endpoint?). Every flow and connector
/// instance that uses the same key shares one budget and one breaker.
/// </summary>
public readonly record struct RateBudgetKey
{
    /// <summary>Creates a key.</summary>
    /// <param name="vendor">The vendor id, for example <c>shopify</c>.</param>
    /// <param name="scope">Who the limit applies to.</param>
    /// <param name="scopeId">The id of the app, tenant or division.</param>
    /// <param name="endpoint">The endpoint, when the vendor limits per endpoint; otherwise <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="vendor"/> or <paramref name="scopeId"/> is empty.</exception>
    public RateBudgetKey(string vendor, RateBudgetScope scope, string scopeId, string? endpoint = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vendor);
        ArgumentException.ThrowIfNullOrWhiteSpace(scopeId);
        Vendor = vendor;
        Scope = scope;
        ScopeId = scopeId;
        Endpoint = endpoint;
    }

    /// <summary>Gets the vendor id.</summary>
    public string Vendor { get; }

    /// <summary>Gets who the limit applies to.</summary>
    public RateBudgetScope Scope { get; }

    /// <summary>Gets the id of the app, tenant or division.</summary>
    public string ScopeId { get; }

    /// <summary>Gets the endpoint, when the vendor limits per endpoint.</summary>
    public string? Endpoint { get; }

    /// <summary>Formats the key as <c>vendor/scope:id[/endpoint]</c>.</summary>
    /// <returns>The key as text.</returns>
    public override string ToString() =>
        Endpoint is null
            ? $"{Vendor}/{Scope.ToString().ToLowerInvariant()}:{ScopeId}"
            : $"{Vendor}/{Scope.ToString().ToLowerInvariant()}:{ScopeId}/{Endpoint}";
}
