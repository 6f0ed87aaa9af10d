// A user's project, built and run by .ci/pack-and-consume against the packed packages only: it proves the public types
// resolve from the packages (canonical records, an in-memory store, the engine, the SQLite stores) and that a flow runs.
using Connectors.Abstractions;
using Connectors.Core;
using Connectors.Core.InMemory;
using Microsoft.Extensions.DependencyInjection;

var customer = new Customer { ExternalId = "C-1", Name = "Jana Nováková", Email = "jana@example.com", Kind = PartyKind.Person };
var order = new Order
{
    ExternalId = "1042",
    Number = "#1042",
    Currency = "EUR",
    Status = OrderStatus.Open,
    Customer = new PartyReference { ExternalId = customer.ExternalId, Name = customer.Name },
    Lines = [new OrderLine { Sku = "SKU-1", Name = "Tulips", Quantity = 2, UnitPrice = 6.05m, TaxRate = 0.21m, Total = 12.10m }],
};
var roundTripped = CanonicalJson.Deserialize<Order>(CanonicalJson.Serialize(order));
if (roundTripped.Lines[0].UnitPrice != 6.05m || roundTripped.Customer?.ExternalId != "C-1")
{
    Console.Error.WriteLine("consumer: the canonical order did not survive a JSON round trip");
    return 1;
}

var checkpoints = new InMemoryCheckpointStore();
await checkpoints.SetAsync("tenant", "orders", new Checkpoint { Cursor = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch });
if ((await checkpoints.GetAsync("tenant", "orders"))?.Cursor != DateTimeOffset.UnixEpoch)
{
    Console.Error.WriteLine("consumer: the in-memory checkpoint store lost a checkpoint");
    return 1;
}

using var shop = new InMemoryConnector(new InMemoryConnectorOptions { VendorId = "shop", KeyPrefix = "S-" });
using var erp = new InMemoryConnector(new InMemoryConnectorOptions { VendorId = "erp", KeyPrefix = "E-" });
shop.Seed(EntityKind.Product, [new Product { Sku = "SKU-1", Name = "Tulips", Price = 12.10m, TaxRate = 0.09m }]);
var database = Path.Combine(Path.GetTempPath(), $"connectors-consumer-{Guid.NewGuid():N}.db");
try
{
    var services = new ServiceCollection()
        .AddSingleton<ISecretProtector>(AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey()))
        .AddConnectors(c => c
            .UseSqlite(database)
            .AddConnection("shop", (_, _) => shop)
            .AddConnection("erp", (_, _) => erp)
            .AddFlow(Flow.Create<Product>("products").From("shop", EntityKind.Product).To("erp", EntityKind.Product).MatchBy(p => p.Sku).Build()));
    await using var provider = services.BuildServiceProvider();
    var result = await provider.GetRequiredService<SyncEngine>().RunAsync("tenant", "products");
    Console.WriteLine($"consumer: {result}");
    var written = CanonicalJson.Serialize(erp.Snapshot(EntityKind.Product)[0]);
    return result.Counts.Created == 1 && written.Contains("\"sku\":\"SKU-1\"", StringComparison.Ordinal) ? 0 : 1;
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(database) + "*"))
    {
        File.Delete(file);
    }
}
