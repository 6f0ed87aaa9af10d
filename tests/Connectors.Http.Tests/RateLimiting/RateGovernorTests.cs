using Connectors.Testing;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Connectors.Abstractions;

namespace Connectors.Http.Tests.RateLimiting;

public sealed class RateGovernorTests
{
    private static readonly RateBudgetKey Exact = new("exact", RateBudgetScope.Division, "1234567");
    private static readonly RateBudgetKey Shop = new("shopify", RateBudgetScope.Tenant, "acme");
    private static readonly RateBudgetKey Visma = new("visma", RateBudgetScope.App, "client-1");
    private readonly VirtualClock _clock = new();

    private RateGovernor Create(Action<RateGovernorOptions>? configure = null)
    {
        var options = new RateGovernorOptions();
        configure?.Invoke(options);
        return new RateGovernor(options, _clock);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WaitAsync_SixtyPerMinuteBudget_120CallsTakeAMinuteOfVirtualTimeAndNoWallTime()
    {
        using var governor = Create(o => o.AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerMinute(60)));
        var start = _clock.GetUtcNow();
        var wall = Stopwatch.StartNew();

        await _clock.RunAsync(Task.Run(
            async () =>
            {
                for (var i = 0; i < 120; i++)
                {
                    await governor.WaitAsync(Exact, 1, Ct);
                }
            },
            Ct));

        var elapsed = _clock.GetUtcNow() - start;
        Assert.InRange(elapsed, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(61));
        Assert.True(wall.Elapsed < TimeSpan.FromSeconds(5), $"wall time {wall.Elapsed}");
    }

    [Fact]
    public async Task WaitAsync_TokenBucketConcurrentCallers_StaysWithinRate()
    {
        using var governor = Create(o => o.AddBudget("shopify", RateBudgetScope.Tenant, RatePolicy.TokenBucket(10, 5)));
        var start = _clock.GetUtcNow();

        var callers = Enumerable.Range(0, 8).Select(_ => Task.Run(
            async () =>
            {
                for (var i = 0; i < 25; i++)
                {
                    await governor.WaitAsync(Shop, 1, Ct);
                }
            },
            Ct));
        await _clock.RunAsync(Task.WhenAll(callers));

        // 200 calls: 10 in the first burst, then 5 a second.
        var elapsed = (_clock.GetUtcNow() - start).TotalSeconds;
        Assert.InRange(elapsed, 190.0 / 5, 1.1 * 200 / 5);
    }

    [Fact]
    public async Task WaitAsync_LeakyBucketFull_WaitsForTheLeak()
    {
        using var governor = Create(o => o.AddBudget("shopify", RateBudgetScope.Tenant, RatePolicy.LeakyBucket(40, 2)));
        var start = _clock.GetUtcNow();

        await _clock.RunAsync(Task.Run(
            async () =>
            {
                for (var i = 0; i < 50; i++)
                {
                    await governor.WaitAsync(Shop, 1, Ct);
                }
            },
            Ct));

        Assert.Equal(TimeSpan.FromSeconds(5), _clock.GetUtcNow() - start);
    }

    [Fact]
    public async Task WaitAsync_DailyBudgetSpent_ThrowsRateLimitExceptionWithPausedUntil()
    {
        using var governor = Create(o => o.AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerMinute(60), RatePolicy.PerDay(100)));
        var start = _clock.GetUtcNow();

        await _clock.RunAsync(Task.Run(
            async () =>
            {
                for (var i = 0; i < 100; i++)
                {
                    await governor.WaitAsync(Exact, 1, Ct);
                }
            },
            Ct));
        var error = await Assert.ThrowsAsync<RateLimitException>(async () => await governor.WaitAsync(Exact, 1, Ct));

