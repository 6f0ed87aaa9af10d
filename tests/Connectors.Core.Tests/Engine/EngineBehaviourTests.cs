using Connectors.Abstractions;
using Connectors.Core.InMemory;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Core.Tests.Engine;

public sealed class EngineBehaviourTests
{
    [Fact]
    public async Task Checkpoint_SettleLag_CursorStaysLagBehindNowAndReadsOverlap()
    {
        var harness = new Harness();
        harness.Flows.Add(Harness.OrderFlow());
        var lag = TimeSpan.FromMinutes(5);
        var shop = new InMemoryConnector(new InMemoryConnectorOptions { VendorId = "shop", TimeProvider = harness.Clock, KeyPrefix = "S-" });
        var recording = new RecordingConnector(shop, lag);
        harness.Connections.Register(new ConnectionId(Harness.Tenant, "shop"), recording);
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        shop.Seed(EntityKind.Order, [TestData.Order(1, new Random(1))]);
        var seenAt = harness.Clock.GetUtcNow();
        harness.Clock.Advance(TimeSpan.FromMinutes(2));

        await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);

        var checkpoint = await harness.Stores.Checkpoints.GetAsync(Harness.Tenant, "orders", TestContext.Current.CancellationToken);
        Assert.Equal(harness.Clock.GetUtcNow() - lag, checkpoint!.Cursor); // min(max seen, now − lag) = now − lag here
        Assert.True(checkpoint.Cursor < seenAt);

