using System.Net;
using Connectors.Abstractions;
using Connectors.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Connectors.Http.Tests.DependencyInjection;

public sealed class DependencyInjectionTests
{
    private static readonly RateBudgetKey Exact = new("exact", RateBudgetScope.Division, "1234567");
    private readonly VirtualClock _clock = new();

    private ServiceProvider Build(ScriptedHandler inner, Action<IHttpClientBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        configure(services.AddHttpClient("exact").ConfigurePrimaryHttpMessageHandler(() => inner));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static HttpRequestMessage Accounts() =>
        new HttpRequestMessage(HttpMethod.Get, "https://start.exactonline.nl/api/v1/1234567/crm/Accounts?$select=ID").WithBudget(Exact);

    [Fact]
    public async Task AddConnectorsResilience_ClientFromFactory_MapsFailures()
    {
        var inner = new ScriptedHandler(_clock);
        inner.Fallback = (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.Forbidden));
        await using var provider = Build(inner, b => b.AddConnectorsResilience(o => o.ConnectorId = "exact"));
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("exact");

        var error = await Assert.ThrowsAsync<ConnectorAuthenticationException>(() => client.SendAsync(Accounts(), TestContext.Current.CancellationToken));

        Assert.Equal("exact", error.Connector);
        Assert.Single(inner.Sent);
    }

    [Fact]
    public async Task AddRateGovernor_WithResilience_GovernorWaitIsOutsideTheAttemptTimeout()
    {
        var inner = new ScriptedHandler(_clock);
        await using var provider = Build(inner, b => b
            .AddRateGovernor(o => o.AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerMinute(2)))
            .AddConnectorsResilience(o => o.AttemptTimeout = TimeSpan.FromSeconds(10)));
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("exact");
        var start = _clock.GetUtcNow();

        for (var i = 0; i < 3; i++)
        {
            using var response = await _clock.RunAsync(client.SendAsync(Accounts(), TestContext.Current.CancellationToken));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal([start, start, start.AddMinutes(1)], inner.Sent.Select(s => s.At));
    }

    [Fact]
    public async Task AddRateGovernor_WithResilience_RetriesAreGovernedAndHeadersObserved()
    {
        var inner = new ScriptedHandler(_clock);
        inner.Respond(HttpStatusCode.ServiceUnavailable, r =>
        {
            r.Headers.Add("X-RateLimit-Minutely-Limit", "60");
            r.Headers.Add("X-RateLimit-Minutely-Remaining", "0");
            r.Headers.Add("X-RateLimit-Minutely-Reset", _clock.GetUtcNow().AddSeconds(40).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        await using var provider = Build(inner, b => b.AddConnectorsResilience(o => o.UseJitter = false).AddRateGovernor());
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("exact");
        var start = _clock.GetUtcNow();

        using var response = await _clock.RunAsync(client.SendAsync(Accounts(), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(start.AddSeconds(40), inner.Sent[1].At); // backoff said 1 s; the observed budget said 40 s
    }

    [Fact]
    public async Task AddRateGovernor_DailyBudgetSpent_RateLimitExceptionPassesThroughWithPausedUntil()
    {
        var inner = new ScriptedHandler(_clock);
        await using var provider = Build(inner, b => b
            .AddConnectorsResilience()
            .AddRateGovernor(o => o.AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerDay(1))));
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("exact");
        using (await client.SendAsync(Accounts(), TestContext.Current.CancellationToken))
        {
        }

        var error = await Assert.ThrowsAsync<RateLimitException>(() => client.SendAsync(Accounts(), TestContext.Current.CancellationToken));

        Assert.Equal(_clock.GetUtcNow().AddDays(1), error.PausedUntil);
        Assert.Single(inner.Sent);
    }

    [Fact]
    public async Task AddRateGovernor_WithoutResilience_UsesTheGovernorHandler()
    {
        var inner = new ScriptedHandler(_clock);
        await using var provider = Build(inner, b => b.AddRateGovernor(o => o.AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerDay(1))));
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("exact");
        using (await client.SendAsync(Accounts(), TestContext.Current.CancellationToken))
        {
        }

        await Assert.ThrowsAsync<RateLimitException>(() => client.SendAsync(Accounts(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AddConnectorsResilience_InvalidOptions_FailStartupWithClearMessage()
    {
        await using var provider = Build(new ScriptedHandler(_clock), b => b.AddConnectorsResilience(o =>
        {
            o.AttemptTimeout = TimeSpan.FromMinutes(5);
            o.TotalTimeout = TimeSpan.FromMinutes(1);
        }));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(
            "Connectors resilience options of HTTP client 'exact': TotalTimeout (00:01:00) must be longer than AttemptTimeout (00:05:00).",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRateGovernor_DuplicateBudget_FailsStartupWithClearMessage()
    {
        await using var provider = Build(new ScriptedHandler(_clock), b => b.AddRateGovernor(o => o
            .AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerMinute(60))
            .AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerDay(5000))));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("The budget of 'exact' (Division) is configured 2 times with different policies (60 per minute; 5000 per day)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRateGovernor_SameBudgetFromTwoClients_SharesOneBudget()
    {
        var inner = new ScriptedHandler(_clock);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        foreach (var name in new[] { "exact-a", "exact-b" })
        {
            services.AddHttpClient(name)
                .ConfigurePrimaryHttpMessageHandler(() => inner)
                .AddConnectorsResilience()
                .AddRateGovernor(o => o.AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerMinute(60), RatePolicy.PerDay(1)));
        }

        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        using (await factory.CreateClient("exact-a").SendAsync(Accounts(), TestContext.Current.CancellationToken))
        {
        }

        await Assert.ThrowsAsync<RateLimitException>(() => factory.CreateClient("exact-b").SendAsync(Accounts(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AddConnectorsResilience_BreakerState_SurvivesHandlerRotation()
    {
        var inner = new ScriptedHandler(_clock);
        inner.Fallback = (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError));
        await using var provider = Build(inner, b => b.AddConnectorsResilience(o =>
        {
            o.MaxRetryAttempts = 0;
            o.MinimumThroughput = 2;
        }));
        var factoryOptions = provider.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get("exact");

        // What IHttpClientFactory does when it rotates a client's handlers: build a fresh chain from the same actions.
        HttpMessageInvoker FreshChain()
        {
            var chain = provider.GetRequiredService<HttpMessageHandlerBuilder>();
            chain.Name = "exact";
            foreach (var action in factoryOptions.HttpMessageHandlerBuilderActions)
            {
                action(chain);
            }

            return new HttpMessageInvoker(chain.Build(), disposeHandler: false);
        }

        for (var i = 0; i < 2; i++)
        {
            using var chain = FreshChain();
            await Assert.ThrowsAsync<ConnectorException>(() => chain.SendAsync(Accounts(), TestContext.Current.CancellationToken));
        }

        using var last = FreshChain();
        var open = await Assert.ThrowsAsync<ConnectorException>(() => last.SendAsync(Accounts(), TestContext.Current.CancellationToken));

        Assert.Contains("circuit breaker is open", open.Message, StringComparison.Ordinal);
        Assert.Equal(2, inner.Sent.Count);
    }
}
