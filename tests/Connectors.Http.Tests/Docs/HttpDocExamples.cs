using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Connectors.Abstractions;
using Connectors.Core;
using Connectors.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Http.Tests.Docs;

// The code quoted by docs/http.md. Each region between "// <snippet:name>" and "// </snippet>" appears verbatim in the
// doc (DocSnippetTests checks it), so the doc's examples compile and run here.
public sealed class HttpDocExamples
{
    private readonly VirtualClock _clock = new();

    [Fact]
    public async Task Register_ShopifyClient_SendsGovernedResilientRequests()
    {
        var inner = new ScriptedHandler(_clock);
        inner.Respond(HttpStatusCode.Created, r => r.Headers.Add("X-Shopify-Shop-Api-Call-Limit", "1/40"));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);

        // <snippet:register>
        services.AddHttpClient("shopify-acme", c => c.BaseAddress = new Uri("https://acme.myshopify.com/admin/api/2025-01/"))
            .AddConnectorsResilience(o =>
            {
                o.ConnectorId = "shopify";
                o.AttemptTimeout = TimeSpan.FromSeconds(20);
                o.RequestIdHeaders.Add("X-Shopify-Request-Id");
            })
            .AddRateGovernor(o => o.AddBudget("shopify", RateBudgetScope.Tenant, RatePolicy.LeakyBucket(capacity: 40, leakPerSecond: 2)));
        // </snippet>
        services.AddHttpClient("shopify-acme").ConfigurePrimaryHttpMessageHandler(() => inner);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("shopify-acme");
        var cancellationToken = TestContext.Current.CancellationToken;
        var idempotencyKey = "intent-42";

        // <snippet:send>
        using var request = new HttpRequestMessage(HttpMethod.Post, "orders.json")
        {
            Content = new StringContent("""{"order":{"line_items":[]}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        request
            .WithOperation("orders.create")
            .WithBudget(new RateBudgetKey("shopify", RateBudgetScope.Tenant, "acme"), tenantId: "acme")
            .MarkRetrySafe(); // the write carries an idempotency key, so a retry cannot create a duplicate

        using var response = await client.SendAsync(request, cancellationToken);
        // </snippet>

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Errors_DailyBudgetSpent_RunPauses()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddHttpClient("exact-nl")
            .ConfigurePrimaryHttpMessageHandler(() => new ScriptedHandler(_clock))
            .AddConnectorsResilience(o => o.ConnectorId = "exact")
            .AddRateGovernor(o => o.AddBudget("exact", RateBudgetScope.Division, RatePolicy.PerMinute(60), RatePolicy.PerDay(1)));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("exact-nl");
        var key = new RateBudgetKey("exact", RateBudgetScope.Division, "1234567");
        using (await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://start.exactonline.nl/api/v1/1234567/crm/Accounts").WithBudget(key), TestContext.Current.CancellationToken))
        {
        }

        var outcome = await ReadAccountsAsync(client, key, TestContext.Current.CancellationToken);

        Assert.Equal($"paused until {_clock.GetUtcNow().AddDays(1):O}", outcome);
    }

    // <snippet:errors>
    private static async Task<string> ReadAccountsAsync(HttpClient client, RateBudgetKey key, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "https://start.exactonline.nl/api/v1/1234567/crm/Accounts")
                .WithOperation("accounts.read")
                .WithBudget(key);
            using var response = await client.SendAsync(request, cancellationToken);
            return "read";
        }
        catch (RateLimitException e) when (e.PausedUntil is { } until)
        {
            return $"paused until {until:O}"; // a daily budget is spent: the engine ends the run as Paused
        }
        catch (ConnectorException e) when (e.IsTransient)
        {
            return $"try later: {e.Message}"; // carries StatusCode, RequestId and RetryAfter; never a secret
        }
    }
    // </snippet>

    [Fact]
    public async Task Governor_GraphQlCost_WaitsForRestore()
    {
        var clock = _clock;
        var cancellationToken = TestContext.Current.CancellationToken;
        clock.AutoAdvance = true;

        // <snippet:governor>
        using var governor = new RateGovernor(new RateGovernorOptions { MaxWait = TimeSpan.FromMinutes(2) }, clock);
        var shop = new RateBudgetKey("shopify", RateBudgetScope.Tenant, "acme");

        // After each GraphQL answer, feed extensions.cost.throttleStatus:
        governor.ObserveCost(shop, available: 50, maximum: 1000, restoreRate: 50);

        // Before the next query, wait for its requested cost (here 100 points: 1 s of restore).
        await governor.WaitAsync(shop, cost: 100, cancellationToken);
        // </snippet>

        clock.AutoAdvance = false;
        Assert.Equal(VirtualClock.DefaultStart.AddSeconds(1), clock.GetUtcNow());
    }

    [Fact]
    public async Task Webhook_ShopifyDelivery_VerifiedAndDeduplicated()
    {
        var body = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "shopify-order-webhook.json"), TestContext.Current.CancellationToken);
        var signature = (await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "shopify-order-webhook.sig.base64"), TestContext.Current.CancellationToken)).Trim();
        var inbox = new InMemoryWebhookInbox();
        var cancellationToken = TestContext.Current.CancellationToken;
        var (oldSecret, newSecret) = ("hush-webhook-secret-2026", "the-new-secret-2027");
        string deliveryId = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", orderId = "820982911946154508";

        // <snippet:webhook>
        var verifier = new WebhookSignatureVerifier([newSecret, oldSecret]); // both active while the secret rotates
        var deduplicator = new WebhookDeduplicator(inbox);

        var result = await deduplicator.AcceptAsync(verifier, body, signature, new WebhookDelivery
        {
            TenantId = "acme",
            Connection = "shopify-acme",
            DeliveryId = deliveryId, // X-Shopify-Webhook-Id
            Kind = EntityKind.Order,
            RecordKey = orderId,
            Topic = "orders/updated",
        }, cancellationToken);

        var status = result == WebhookAcceptResult.Rejected ? 401 : 200; // Duplicate is answered 200 too
        // </snippet>

        Assert.Equal(WebhookAcceptResult.Added, result);
        Assert.Equal(200, status);
    }

    [Fact]
    public void Json_ExactAndWooPayload_ReadTolerantly()
    {
        // <snippet:json>
        var item = JsonSerializer.Deserialize(
            """{"Code":"                 8","Price":"12,50","Stock":"","Modified":"/Date(1382667906263)/"}""",
            VendorJsonContext.Default.VendorItem)!;
        // item.Code == "8", item.Price == 12.50m, item.Stock == null, item.Modified == 2013-10-25T02:25:06.263Z
        // </snippet>

        Assert.Equal(new VendorItem("8", 12.50m, null, DateTimeOffset.FromUnixTimeMilliseconds(1382667906263)), item);
    }
}

// <snippet:json-types>
public sealed record VendorItem(
    [property: JsonConverter(typeof(TrimmedStringConverter))] string? Code,
    [property: JsonConverter(typeof(TolerantDecimalConverter))] decimal? Price,
    [property: JsonConverter(typeof(TolerantDecimalConverter))] decimal? Stock,
    [property: JsonConverter(typeof(MicrosoftJsonDateConverter))] DateTimeOffset Modified);

[JsonSerializable(typeof(VendorItem))]
internal sealed partial class VendorJsonContext : JsonSerializerContext;
// </snippet>
