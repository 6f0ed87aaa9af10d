using Connectors.Testing.WireMock;

namespace Connectors.Testing.Tests.WireMock;

public sealed class WireMockMappingSetTests
{
    [Fact]
    public void The_generic_set_ships_and_keeps_to_the_common_subset()
    {
        var set = WireMockMappingSet.ForVendor("generic");

        Assert.Contains("generic", WireMockMappingSet.AvailableVendors());
        Assert.Equal(12, set.Mappings.Count);
        Assert.All(set.Mappings, m => Assert.StartsWith("/api/", m.Path, StringComparison.Ordinal));
        Assert.Contains(set.Mappings, m => m is { Method: "GET", Status: 404 });
        Assert.Contains(set.Mappings, m => m is { Method: "POST", Status: 422 });
        Assert.Contains(set.Mappings, m => m is { Method: "POST", Status: 201 });
        Assert.Contains(set.Mappings, m => m is { Method: "PUT", Status: 200 });
    }

    [Fact]
    public void An_unknown_vendor_names_the_available_sets()
    {
        var error = Assert.Throws<ArgumentException>(() => WireMockMappingSet.ForVendor("nope"));

        Assert.StartsWith("No WireMock mapping set ships for vendor 'nope'. Available: generic", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(
        """{"request":{"method":"GET","urlPath":"/a"},"response":{"status":200,"transformers":["response-template"]}}""",
        "WireMock stub 's1': '$.response.transformers' is outside the subset both WireMock servers read.")]
    [InlineData(
        """{"scenarioName":"x","request":{"method":"GET","urlPath":"/a"},"response":{"status":200}}""",
        "WireMock stub 's1': '$.scenarioName' is outside the subset both WireMock servers read.")]
    [InlineData(
        """{"request":{"method":"GET","urlPath":"/a","queryParameters":{"q":{"matches":"x.*"}}},"response":{"status":200}}""",
        "WireMock stub 's1': '$.request.queryParameters.q.matches' is outside the subset both WireMock servers read (equalTo, equalToJson).")]
    [InlineData(
        """{"request":{"method":"GET","urlPath":"a"},"response":{"status":200}}""",
        "WireMock stub 's1': '$.request.url' must start with '/' (it is relative to the API's base address).")]
    [InlineData(
        """{"request":{"method":"GET","urlPath":"/a"},"response":{}}""",
        "WireMock stub 's1': '$.response.status' is missing.")]
    [InlineData("""{"request":""", "WireMock stub 's1': not valid JSON")]
    public void A_stub_outside_the_subset_is_refused_with_its_path(string json, string message)
    {
        var error = Assert.Throws<FormatException>(() => WireMockMappingSet.FromJson("x", [new("s1", json)]));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stub_is_rendered_under_its_prefix_with_its_id()
    {
        var mapping = WireMockMappingSet.ForVendor("generic").Mappings[0];
        var id = Guid.Parse("3d7f0c52-4b5e-4a44-9b7a-0d2f6a1f9e10");

        var json = System.Text.Json.Nodes.JsonNode.Parse(mapping.ToJson("t-1", id))!;

        Assert.Equal("/t-1/api/customers", (string?)json["request"]!["urlPath"]);
        Assert.Equal(id.ToString(), (string?)json["id"]);
        Assert.Equal("/api/customers", mapping.Path);
    }
}
