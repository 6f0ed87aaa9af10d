namespace Connectors.Http;

/// <summary>
/// Per-request settings a connector attaches to an <see cref="HttpRequestMessage"/> (through
/// <see cref="HttpRequestMessage.Options"/>) for the Connectors handlers: whether a write may be retried, the operation
/// name used in errors, the rate-budget key and the fairness tenant.
/// </summary>
public static class ConnectorsHttpRequest
{
    /// <summary>
    /// The option that marks a write (a method other than GET, HEAD or OPTIONS) safe to retry, because it carries an
    /// idempotency key or a natural-key probe ran first.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> RetrySafe = new("Connectors.RetrySafe");

    /// <summary>The option that names the operation (for example <c>orders.read</c>) in errors and logs.</summary>
    public static readonly HttpRequestOptionsKey<string> Operation = new("Connectors.Operation");

    /// <summary>The option that holds the rate-budget key (also the circuit-breaker partition) of the request.</summary>
    public static readonly HttpRequestOptionsKey<RateBudgetKey> BudgetKey = new("Connectors.BudgetKey");

    /// <summary>The option that holds the tenant on whose behalf the request is sent (fairness in app-scoped budgets).</summary>
    public static readonly HttpRequestOptionsKey<string> TenantId = new("Connectors.TenantId");

    /// <summary>The option that holds how many budget units the request costs; 1 when absent.</summary>
    public static readonly HttpRequestOptionsKey<int> Cost = new("Connectors.Cost");

    /// <summary>Marks a write safe to retry (it carries an idempotency key, or a natural-key probe ran first).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The same request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    public static HttpRequestMessage MarkRetrySafe(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(RetrySafe, true);
        return request;
    }

    /// <summary>Names the operation for errors and logs.</summary>
    /// <param name="request">The request.</param>
    /// <param name="operation">The operation, for example <c>orders.read</c>.</param>
    /// <returns>The same request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operation"/> is empty.</exception>
    public static HttpRequestMessage WithOperation(this HttpRequestMessage request, string operation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        request.Options.Set(Operation, operation);
        return request;
    }

    /// <summary>Sets the rate-budget key (and circuit-breaker partition) and, for app-scoped budgets, the tenant.</summary>
    /// <param name="request">The request.</param>
    /// <param name="key">The budget key.</param>
    /// <param name="tenantId">The tenant on whose behalf the request is sent, or <see langword="null"/>.</param>
    /// <param name="cost">The budget units the request costs.</param>
    /// <returns>The same request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is less than 1.</exception>
    public static HttpRequestMessage WithBudget(this HttpRequestMessage request, RateBudgetKey key, string? tenantId = null, int cost = 1)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 1);
        request.Options.Set(BudgetKey, key);
        if (tenantId is not null)
        {
            request.Options.Set(TenantId, tenantId);
        }

        request.Options.Set(Cost, cost);
        return request;
    }

    internal static bool IsRetrySafe(HttpRequestMessage request)
    {
        var method = request.Method;
        if (method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options)
        {
            return true;
        }

        return request.Options.TryGetValue(RetrySafe, out var safe) && safe;
    }

    internal static string? GetOperation(HttpRequestMessage request) =>
        request.Options.TryGetValue(Operation, out var operation) ? operation : null;

    internal static string? GetTenant(HttpRequestMessage request) =>
        request.Options.TryGetValue(TenantId, out var tenant) ? tenant : null;

    internal static int GetCost(HttpRequestMessage request) =>
        request.Options.TryGetValue(Cost, out var cost) && cost > 0 ? cost : 1;

    internal static RateBudgetKey? GetBudgetKey(HttpRequestMessage request) =>
        request.Options.TryGetValue(BudgetKey, out var key) && key.Vendor is not null ? key : null;
}
