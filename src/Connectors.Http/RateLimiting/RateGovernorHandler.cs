namespace Connectors.Http;

/// <summary>
/// A <see cref="DelegatingHandler"/> that waits for the request's rate budget before sending it and feeds the vendor's
/// rate-limit headers back to the <see cref="IRateGovernor"/>. A request without a key passes straight through.
/// </summary>
public sealed class RateGovernorHandler : DelegatingHandler
{
    private readonly IRateGovernor _governor;
    private readonly Func<HttpRequestMessage, RateBudgetKey?>? _keySelector;

    /// <summary>Creates a handler.</summary>
    /// <param name="governor">The governor shared by every client of the process.</param>
    /// <param name="keySelector">
    /// Resolves a request's budget key; <see langword="null"/> reads <see cref="ConnectorsHttpRequest.BudgetKey"/>.
    /// The tenant (for fairness) comes from <see cref="ConnectorsHttpRequest.TenantId"/> and the cost from
    /// <see cref="ConnectorsHttpRequest.Cost"/>.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="governor"/> is <see langword="null"/>.</exception>
    public RateGovernorHandler(IRateGovernor governor, Func<HttpRequestMessage, RateBudgetKey?>? keySelector = null)
    {
        ArgumentNullException.ThrowIfNull(governor);
        _governor = governor;
        _keySelector = keySelector;
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = _keySelector?.Invoke(request) ?? ConnectorsHttpRequest.GetBudgetKey(request);
        if (key is not { } budget)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        await _governor.WaitAsync(budget, ConnectorsHttpRequest.GetTenant(request), ConnectorsHttpRequest.GetCost(request), cancellationToken)
            .ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        _governor.Observe(budget, response);
        return response;
    }
}
