namespace Connectors.Http;

/// <summary>A configured budget: the limits that apply to every key of a vendor and scope (and endpoint, when set).</summary>
public sealed class RateBudget
{
    /// <summary>Creates a budget.</summary>
    /// <param name="vendor">The vendor id, as in <see cref="RateBudgetKey.Vendor"/>.</param>
    /// <param name="scope">The scope it applies to.</param>
    /// <param name="policies">The limits; every one must allow a call before it is sent.</param>
    /// <exception cref="ArgumentException"><paramref name="vendor"/> is empty or no policy is given.</exception>
    public RateBudget(string vendor, RateBudgetScope scope, params IReadOnlyList<RatePolicy> policies)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vendor);
        ArgumentNullException.ThrowIfNull(policies);
        if (policies.Count == 0 || policies.Any(p => p is null))
        {
            throw new ArgumentException($"The budget of '{vendor}' ({scope}) needs at least one policy and no null one.", nameof(policies));
        }

        Vendor = vendor;
        Scope = scope;
        Policies = [.. policies];
    }

    /// <summary>Gets the vendor id.</summary>
    public string Vendor { get; }

    /// <summary>Gets the scope.</summary>
    public RateBudgetScope Scope { get; }

    /// <summary>
    /// Gets the endpoint the budget is limited to; <see langword="null"/> applies it to every endpoint (each endpoint key
    /// still gets its own budget when the connector puts the endpoint in the key, as for Visma).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Endpoint { get; init; }

    /// <summary>Gets the limits.</summary>
    public IReadOnlyList<RatePolicy> Policies { get; }
}

/// <summary>Options of the <see cref="RateGovernor"/>.</summary>
public sealed class RateGovernorOptions
{
    /// <summary>
    /// Gets the configured budgets. A key with no budget is limited only by what the vendor's headers report. The same
    /// budget may be added more than once (by several clients); different policies for one vendor, scope and endpoint
    /// fail validation.
    /// </summary>
    public IList<RateBudget> Budgets { get; } = [];

    /// <summary>
    /// Gets or sets the longest a call waits for its budget. When the budget frees up later than that (a daily budget
    /// is spent), the wait throws a <see cref="Connectors.Abstractions.RateLimitException"/> with
    /// <see cref="Connectors.Abstractions.RateLimitException.PausedUntil"/>, and the engine pauses the run.
    /// </summary>
    /// <remarks>Keep it below the resilience handler's <see cref="ConnectorsResilienceOptions.TotalTimeout"/> when both run on a client.</remarks>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how long a key's state may stay unused (and without waiters) before it is dropped.</summary>
    /// <value>The default value is 30 minutes.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Adds a budget.</summary>
    /// <param name="vendor">The vendor id.</param>
    /// <param name="scope">The scope.</param>
    /// <param name="policies">The limits.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException"><paramref name="vendor"/> is empty or no policy is given.</exception>
    public RateGovernorOptions AddBudget(string vendor, RateBudgetScope scope, params IReadOnlyList<RatePolicy> policies)
    {
        Budgets.Add(new RateBudget(vendor, scope, policies));
        return this;
    }

    internal List<string> Validate()
    {
        var errors = new List<string>();
        if (MaxWait < TimeSpan.Zero)
        {
            errors.Add($"MaxWait must be at least zero; it is {MaxWait}.");
        }

        if (IdleTimeout <= TimeSpan.Zero)
        {
            errors.Add($"IdleTimeout must be positive; it is {IdleTimeout}.");
        }

        // Several clients may register the same budget (one per shop, say); only different limits for one key conflict.
        foreach (var group in Budgets.Where(b => b is not null).GroupBy(b => (Vendor: b.Vendor.ToUpperInvariant(), b.Scope, b.Endpoint)))
        {
            var variants = group.Select(b => string.Join(" and ", b.Policies)).Distinct(StringComparer.Ordinal).ToList();
            if (variants.Count > 1)
            {
                errors.Add($"The budget of '{group.First().Vendor}' ({group.Key.Scope}{(group.Key.Endpoint is null ? string.Empty : ", endpoint " + group.Key.Endpoint)}) is configured {variants.Count} times with different policies ({string.Join("; ", variants)}); put all its policies in one budget.");
            }
        }

        if (Budgets.Any(b => b is null))
        {
            errors.Add("Budgets holds a null entry.");
        }

        return errors;
    }
}
