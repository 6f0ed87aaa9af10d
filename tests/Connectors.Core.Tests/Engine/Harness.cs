using Connectors.Abstractions;
using Connectors.Core.InMemory;
using Connectors.Testing;

namespace Connectors.Core.Tests.Engine;

/// <summary>
/// Two in-memory connectors ("shop" and "erp"), in-memory stores, a virtual clock and seeded ids: the bed of the
/// engine's tests.
/// </summary>
internal sealed class Harness
{
    public const string Tenant = "tenant-1";
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    private readonly Random _ids;
    private int _workers;

    public Harness(
        SettlementMode settlement = SettlementMode.CorrelationField,
        int seed = 1,
        Func<EntityKind, ICanonicalRecord, ICanonicalRecord>? erpNormalizer = null,
        SyncStores? stores = null)
    {
        _ids = new Random(seed);
        Clock = new VirtualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Shop = new InMemoryConnector(Options("shop", "S-", SettlementMode.CorrelationField, null));
        Erp = new InMemoryConnector(Options("erp", "E-", settlement, erpNormalizer));
        Stores = stores ?? new SyncStores
        {
            IdMap = new InMemoryIdMapStore(),
            Intents = new InMemoryIntentStore(),
            Checkpoints = new InMemoryCheckpointStore(),
            Journal = new InMemoryJournalStore(),
            Leases = new InMemoryLeaseStore(),
        };
        Connections.Register(new ConnectionId(Tenant, "shop"), Shop);
        Connections.Register(new ConnectionId(Tenant, "erp"), Erp);
    }

    public VirtualClock Clock { get; }

    public InMemoryConnector Shop { get; }

    public InMemoryConnector Erp { get; }

    public SyncStores Stores { get; }

    public ConnectionRegistry Connections { get; } = new();

    public FlowRegistry Flows { get; } = new([]);

    public int TransientRetries { get; set; } = 3;

    public static EntityCapabilities Capabilities(SettlementMode settlement, string naturalKey) => new()
    {
        Operations = EntityOperations.ReadChanges | EntityOperations.ReadByKey | EntityOperations.Create | EntityOperations.Update
            | EntityOperations.FindByNaturalKey | EntityOperations.FindByCorrelation,
        Settlement = settlement,
        NaturalKey = naturalKey,
        MaxPageSize = 100,
    };

    public static FlowDefinition OrderFlow(string id = "orders", string from = "shop", string to = "erp")
        => Flow.Create<Order>(id).From(from, EntityKind.Order).To(to, EntityKind.Order).PageSize(100).Build();

    public SyncEngine Engine(ISyncProbe? probe = null, ConnectionRegistry? connections = null)
        => new(
            Flows,
            connections ?? Connections,
            Stores,
            Clock,
            new SyncEngineOptions
            {
                WorkerId = "worker-" + (++_workers).ToString(System.Globalization.CultureInfo.InvariantCulture),
                LeaseDuration = Lease,
                RetryBaseDelay = TimeSpan.Zero,
                TransientRetries = TransientRetries,
                NewId = () => NextId(),
            },
            probe: probe);

    /// <summary>Seeds orders in the shop, one second apart on the virtual clock; returns their keys.</summary>
    public IReadOnlyList<string> SeedOrders(int first, int count, int seed = 7)
    {
        var random = new Random(seed + first);
        var keys = new List<string>();
        for (var n = first; n < first + count; n++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            keys.AddRange(Shop.Seed(EntityKind.Order, [TestData.Order(n, random)]));
        }

        return keys;
    }

    /// <summary>Runs a flow, resuming after every injected crash (after the crashed worker's leases expire), until a run completes.</summary>
    public async Task<(SyncRunResult Result, int Crashes)> RunUntilDoneAsync(
        string flowId, ISyncProbe? probe = null, int maxRuns = 1000, Func<Task>? beforeEachRun = null)
    {
        var crashes = 0;
        for (var run = 0; run < maxRuns; run++)
        {
            if (beforeEachRun is not null)
            {
                await beforeEachRun();
            }

            try
            {
                var result = await Engine(probe).RunAsync(Tenant, flowId, cancellationToken: TestContext.Current.CancellationToken);
                if (result.Status is RunStatus.Succeeded or RunStatus.CompletedWithErrors && result.Counts.Waiting == 0)
                {
                    return (result, crashes);
                }
            }
            catch (SimulatedCrashException)
            {
                crashes++;
            }

            // A crashed or failed worker's leases expire before another worker takes over.
            Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        }

        throw new InvalidOperationException($"Flow '{flowId}' did not complete within {maxRuns} runs.");
    }

    /// <summary>The target equals the source field by field, no duplicate, every intent settled.</summary>
    public async Task AssertErpEqualsShopAsync(EntityKind kind, string flowId)
    {
        var source = Shop.Snapshot(kind);
        var target = Erp.Snapshot(kind);
        Assert.Equal(source.Count, target.Count);
        var byNumber = target.Cast<Order>().GroupBy(o => o.Number!).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(source.Count, byNumber.Count);
        foreach (var record in source.Cast<Order>())
        {
            var copies = byNumber[record.Number!];
            Assert.Single(copies);
            Assert.Equal(RecordHasher.Normalise(record), RecordHasher.Normalise(copies[0]));
        }

        var links = await Stores.IdMap.CountAsync(Tenant, kind, "shop", "erp", TestContext.Current.CancellationToken);
        Assert.Equal(source.Count, links);
        await AssertIntentsSettledAsync(flowId);
    }

    public async Task AssertIntentsSettledAsync(string flowId)
    {
        var states = await Stores.Intents.CountByStateAsync(Tenant, flowId, TestContext.Current.CancellationToken);
        var unsettled = states.Where(s => s.Key is not (IntentState.Committed or IntentState.Abandoned) && s.Value > 0).ToList();
        Assert.True(unsettled.Count == 0, "Unsettled intents: " + string.Join(", ", unsettled.Select(s => $"{s.Key}={s.Value}")));
    }

    private string NextId()
    {
        Span<byte> bytes = stackalloc byte[16];
        lock (_ids)
        {
            _ids.NextBytes(bytes);
        }

        return Convert.ToHexString(bytes).ToLowerInvariant();
    }

    private InMemoryConnectorOptions Options(
        string vendor, string prefix, SettlementMode settlement, Func<EntityKind, ICanonicalRecord, ICanonicalRecord>? normalizer)
    {
        var options = new InMemoryConnectorOptions
        {
            VendorId = vendor,
            TimeProvider = Clock,
            KeyPrefix = prefix,
            WriteNormalizer = normalizer,
        };
        options.Entities[EntityKind.Order] = Capabilities(settlement, "number");
        options.Entities[EntityKind.Customer] = Capabilities(settlement, "email");
        return options;
    }
}