        Assert.Equal(start.AddDays(1), error.PausedUntil);
        Assert.Equal("exact", error.Connector);
        Assert.True(error.IsTransient);
        Assert.Equal(start.AddDays(1) - _clock.GetUtcNow(), error.RetryAfter);
    }

    [Fact]
    public async Task WaitAsync_AppBudgetBusyTenant_OtherTenantGetsItsTurn()
    {
        using var governor = Create(o => o.AddBudget("visma", RateBudgetScope.App, RatePolicy.TokenBucket(1, 1)));
        var start = _clock.GetUtcNow();

        async Task<TimeSpan> CallAsync(string tenant)
        {
            await governor.WaitAsync(Visma, tenant, 1, Ct);
            return _clock.GetUtcNow() - start;
        }

        var busy = Enumerable.Range(0, 10).Select(_ => CallAsync("busy")).ToList();
        var quiet = CallAsync("quiet");
        await _clock.RunAsync(Task.WhenAll([.. busy, quiet]));

        Assert.Equal(TimeSpan.FromSeconds(2), await quiet);
        Assert.Equal(TimeSpan.FromSeconds(10), await busy[^1]);
    }

    [Fact]
    public async Task WaitAsync_TenantScopedKeys_DoNotShareABudget()
    {
        using var governor = Create(o => o.AddBudget("shopify", RateBudgetScope.Tenant, RatePolicy.PerMinute(1)));
        await governor.WaitAsync(new RateBudgetKey("shopify", RateBudgetScope.Tenant, "a"), 1, Ct);

        var other = governor.WaitAsync(new RateBudgetKey("shopify", RateBudgetScope.Tenant, "b"), 1, Ct);

        Assert.True(other.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaitAsync_Cancelled_ThrowsAndLetsTheNextWaiterThrough()
    {
        using var governor = Create(o => o.AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerMinute(1)));
        await governor.WaitAsync(Exact, 1, Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var cancelled = governor.WaitAsync(Exact, 1, cts.Token).AsTask();
        var next = governor.WaitAsync(Exact, 1, Ct).AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await _clock.RunAsync(next);

        Assert.True(next.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaitAsync_CostAboveLimit_ThrowsArgumentOutOfRange()
    {
        using var governor = Create(o => o.AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerMinute(60)));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await governor.WaitAsync(Exact, 61, Ct));
    }

    [Fact]
    public async Task WaitAsync_IdleKeys_AreEvicted()
    {
        using var governor = Create(o => o.IdleTimeout = TimeSpan.FromMinutes(10));
        await governor.WaitAsync(new RateBudgetKey("shopify", RateBudgetScope.Tenant, "a"), 1, Ct);
        await governor.WaitAsync(new RateBudgetKey("shopify", RateBudgetScope.Tenant, "b"), 1, Ct);
        Assert.Equal(2, governor.StateCount);

        _clock.Advance(TimeSpan.FromMinutes(6));
        await governor.WaitAsync(new RateBudgetKey("shopify", RateBudgetScope.Tenant, "b"), 1, Ct);
        _clock.Advance(TimeSpan.FromMinutes(6));
        await governor.WaitAsync(new RateBudgetKey("shopify", RateBudgetScope.Tenant, "b"), 1, Ct);

        Assert.Equal(1, governor.StateCount);
    }

    [Fact]
    public async Task Observe_ShopifyCallLimitNearlyFull_NextCallsWaitForTheLeak()
    {
        using var governor = Create();
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.Add("X-Shopify-Shop-Api-Call-Limit", "39/40");
        var start = _clock.GetUtcNow();

        governor.Observe(Shop, response);
        await governor.WaitAsync(Shop, 1, Ct);
        Assert.Equal(start, _clock.GetUtcNow());
        await _clock.RunAsync(governor.WaitAsync(Shop, 1, Ct).AsTask());

        Assert.Equal(TimeSpan.FromSeconds(0.5), _clock.GetUtcNow() - start);
    }

    [Fact]
    public async Task Observe_ExactMinutelyRemainingZero_WaitsUntilTheReset()
    {
        using var governor = Create();
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        var reset = _clock.GetUtcNow().AddSeconds(20);
        response.Headers.Add("X-RateLimit-Minutely-Limit", "60");
        response.Headers.Add("X-RateLimit-Minutely-Remaining", "0");
        response.Headers.Add("X-RateLimit-Minutely-Reset", reset.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        response.Headers.Add("X-RateLimit-Limit", "5000");
        response.Headers.Add("X-RateLimit-Remaining", "4000");
        response.Headers.Add("X-RateLimit-Reset", _clock.GetUtcNow().AddHours(10).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

        governor.Observe(Exact, response);
        await _clock.RunAsync(governor.WaitAsync(Exact, 1, Ct).AsTask());

        Assert.Equal(reset, _clock.GetUtcNow());
    }

    [Fact]
    public async Task Observe_ExactDailyRemainingZero_WaitThrowsPausedUntilTheReset()
    {
        using var governor = Create(o => o.AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerMinute(60), RatePolicy.PerDay(5000)));
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        var reset = DateTimeOffset.FromUnixTimeMilliseconds(_clock.GetUtcNow().AddHours(5).ToUnixTimeMilliseconds());
        response.Headers.Add("X-RateLimit-Limit", "5000");
        response.Headers.Add("X-RateLimit-Remaining", "0");
        response.Headers.Add("X-RateLimit-Reset", reset.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

        governor.Observe(Exact, response);
        var error = await Assert.ThrowsAsync<RateLimitException>(async () => await governor.WaitAsync(Exact, 1, Ct));

        Assert.Equal(reset, error.PausedUntil);
    }

    [Fact]
    public async Task ObserveCost_GraphQlThrottleStatus_WaitsForRestore()
    {
        using var governor = Create();
        var start = _clock.GetUtcNow();

        governor.ObserveCost(Shop, available: 50, maximum: 1000, restoreRate: 50);
        await _clock.RunAsync(governor.WaitAsync(Shop, 100, Ct).AsTask());

        Assert.Equal(TimeSpan.FromSeconds(1), _clock.GetUtcNow() - start);
    }

    [Fact]
    public async Task Observe_TooManyRequestsWithRetryAfter_BlocksTheKey()
    {
        using var governor = Create();
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
        var start = _clock.GetUtcNow();

        governor.Observe(Shop, response);
        await _clock.RunAsync(governor.WaitAsync(Shop, 1, Ct).AsTask());

        Assert.Equal(TimeSpan.FromSeconds(30), _clock.GetUtcNow() - start);
    }

    [Fact]
    public void Constructor_SameBudgetTwice_ThrowsWithClearMessage()
    {
        var options = new RateGovernorOptions()
            .AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerMinute(60))
            .AddBudget("Exact", RateBudgetScope.Division, RatePolicy.PerDay(5000));

        var error = Assert.Throws<ArgumentException>(() => new RateGovernor(options, _clock));

        Assert.Contains("The budget of 'exact' (Division) is configured 2 times with different policies (60 per minute; 5000 per day)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_RequestsWithBudgetKey_WaitBeforeSendingAndFeedHeaders()
    {
        using var governor = Create(o => o.AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerMinute(2)));
        var inner = new ScriptedHandler(_clock);
        using var client = new HttpMessageInvoker(new RateGovernorHandler(governor) { InnerHandler = inner });
        var start = _clock.GetUtcNow();

        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "https://start.exactonline.nl/api/v1/1234567/crm/Accounts").WithBudget(Exact);
            using var response = await _clock.RunAsync(client.SendAsync(request, Ct));
        }

        Assert.Equal([start, start, start.AddMinutes(1)], inner.Sent.Select(s => s.At));
    }

    [Fact]
    public async Task Handler_RequestWithoutKey_PassesThrough()
    {
        using var governor = Create(o => o.AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerMinute(1)));
        var inner = new ScriptedHandler(_clock);
        using var client = new HttpMessageInvoker(new RateGovernorHandler(governor) { InnerHandler = inner });

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://example.test/"), Ct);
        }

        Assert.Equal(3, inner.Sent.Count);
    }
}
