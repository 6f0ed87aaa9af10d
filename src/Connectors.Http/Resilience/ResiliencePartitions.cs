using System.Collections.Concurrent;
using System.Net;
using Connectors.Http.Internal;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Connectors.Http;

/// <summary>
/// One resilience pipeline (and so one circuit breaker) per partition key, evicted after an idle time. Shared by every
/// handler instance of a named client, so breaker state survives the handler rotation of IHttpClientFactory.
/// </summary>
internal sealed class ResiliencePartitions
{
    internal static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("Connectors.Request");
    internal static readonly ResiliencePropertyKey<int> AttemptsKey = new("Connectors.Attempts");

    private readonly ConcurrentDictionary<PartitionKey, Entry> _entries = new();
    private readonly Lock _randomGate = new();
    private long _lastSweepTicks;

    public ResiliencePartitions(ConnectorsResilienceOptions options, TimeProvider timeProvider, ILogger logger, IRateGovernor? governor = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid ConnectorsResilienceOptions: " + string.Join(" ", errors), nameof(options));
        }

        Options = options;
        Time = timeProvider;
        Logger = logger;
        Governor = governor;
        AttemptPipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider, Name = "attempt" }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout, Name = "attempt" })
            .Build();
        _lastSweepTicks = timeProvider.GetUtcNow().UtcTicks;
    }

    public ConnectorsResilienceOptions Options { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    /// <summary>Gets the governor consulted before each attempt (outside the attempt timeout), or <see langword="null"/>.</summary>
    public IRateGovernor? Governor { get; }

    /// <summary>Gets the attempt-timeout pipeline that runs inside the partition's pipeline, after the governor's wait.</summary>
    public ResiliencePipeline<HttpResponseMessage> AttemptPipeline { get; }

    /// <summary>The budget key the governor uses: the partition selector's or the request's, never the host fallback.</summary>
    public RateBudgetKey? GovernorKey(HttpRequestMessage request) =>
        Options.PartitionKeySelector?.Invoke(request) ?? ConnectorsHttpRequest.GetBudgetKey(request);

    internal int Count => _entries.Count;

    public ResiliencePipeline<HttpResponseMessage> Get(HttpRequestMessage request)
    {
        var key = Resolve(request);
        var now = Time.GetUtcNow().UtcTicks;
        var entry = _entries.GetOrAdd(key, static (k, self) => new Entry(self.Build(k)), this);
        Volatile.Write(ref entry.LastUsedTicks, now);
        Sweep(now);
        return entry.Pipeline;
    }

    private PartitionKey Resolve(HttpRequestMessage request)
    {
        var key = Options.PartitionKeySelector?.Invoke(request) ?? ConnectorsHttpRequest.GetBudgetKey(request);
        if (key is { } k)
        {
            return new PartitionKey(k, ConnectorsHttpRequest.GetTenant(request));
        }

        var host = request.RequestUri is { IsAbsoluteUri: true } uri ? uri.Authority : "(relative)";
        return new PartitionKey(new RateBudgetKey(Options.ConnectorId ?? "http", RateBudgetScope.Tenant, host), null);
    }

    private void Sweep(long now)
    {
        var idle = Options.PartitionIdleTimeout.Ticks;
        var last = Volatile.Read(ref _lastSweepTicks);
        if (now - last < idle / 4 || Interlocked.CompareExchange(ref _lastSweepTicks, now, last) != last)
        {
            return;
        }

        foreach (var pair in _entries)
        {
            if (now - Volatile.Read(ref pair.Value.LastUsedTicks) > idle)
            {
                _entries.TryRemove(pair);
            }
        }
    }

    private ResiliencePipeline<HttpResponseMessage> Build(PartitionKey key)
    {
        var options = Options;
        var name = key.ToString();
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = Time, Name = name };
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.TotalTimeout, Name = "total" });
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(RetryDelay(args.Outcome, args.AttemptNumber)),
                OnRetry = args =>
                {
                    // The failed answer is not returned to anyone: release its connection now.
                    args.Outcome.Result?.Dispose();
                    var request = args.Context.Properties.GetValue(RequestKey, null!);
                    HttpTelemetry.Retries.Add(1, new KeyValuePair<string, object?>("vendor", key.Key.Vendor));
                    if (Logger.IsEnabled(LogLevel.Information))
                    {
                        var url = SafeUrl.Format(request.RequestUri);
                        var described = Describe(args.Outcome);
                        Log.RetryScheduled(Logger, request.Method.Method, url, name, args.AttemptNumber + 1, described, args.RetryDelay);
                    }

                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = options.FailureRatio,
            MinimumThroughput = options.MinimumThroughput,
            SamplingDuration = options.SamplingDuration,
            BreakDuration = options.BreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsBreakerFailure(args.Outcome)),
            OnOpened = args =>
            {
                Log.BreakerOpened(Logger, name, args.BreakDuration);
                return default;
            },
            OnHalfOpened = _ =>
            {
                Log.BreakerHalfOpened(Logger, name);
                return default;
            },
            OnClosed = _ =>
            {
                Log.BreakerClosed(Logger, name);
                return default;
            },
        });
        return builder.Build();
    }

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var request = context.Properties.GetValue(RequestKey, null!);
        if (request is null || !ConnectorsHttpRequest.IsRetrySafe(request))
        {
            return false;
        }

        if (outcome.Exception is { } exception)
        {
            return exception is HttpRequestException or TimeoutRejectedException or IOException;
        }

        var response = outcome.Result!;
        if (!IsRetryableStatus(response.StatusCode))
        {
            return false;
        }

        // A vendor that asks for a long wait (a daily limit) is not retried inside the call: the caller gets the wait.
        var hinted = Hint(response);
        return hinted is null || hinted <= Options.MaxRetryAfter;
    }

    private TimeSpan RetryDelay(Outcome<HttpResponseMessage> outcome, int attemptNumber)
    {
        if (outcome.Result is { } response && Hint(response) is { } hinted)
        {
            return hinted;
        }

        var options = Options;
        var exponential = options.BaseDelay.Ticks * Math.Pow(2, Math.Min(attemptNumber, 30));
        var capped = Math.Min(exponential, options.MaxDelay.Ticks);
        if (options.UseJitter)
        {
            double sample;
            lock (_randomGate)
            {
                sample = (options.Random ?? Random.Shared).NextDouble();
            }

            capped = (capped / 2) + (capped / 2 * sample);
        }

        return TimeSpan.FromTicks((long)capped);
    }

    private TimeSpan? Hint(HttpResponseMessage response) =>
        RetryAfterReader.Read(response, Time) ?? Options.VendorRetryDelay?.Invoke(response);

    private static bool IsRetryableStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private static bool IsBreakerFailure(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or TimeoutRejectedException or IOException
        || (outcome.Result is { } response && ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout));

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } exception ? exception.GetType().Name : ((int)outcome.Result!.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private readonly record struct PartitionKey(RateBudgetKey Key, string? TenantId)
    {
        public override string ToString() => TenantId is null ? Key.ToString() : $"{Key}#{TenantId}";
    }

    private sealed class Entry(ResiliencePipeline<HttpResponseMessage> pipeline)
    {
        public readonly ResiliencePipeline<HttpResponseMessage> Pipeline = pipeline;
        public long LastUsedTicks;
    }
}
