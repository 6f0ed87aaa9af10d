using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Connectors.Testing.WireMock;

namespace Connectors.Testing.Tests.WireMock;

/// <summary>
/// Proves the shipped sets against a real WireMock server (the standalone server that `.ci/wiremock start` runs).
/// Skipped, with the reason shown, when <c>CONNECTORS_WIREMOCK_URL</c> is not set.
/// </summary>
public sealed class WireMockServerTests
{
    private static Uri Server()
    {
        var server = WireMockAdmin.FromEnvironment();
        Assert.SkipWhen(
            server is null,
            $"No WireMock server: set {WireMockAdmin.ServerVariable} (`eval \"$(.ci/wiremock start)\"` starts one; .ci/run does).");
        return server!;
    }

    [Fact]
    public async Task The_generic_set_answers_under_its_own_prefix()
    {
        Server();
        var ct = TestContext.Current.CancellationToken;

        // <snippet:wiremock-load>
        // CONNECTORS_WIREMOCK_URL names the server (.ci/run starts one; so does `eval "$(.ci/wiremock start)"`).
        using var admin = new WireMockAdmin(WireMockAdmin.FromEnvironment()!);

        // Every stub goes under a fresh prefix; disposing removes this load's stubs and no one else's.
        await using var loaded = await admin.LoadAsync(WireMockMappingSet.ForVendor("generic"), cancellationToken: ct);

        // The prefix is the connector's base address: http://127.0.0.1:<port>/generic-<id>/
        using var http = new HttpClient { BaseAddress = loaded.BaseAddress };
        // </snippet>

        var page1 = await http.GetFromJsonAsync<JsonObject>(new Uri("api/customers?updated_since=2026-01-01T00:00:00Z&limit=2", UriKind.Relative), ct);
        var page2 = await http.GetFromJsonAsync<JsonObject>(new Uri("api/customers?updated_since=2026-01-01T00:00:00Z&limit=2&page_token=cus-p2", UriKind.Relative), ct);
        using var missing = await http.GetAsync(new Uri("api/customers/cus_999999", UriKind.Relative), ct);
        using var invalid = await http.PostAsJsonAsync(new Uri("api/customers", UriKind.Relative), new { name = "No Email Ltd", email = (string?)null, phone = "1" }, ct);
        using var created = await http.PostAsJsonAsync(new Uri("api/customers", UriKind.Relative), new { name = "Léa Dubois", email = "lea.dubois@example.fr" }, ct);

        Assert.Equal(["cus_000001", "cus_000002"], page1!["items"]!.AsArray().Select(i => (string)i!["id"]!));
        Assert.Equal("cus-p2", (string?)page1["next_page_token"]);
        Assert.Equal(["cus_000003"], page2!["items"]!.AsArray().Select(i => (string)i!["id"]!));
        Assert.Null(page2["next_page_token"]);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Equal("email", (string?)(await invalid.Content.ReadFromJsonAsync<JsonObject>(ct))!["field"]);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var products = await http.GetAsync(new Uri("api/products", UriKind.Relative), ct);
        Assert.Equal("1/40", products.Headers.GetValues("X-RateLimit-Bucket").Single());
    }

    [Fact]
    public async Task Disposing_a_load_removes_its_stubs_and_leaves_the_others()
    {
        using var admin = new WireMockAdmin(Server());
        var ct = TestContext.Current.CancellationToken;
        var set = WireMockMappingSet.ForVendor("generic");
        await using var kept = await admin.LoadAsync(set, cancellationToken: ct);
        var removed = await admin.LoadAsync(set, cancellationToken: ct);
        using var http = new HttpClient();

        await removed.DisposeAsync();

        using var gone = await http.GetAsync(new Uri(removed.BaseAddress, "api/products"), ct);
        using var still = await http.GetAsync(new Uri(kept.BaseAddress, "api/products"), ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        Assert.Empty(removed.Ids);
        Assert.Equal(set.Mappings.Count, kept.Ids.Count);
    }
}
