// The Quickstart: a demo shop's customers and orders are synced into a demo ERP by the sync engine, with every store on
// an embedded SQLite file. Both "vendors" are the in-memory reference connector, persisted to files in the data folder,
// so a second run in a new process sees the same shop and ERP — and writes nothing new.
//
//   dotnet run --project samples/Quickstart                 # data in ./quickstart-data
//   dotnet run --project samples/Quickstart -- --data DIR   # elsewhere
//   dotnet run --project samples/Quickstart -- --reset      # start again from an empty ERP
using Connectors.Abstractions;
using Connectors.Core;
using Connectors.Core.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quickstart;

const string Tenant = "demo";
var dataDirectory = Path.GetFullPath(ArgValue(args, "--data") ?? "quickstart-data");
if (args.Contains("--reset") && Directory.Exists(dataDirectory))
{
    Directory.Delete(dataDirectory, recursive: true);
}

Directory.CreateDirectory(dataDirectory);

// Secrets at rest are encrypted with a key that lives outside the database.
var keyFile = Path.Combine(dataDirectory, "development.key");
var newKey = !File.Exists(keyFile);
var protector = AesGcmSecretProtector.FromKeyFile(keyFile, createIfMissing: true);
if (newKey)
{
    Console.WriteLine($"Generated a development secret key at {keyFile} (for production, keep the key outside the data folder).");
}

// Two demo systems: a web shop and an ERP.
var shop = new InMemoryConnector(DemoConnector("demo-shop", "SHOP-", Path.Combine(dataDirectory, "shop.jsonl")));
var erp = new InMemoryConnector(DemoConnector("demo-erp", "ERP-", Path.Combine(dataDirectory, "erp.jsonl")));
if (shop.Snapshot(EntityKind.Customer).Count == 0)
{
    var customerKeys = shop.Seed(EntityKind.Customer, DemoData.Customers(25));
    shop.Seed(EntityKind.Order, DemoData.Orders(100, customerKeys));
    Console.WriteLine($"Seeded the demo shop with 25 customers and 100 orders ({dataDirectory}).");
}

var services = new ServiceCollection()
    .AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning))
    .AddSingleton<ISecretProtector>(protector)
    .AddConnectors(connectors => connectors
        .UseSqlite(Path.Combine(dataDirectory, "connectors.db"))
        .AddConnection("shop", (_, _) => shop)
        .AddConnection("erp", (_, _) => erp)
        .AddFlow(Flow.Create<Customer>("customers")
            .From("shop", EntityKind.Customer)
            .To("erp", EntityKind.Customer)
            .MatchBy(c => c.Email)
            .Build())
        .AddFlow(Flow.Create<Order>("orders")
            .From("shop", EntityKind.Order)
            .To("erp", EntityKind.Order)
            .Reference(EntityKind.Customer, "customer.externalId", o => o.Customer?.ExternalId, (o, key) => o with { Customer = o.Customer! with { ExternalId = key } })
            .Validate(o => o.Lines.Select((line, i) => (line, i))
                .Where(x => x.line.Quantity <= 0)
                .Select(x => new FieldError($"lines[{x.i}].quantity", $"must be positive, not {x.line.Quantity}")))
            .Build()));
await using var provider = services.BuildServiceProvider();
var engine = provider.GetRequiredService<SyncEngine>();

// Every write the ERP applies is appended to its data file: counting lines counts writes in the target itself.
var erpFile = Path.Combine(dataDirectory, "erp.jsonl");
var linesBefore = CountLines(erpFile);
foreach (var flowId in new[] { "customers", "orders" })
{
    var result = await engine.RunAsync(Tenant, flowId);
    Console.WriteLine(result);
}

var writes = CountLines(erpFile) - linesBefore;
Console.WriteLine();
Console.WriteLine($"Writes the ERP applied in this run: {writes}. The ERP now holds {erp.Snapshot(EntityKind.Customer).Count} customers and {erp.Snapshot(EntityKind.Order).Count} orders.");

var journal = provider.GetRequiredService<JournalService>();
var open = await journal.QueryAsync(new JournalQuery { TenantId = Tenant, Statuses = [JournalEntryStatus.Open] });
Console.WriteLine($"Open journal entries: {open.Count}");
foreach (var entry in open)
{
    Console.WriteLine($"  [{entry.Category}] {entry.Message}");
}

Console.WriteLine(writes == 0
    ? "Nothing new to write: every record is already in the ERP."
    : "Run the same command again: the second run writes nothing new.");
return 0;

static InMemoryConnectorOptions DemoConnector(string vendor, string prefix, string dataFile)
{
    var options = new InMemoryConnectorOptions { VendorId = vendor, KeyPrefix = prefix, DataFilePath = dataFile };
    options.Entities[EntityKind.Customer] = InMemoryConnector.DefaultCapabilities(EntityKind.Customer) with { Settlement = SettlementMode.CorrelationField };
    options.Entities[EntityKind.Order] = InMemoryConnector.DefaultCapabilities(EntityKind.Order) with { Settlement = SettlementMode.CorrelationField };
    return options;
}

static int CountLines(string path) => File.Exists(path) ? File.ReadLines(path).Count() : 0;

static string? ArgValue(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
