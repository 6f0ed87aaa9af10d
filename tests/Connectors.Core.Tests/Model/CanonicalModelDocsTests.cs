using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Connectors.Abstractions;

namespace Connectors.Core.Tests.Model;

public sealed partial class CanonicalModelDocsTests
{
    public static TheoryData<string, Type> Examples => new()
    {
        { "Order", typeof(Order) },
        { "Invoice", typeof(Invoice) },
        { "Product", typeof(Product) },
        { "Customer", typeof(Customer) },
        { "StockLevel", typeof(StockLevel) },
        { "Shipment", typeof(Shipment) },
        { "Payment", typeof(Payment) },
        { "Refund", typeof(Refund) },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void DocsExample_RoundTrip_IsIdentical(string heading, Type type)
    {
        var json = ExampleFor(heading);

        var record = CanonicalJson.Deserialize(json, type);
        var written = CanonicalJson.Serialize(record);

        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(written)),
            $"The {heading} example in docs/canonical-model.md does not survive a round trip.\nDocs:    {json}\nWritten: {written}");
    }

    [Fact]
    public void Order_Json_UsesCamelCaseAndNumbers()
    {
        var order = new Order
        {
            ExternalId = "1",
            Kind = OrderKind.Purchase,
            Status = OrderStatus.Completed,
            Lines = [new OrderLine { Sku = "A", Quantity = 1, UnitPrice = 9.90m, TaxRate = 0.21m, Total = 9.90m }],
            Totals = new Totals { Net = 9.90m, Tax = 2.08m, Gross = 11.98m },
            CreatedAt = new DateTimeOffset(2026, 3, 1, 9, 30, 0, TimeSpan.FromHours(1)),
        };

        var json = JsonNode.Parse(CanonicalJson.Serialize(order))!;

        Assert.Equal("purchase", json["kind"]!.GetValue<string>());
        Assert.Equal("completed", json["status"]!.GetValue<string>());
        Assert.Equal(9.90m, json["lines"]![0]!["unitPrice"]!.GetValue<decimal>());
        Assert.Equal(0.21m, json["lines"]![0]!["taxRate"]!.GetValue<decimal>());
        Assert.Equal("2026-03-01T09:30:00+01:00", json["createdAt"]!.GetValue<string>());
        Assert.Null(json["number"]);
    }

    [Fact]
    public void ExtensibleStatus_UnknownValue_RoundTripsAndComparesIgnoringCase()
    {
        var order = CanonicalJson.Deserialize<Order>("""{"externalId":"1","status":"awaitingPickup","unknownField":true}""");

        Assert.Equal(new OrderStatus("AWAITINGPICKUP"), order.Status);
        Assert.Contains("\"status\":\"awaitingPickup\"", CanonicalJson.Serialize(order), StringComparison.Ordinal);
    }

    [Fact]
    public void StockLevel_RecordKey_IsSkuAtLocation()
    {
        Assert.Equal("SKU-1@AMS", new StockLevel { Sku = "SKU-1", LocationId = "AMS" }.RecordKey);
        Assert.Equal("SKU-1", new StockLevel { Sku = "SKU-1" }.RecordKey);
    }

    private static string ExampleFor(string heading)
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "canonical-model.md"));
        var match = Regex.Match(docs, "^## " + heading + @"\s*$.*?```json\s*(?<json>.*?)```", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(match.Success, $"docs/canonical-model.md has no JSON example under '## {heading}'.");
        return match.Groups["json"].Value;
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Connectors.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Connectors.sln not found above " + AppContext.BaseDirectory);
    }
}
