using Connectors.Testing;
using System.Net;
using Connectors.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Connectors.Http.Tests.Resilience;

public sealed class CircuitBreakerTests : IDisposable
{
    private readonly VirtualClock _clock = new();
    private readonly ScriptedHandler _inner;
    private readonly HttpMessageInvoker _client;

    public CircuitBreakerTests()
    {
        _inner = new ScriptedHandler(_clock);
        var options = new ConnectorsResilienceOptions
        {
            ConnectorId = "shopify",
            MaxRetryAttempts = 0,
            MinimumThroughput = 2,
            FailureRatio = 0.5,
            BreakDuration = TimeSpan.FromSeconds(30),
        };
        _client = new HttpMessageInvoker(new ConnectorsResilienceHandler(options, _clock) { InnerHandler = _inner });
    }

    public void Dispose()
    {
        _client.Dispose();
        _inner.Dispose();
    }

    private Task<HttpResponseMessage> SendAsync(string shop) =>
        _clock.RunAsync(_client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"https://{shop}.myshopify.com/admin/api/orders.json"), TestContext.Current.CancellationToken));

    private async Task OpenCircuitAsync(string shop)
    {
        _inner.Respond(HttpStatusCode.InternalServerError).Respond(HttpStatusCode.InternalServerError);
        await Assert.ThrowsAsync<ConnectorException>(() => SendAsync(shop));
        await Assert.ThrowsAsync<ConnectorException>(() => SendAsync(shop));
    }

    [Fact]
    public async Task SendAsync_RepeatedFailures_OpensCircuitAndFailsFastWithRetryAfter()
    {
        await OpenCircuitAsync("acme");
        var sentBefore = _inner.Sent.Count;

        var error = await Assert.ThrowsAsync<ConnectorException>(() => SendAsync("acme"));

        Assert.Equal(sentBefore, _inner.Sent.Count);
        Assert.True(error.IsTransient);
        Assert.Contains("circuit breaker is open", error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_AfterBreakDuration_HalfOpenTrialSuccessClosesCircuit()
    {
        await OpenCircuitAsync("acme");
        _clock.Advance(TimeSpan.FromSeconds(30));

        using (var trial = await SendAsync("acme"))
        {
            Assert.Equal(HttpStatusCode.OK, trial.StatusCode);
        }

        using var next = await SendAsync("acme");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(4, _inner.Sent.Count);
    }

    [Fact]
    public async Task SendAsync_HalfOpenTrialFails_OpensAgain()
    {
        await OpenCircuitAsync("acme");
        _clock.Advance(TimeSpan.FromSeconds(30));
        _inner.Respond(HttpStatusCode.BadGateway);

        await Assert.ThrowsAsync<ConnectorException>(() => SendAsync("acme"));
        var error = await Assert.ThrowsAsync<ConnectorException>(() => SendAsync("acme"));

        Assert.Contains("circuit breaker is open", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _inner.Sent.Count);
    }

    [Fact]
    public async Task SendAsync_OneShopBroken_OtherShopUnaffected()
    {
        await OpenCircuitAsync("broken");

        using var response = await SendAsync("healthy");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task SendAsync_SameBudgetKeyDifferentTenants_BreakersIsolated()
    {
        var key = new RateBudgetKey("visma", RateBudgetScope.App, "client-1");
        Task<HttpResponseMessage> SendAsTenant(string tenant) => _clock.RunAsync(_client.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, "https://eaccountingapi.example/v2/customers").WithBudget(key, tenant),
            TestContext.Current.CancellationToken));
        _inner.Respond(HttpStatusCode.InternalServerError).Respond(HttpStatusCode.InternalServerError);
        await Assert.ThrowsAsync<ConnectorException>(() => SendAsTenant("t1"));
        await Assert.ThrowsAsync<ConnectorException>(() => SendAsTenant("t1"));

        var open = await Assert.ThrowsAsync<ConnectorException>(() => SendAsTenant("t1"));
        using var other = await SendAsTenant("t2");

        Assert.Contains("circuit breaker is open", open.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public void Get_PartitionIdleLongerThanTimeout_IsEvicted()
    {
        var options = new ConnectorsResilienceOptions { PartitionIdleTimeout = TimeSpan.FromMinutes(10) };
        var partitions = new ResiliencePartitions(options, _clock, NullLogger.Instance);
        using var a = new HttpRequestMessage(HttpMethod.Get, "https://a.example/x");
        using var b = new HttpRequestMessage(HttpMethod.Get, "https://b.example/x");
        partitions.Get(a);
        partitions.Get(b);
        Assert.Equal(2, partitions.Count);

        _clock.Advance(TimeSpan.FromMinutes(6));
        partitions.Get(b);
        _clock.Advance(TimeSpan.FromMinutes(6));
        partitions.Get(b);

        Assert.Equal(1, partitions.Count);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithEveryProblem()
    {
        var options = new ConnectorsResilienceOptions { AttemptTimeout = TimeSpan.FromMinutes(5), TotalTimeout = TimeSpan.FromMinutes(1), FailureRatio = 2 };

        var error = Assert.Throws<ArgumentException>(() => new ConnectorsResilienceHandler(options));

        Assert.Contains("TotalTimeout (00:01:00) must be longer than AttemptTimeout (00:05:00)", error.Message, StringComparison.Ordinal);
        Assert.Contains("FailureRatio must be in (0, 1]; it is 2", error.Message, StringComparison.Ordinal);
    }
}