        harness.Clock.Advance(TimeSpan.FromMinutes(10));
        var second = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(checkpoint.Cursor - lag, recording.Queries[^1].Since);
        Assert.Equal(1, second.Counts.Unchanged); // the overlap re-read costs a read, not a write
        Assert.Equal(0, second.Counts.Created + second.Counts.Updated);
        var third = await harness.Stores.Checkpoints.GetAsync(Harness.Tenant, "orders", TestContext.Current.CancellationToken);
        Assert.Equal(seenAt, third!.Cursor); // now min(max seen, now − lag) = max seen
    }

    [Fact]
    public async Task Backfill_Window_SyncsWindowAndNeverMovesCheckpoint()
    {
        var harness = new Harness();
        harness.Flows.Add(Harness.OrderFlow());
        var start = harness.Clock.GetUtcNow();
        harness.SeedOrders(1, 10);
        var middle = harness.Clock.GetUtcNow();
        harness.SeedOrders(11, 10);

        var result = await harness.Engine().BackfillAsync(Harness.Tenant, "orders", start, middle.AddTicks(1), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(10, result.Counts.Created);
        Assert.Null(await harness.Stores.Checkpoints.GetAsync(Harness.Tenant, "orders", TestContext.Current.CancellationToken));
        var normal = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(10, normal.Counts.Created);
        Assert.Equal(10, normal.Counts.Unchanged);
    }

    [Fact]
    public async Task Run_FlowLeasedByAnotherWorker_IsSkippedWithoutWork()
    {
        var harness = new Harness();
        harness.Flows.Add(Harness.OrderFlow());
        harness.SeedOrders(1, 3);
        var lease = await harness.Stores.Leases.TryAcquireAsync(
            Harness.Tenant, "flow:orders", "other-worker", harness.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.NotNull(lease);

        var result = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Skipped, result.Status);
        Assert.Empty(harness.Erp.Snapshot(EntityKind.Order));
    }

    [Fact]
    public async Task Run_Cancelled_EndsCancelledAndResumesLater()
    {
        var harness = new Harness();
        harness.Flows.Add(Flow.Create<Order>("orders").From("shop", EntityKind.Order).To("erp", EntityKind.Order).PageSize(10).Build());
        harness.SeedOrders(1, 50);
        using var cancellation = new CancellationTokenSource();
        var progress = new List<SyncProgress>();
        var options = new SyncRunOptions
        {
            Progress = new InlineProgress(p =>
            {
                progress.Add(p);
                if (p.Pages == 2)
                {
                    cancellation.Cancel();
                }
            }),
        };

        var cancelled = await harness.Engine().RunAsync(Harness.Tenant, "orders", options, cancellation.Token);

        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.Equal(2, progress.Count);
        Assert.Equal(20, cancelled.Counts.Created);
        var resumed = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(30, resumed.Counts.Created);
        await harness.AssertErpEqualsShopAsync(EntityKind.Order, "orders");
        var runs = await harness.Stores.Journal.ListRunsAsync(Harness.Tenant, "orders", 10, TestContext.Current.CancellationToken);
        Assert.Contains(runs, r => r.Status == RunStatus.Cancelled);
        Assert.Contains(runs, r => r.Status == RunStatus.Succeeded && r.Counts.Created == 30);
    }

    [Fact]
    public async Task Run_MatchBeforeCreate_LinksExistingTargetRecordInsteadOfCreating()
    {
        var harness = new Harness();
        harness.Flows.Add(Flow.Create<Customer>("customers").From("shop", EntityKind.Customer).To("erp", EntityKind.Customer).MatchBy(c => c.Email).Build());
        harness.Shop.Seed(EntityKind.Customer, [TestData.Customer(1), TestData.Customer(2)]);
        harness.Erp.Seed(EntityKind.Customer, [TestData.Customer(1) with { Phone = "old" }]);

        var result = await harness.Engine().RunAsync(Harness.Tenant, "customers", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, result.Counts.Created);
        Assert.Equal(1, result.Counts.Updated);
        Assert.Equal(2, harness.Erp.Snapshot(EntityKind.Customer).Count);
        Assert.DoesNotContain(harness.Erp.Snapshot(EntityKind.Customer).Cast<Customer>(), c => c.Phone == "old");
    }

    [Fact]
    public async Task Run_MappingWithTranslationTable_TranslatesAndJournalsMissingEntry()
    {
        var tables = new InMemoryTranslationTableStore();
        await tables.SetEntriesAsync(Harness.Tenant, "countries", new Dictionary<string, string?> { ["nl"] = "NL" }, TestContext.Current.CancellationToken);
        var harness = new Harness(stores: new SyncStores
        {
            IdMap = new InMemoryIdMapStore(),
            Intents = new InMemoryIntentStore(),
            Checkpoints = new InMemoryCheckpointStore(),
            Journal = new InMemoryJournalStore(),
            Leases = new InMemoryLeaseStore(),
            TranslationTables = tables,
        });
        harness.Flows.Add(Flow.Create<Customer>("customers").From("shop", EntityKind.Customer).To("erp", EntityKind.Customer)
            .UsesTables("countries")
            .Map((c, context) =>
            {
                var code = c.BillingAddress?.CountryCode ?? string.Empty;
                return context.Tables.TryTranslate("countries", code, out var iso)
                    ? c with { BillingAddress = c.BillingAddress! with { CountryCode = iso } }
                    : throw context.Error("billingAddress.countryCode", $"\"{code}\" is not in table 'countries'");
            })
            .Build());
        var keys = harness.Shop.Seed(EntityKind.Customer, [TestData.Customer(1), TestData.Customer(2) with { BillingAddress = new Address { CountryCode = "xx" } }]);

        var result = await harness.Engine().RunAsync(Harness.Tenant, "customers", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, result.Counts.Created);
        Assert.Equal("NL", ((Customer)harness.Erp.Snapshot(EntityKind.Customer)[0]).BillingAddress!.CountryCode);
        var entry = Assert.Single(await harness.Stores.Journal.QueryEntriesAsync(
            new JournalQuery { TenantId = Harness.Tenant, Statuses = [JournalEntryStatus.Open] }, TestContext.Current.CancellationToken));
        Assert.Equal($"Customer '{keys[1]}' field 'billingAddress.countryCode': \"xx\" is not in table 'countries'", entry.Message);
    }

    [Fact]
    public async Task Run_UnknownFlow_ThrowsNamingKnownFlows()
    {
        var harness = new Harness();
        harness.Flows.Add(Harness.OrderFlow());

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => harness.Engine().RunAsync(Harness.Tenant, "ordres", cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("'ordres'", error.Message, StringComparison.Ordinal);
        Assert.Contains("orders", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FlowBuilder_MissingTarget_FailsWithActionableMessage()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Flow.Create<Order>("x").From("shop", EntityKind.Order).Build());

        Assert.Contains("call To(connection, kind)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddConnectors_InMemoryDefaults_RunsAFlow()
    {
        var shop = new InMemoryConnector(new InMemoryConnectorOptions { VendorId = "shop", KeyPrefix = "S-" });
        var erp = new InMemoryConnector(new InMemoryConnectorOptions { VendorId = "erp", KeyPrefix = "E-" });
        shop.Seed(EntityKind.Customer, [TestData.Customer(1)]);
        var services = new ServiceCollection()
            .AddConnectors(c => c
                .AddConnection("shop", (_, _) => shop)
                .AddConnection("erp", (_, _) => erp)
                .AddFlow(Flow.Create<Customer>("customers").From("shop", EntityKind.Customer).To("erp", EntityKind.Customer).Build()));
        await using var provider = services.BuildServiceProvider();

        var result = await provider.GetRequiredService<SyncEngine>().RunAsync("any-tenant", "customers", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, result.Counts.Created);
        Assert.Single(erp.Snapshot(EntityKind.Customer));
    }

    private sealed class InlineProgress(Action<SyncProgress> report) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => report(value);
    }

    private sealed class RecordingConnector(IConnector inner, TimeSpan lag) : DelegatingConnector(inner)
    {
        public List<ChangeQuery> Queries { get; } = [];

        public override ConnectorCapabilities Capabilities { get; } = new(new Dictionary<EntityKind, EntityCapabilities>
        {
            [EntityKind.Order] = InMemoryConnector.DefaultCapabilities(EntityKind.Order) with { SettleLag = lag },
        });

        public override Task<ChangePage> ReadChangesAsync(ChangeQuery query, CancellationToken cancellationToken = default)
        {
            Queries.Add(query);
            return base.ReadChangesAsync(query, cancellationToken);
        }
    }
}
