namespace Connectors.Http;

/// <summary>
/// Options of the <see cref="ConnectorsResilienceHandler"/>: total timeout → retry → circuit breaker → attempt timeout.
/// </summary>
public sealed class ConnectorsResilienceOptions
{
    /// <summary>Gets or sets the vendor id of the connector, carried by every exception the handler raises.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ConnectorId { get; set; }

    /// <summary>Gets or sets the time allowed for the whole call, every retry and delay included.</summary>
    /// <value>The default value is 3 minutes.</value>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Gets or sets the time allowed for one attempt.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many times a failed attempt is retried (0 disables retries).</summary>
    /// <value>The default value is 4.</value>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>Gets or sets the first backoff delay; each further retry doubles it.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest backoff delay (a vendor's <c>Retry-After</c> is not capped by it).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets whether backoff delays are jittered: each delay is drawn in [d/2, d] from <see cref="Random"/>.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseJitter { get; set; } = true;

    /// <summary>
    /// Gets or sets the source of jitter. Pass a seeded <see cref="System.Random"/> for deterministic delays; it is only
    /// used under a lock. <see langword="null"/> uses <see cref="System.Random.Shared"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Random? Random { get; set; }

    /// <summary>
    /// Gets or sets the longest wait a vendor may ask for (<c>Retry-After</c> or a reset header) and still be retried in
    /// the call; a longer wait fails the call with a <see cref="Connectors.Abstractions.RateLimitException"/> that carries it.
    /// </summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets or sets how to read a vendor's own reset headers when there is no <c>Retry-After</c>: the time to wait, or
    /// <see langword="null"/> to use the backoff.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<HttpResponseMessage, TimeSpan?>? VendorRetryDelay { get; set; }

    /// <summary>Gets or sets the failure ratio over <see cref="SamplingDuration"/> that opens the circuit.</summary>
    /// <value>The default value is 0.5.</value>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Gets or sets how many calls must be seen in <see cref="SamplingDuration"/> before the circuit can open.</summary>
    /// <value>The default value is 10.</value>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>Gets or sets the window over which failures are counted.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long an open circuit refuses calls before letting one through (half-open).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how a request is mapped to its circuit-breaker partition. <see langword="null"/> uses
    /// <see cref="ConnectorsHttpRequest.BudgetKey"/> (with <see cref="ConnectorsHttpRequest.TenantId"/>), else the
    /// request's host as a tenant-scoped key, so one broken shop never trips another.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<HttpRequestMessage, RateBudgetKey?>? PartitionKeySelector { get; set; }

    /// <summary>Gets or sets how long a partition's breaker may stay unused before its state is dropped.</summary>
    /// <value>The default value is 30 minutes.</value>
    public TimeSpan PartitionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets the response headers that may carry the vendor's request id, tried in order.</summary>
    /// <value>The default value is <c>X-Request-Id</c>, <c>X-Shopify-Request-Id</c>, <c>Request-Id</c>, <c>X-Correlation-Id</c>.</value>
    public IList<string> RequestIdHeaders { get; } = ["X-Request-Id", "X-Shopify-Request-Id", "Request-Id", "X-Correlation-Id"];

    /// <summary>
    /// Gets or sets whether an error answer (400 and up) left after the last attempt is thrown as a
    /// <see cref="Connectors.Abstractions.ConnectorException"/> (otherwise it is returned).
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ThrowOnFailure { get; set; } = true;

    internal List<string> Validate()
    {
        var errors = new List<string>();
        if (AttemptTimeout <= TimeSpan.Zero)
        {
            errors.Add($"AttemptTimeout must be positive; it is {AttemptTimeout}.");
        }

        if (TotalTimeout <= AttemptTimeout)
        {
            errors.Add($"TotalTimeout ({TotalTimeout}) must be longer than AttemptTimeout ({AttemptTimeout}).");
        }

        if (MaxRetryAttempts is < 0 or > 100)
        {
            errors.Add($"MaxRetryAttempts must be between 0 and 100; it is {MaxRetryAttempts}.");
        }

        if (BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay)
        {
            errors.Add($"BaseDelay ({BaseDelay}) must be at least zero and at most MaxDelay ({MaxDelay}).");
        }

        if (MaxRetryAfter < TimeSpan.Zero)
        {
            errors.Add($"MaxRetryAfter must be at least zero; it is {MaxRetryAfter}.");
        }

        if (FailureRatio is <= 0 or > 1)
        {
            errors.Add($"FailureRatio must be in (0, 1]; it is {FailureRatio}.");
        }

        if (MinimumThroughput < 2)
        {
            errors.Add($"MinimumThroughput must be at least 2; it is {MinimumThroughput}.");
        }

        if (SamplingDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add($"SamplingDuration must be at least 0.5 s; it is {SamplingDuration}.");
        }

        if (BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add($"BreakDuration must be at least 0.5 s; it is {BreakDuration}.");
        }

        if (PartitionIdleTimeout <= BreakDuration)
        {
            errors.Add($"PartitionIdleTimeout ({PartitionIdleTimeout}) must be longer than BreakDuration ({BreakDuration}), or an open circuit could be forgotten.");
        }

        return errors;
    }
}
