namespace Connectors.Http;

/// <summary>
/// Waits before sending so that calls stay inside the vendor's rate budgets, keyed by <see cref="RateBudgetKey"/> and
/// shared by every flow and connector instance that uses the key.
/// </summary>
public interface IRateGovernor
{
    /// <summary>Waits until the budget of <paramref name="key"/> allows a call of <paramref name="cost"/> units, then takes them.</summary>
    /// <param name="key">The budget key.</param>
    /// <param name="cost">The units the call costs.</param>
    /// <param name="cancellationToken">A token that cancels the wait.</param>
    /// <returns>A task that completes when the call may be sent.</returns>
    /// <exception cref="Connectors.Abstractions.RateLimitException">
    /// The budget frees up only after the longest allowed wait (a daily budget is spent); see
    /// <see cref="Connectors.Abstractions.RateLimitException.PausedUntil"/>.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is less than 1 or more than a limit of the budget.</exception>
    ValueTask WaitAsync(RateBudgetKey key, int cost = 1, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits as <see cref="WaitAsync(RateBudgetKey, int, CancellationToken)"/> does, queued fairly with the other tenants
    /// of an app-scoped budget: tenants take turns, so one busy tenant cannot starve another.
    /// </summary>
    /// <param name="key">The budget key.</param>
    /// <param name="tenantId">The tenant on whose behalf the call is made; <see langword="null"/> shares one queue.</param>
    /// <param name="cost">The units the call costs.</param>
    /// <param name="cancellationToken">A token that cancels the wait.</param>
    /// <returns>A task that completes when the call may be sent.</returns>
    /// <exception cref="Connectors.Abstractions.RateLimitException">The budget frees up only after the longest allowed wait.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is less than 1 or more than a limit of the budget.</exception>
    ValueTask WaitAsync(RateBudgetKey key, string? tenantId, int cost = 1, CancellationToken cancellationToken = default);

    /// <summary>
    /// Feeds the vendor's view of the budget from a response: Shopify <c>X-Shopify-Shop-Api-Call-Limit</c>, the
    /// <c>X-RateLimit-Minutely-*</c> and <c>X-RateLimit-*</c> headers (Exact Online), and <c>Retry-After</c> on a 429.
    /// </summary>
    /// <param name="key">The budget key.</param>
    /// <param name="response">The response.</param>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    void Observe(RateBudgetKey key, HttpResponseMessage response);

    /// <summary>Feeds a cost-based budget reading (Shopify GraphQL <c>extensions.cost.throttleStatus</c>).</summary>
    /// <param name="key">The budget key.</param>
    /// <param name="available">The points available now.</param>
    /// <param name="maximum">The bucket's size.</param>
    /// <param name="restoreRate">The points restored per second.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maximum"/> or <paramref name="restoreRate"/> is not positive.</exception>
    void ObserveCost(RateBudgetKey key, double available, double maximum, double restoreRate);
}
