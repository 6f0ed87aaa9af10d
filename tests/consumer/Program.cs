// A user's project, built by CI against the packed packages only.
using Connectors.Abstractions;
using Connectors.Core;
using Connectors.Core.InMemory;
using Microsoft.Extensions.DependencyInjection;

var shop = new InMemoryConnector(new InMemoryConnectorOptions { VendorId = "shop", KeyPrefix = "S-" });
var erp = new InMemoryConnector(new InMemoryConnectorOptions { VendorId = "erp", KeyPrefix = "E-" });
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
    return result.Counts.Created == 1 && CanonicalJson.Serialize(erp.Snapshot(EntityKind.Product)[0]).Contains("\"sku\":\"SKU-1\"", StringComparison.Ordinal) ? 0 : 1;
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(database) + "*"))
    {
        File.Delete(file);
    }
}
