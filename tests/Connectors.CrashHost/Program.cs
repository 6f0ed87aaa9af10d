// Child process of the real-process kill-point tests.
//
//   Connectors.CrashHost <data-dir> seed-initial            seeds 300 orders in the shop and syncs them cleanly
//   Connectors.CrashHost <data-dir> seed-changes            changes those 300 and adds 700 more (no run)
//   Connectors.CrashHost <data-dir> run [<step> <every>]    runs the flow; kills itself with SIGKILL at every
//                                                           <every>-th occurrence of <step> (the first kill ends it)
//
// Exit codes: 0 the run completed; 3 the run ended otherwise; 137 (SIGKILL) killed at the step.
using System.Diagnostics;
using System.Globalization;
using Connectors.Abstractions;
using Connectors.Core;
using Connectors.Core.InMemory;
using Connectors.Storage.Sqlite;

var data = args[0];
var command = args[1];
Directory.CreateDirectory(data);
using var shop = new InMemoryConnector(Options("shop", "S-", Path.Combine(data, "shop.jsonl")));
using var erp = new InMemoryConnector(Options("erp", "E-", Path.Combine(data, "erp.jsonl")));

switch (command)
{
    case "seed-initial":
        Seed(shop, 1, 300);
        return await RunAsync(probe: null) ? 0 : 3;
    case "seed-changes":
        foreach (var record in shop.Snapshot(EntityKind.Order))
        {
            shop.Mutate<Order>(EntityKind.Order, record.RecordKey, o => o with { Status = OrderStatus.Processing, Lines = [.. o.Lines.Select((l, i) => i == 0 ? l with { Quantity = l.Quantity + 1, Total = (l.Quantity + 1) * l.UnitPrice } : l)] });
        }

        Seed(shop, 301, 700);
        return 0;
    case "run":
        var probe = args.Length >= 4 ? new KillProbe(Enum.Parse<SyncStep>(args[2]), int.Parse(args[3], CultureInfo.InvariantCulture)) : null;
        return await RunAsync(probe) ? 0 : 3;
    default:
        Console.Error.WriteLine($"Unknown command '{command}'.");
        return 2;
}

async Task<bool> RunAsync(ISyncProbe? probe)
{
    // NORMAL under WAL survives a killed process (what this host tests); FULL also survives power loss.
    var options = new SqliteStoreOptions { Path = Path.Combine(data, "state.db"), Synchronous = SqliteSynchronousMode.Normal };
    var stores = new SyncStores
    {
        IdMap = new SqliteIdMapStore(options),
        Intents = new SqliteIntentStore(options),
        Checkpoints = new SqliteCheckpointStore(options),
        Journal = new SqliteJournalStore(options),
        Leases = new SqliteLeaseStore(options),
    };
    var connections = new ConnectionRegistry();
    connections.Register(new ConnectionId("t", "shop"), shop);
    connections.Register(new ConnectionId("t", "erp"), erp);
    var flows = new FlowRegistry([Flow.Create<Order>("orders").From("shop", EntityKind.Order).To("erp", EntityKind.Order).PageSize(100).Build()]);
    var engine = new SyncEngine(
        flows,
        connections,
        stores,
        TimeProvider.System,
        new SyncEngineOptions { LeaseDuration = TimeSpan.FromSeconds(2), RetryBaseDelay = TimeSpan.Zero },
        probe: probe);
    for (var attempt = 0; attempt < 100; attempt++)
    {
        var result = await engine.RunAsync("t", "orders");
        Console.WriteLine(result);
        if (result.Status == RunStatus.Succeeded && result.Counts.Waiting == 0)
        {
            return true;
        }

        if (result.Status is not (RunStatus.Skipped or RunStatus.Succeeded))
        {
            return false;
        }

        // Skipped: the killed process still holds the flow's lease. Waiting: a record waits for an intent the killed
        // process still holds. Both leases expire after 2 s.
        await Task.Delay(TimeSpan.FromMilliseconds(250));
    }

    return false;
}

static void Seed(InMemoryConnector shop, int first, int count)
{
    var random = new Random(first);
    for (var n = first; n < first + count; n++)
    {
        var quantity = 1 + random.Next(5);
        var price = Math.Round((decimal)random.NextDouble() * 100m, 2);
        shop.Seed(EntityKind.Order, [new Order
        {
            Number = "SO-" + n.ToString("D5", CultureInfo.InvariantCulture),
            Currency = "EUR",
            Customer = new PartyReference { Email = $"buyer{n}@example.com" },
            Lines = [new OrderLine { Sku = "SKU-" + random.Next(500).ToString(CultureInfo.InvariantCulture), Quantity = quantity, UnitPrice = price, TaxRate = 0.21m, Total = quantity * price }],
            Totals = new Totals { Net = quantity * price, Tax = Math.Round(quantity * price * 0.21m, 2), Gross = quantity * price + Math.Round(quantity * price * 0.21m, 2) },
        }]);
    }
}

static InMemoryConnectorOptions Options(string vendor, string prefix, string file)
{
    var options = new InMemoryConnectorOptions { VendorId = vendor, KeyPrefix = prefix, DataFilePath = file };
    options.Entities[EntityKind.Order] = InMemoryConnector.DefaultCapabilities(EntityKind.Order);
    return options;
}

internal sealed class KillProbe(SyncStep step, int every) : ISyncProbe
{
    private int _seen;

    public void OnStep(SyncStep syncStep, SyncStepContext context)
    {
        if (syncStep == step && ++_seen % every == 0)
        {
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill(); // SIGKILL on Unix: no finally block, no flush, no lease release.
        }
    }
}
