using Connectors.Abstractions;

namespace Connectors.Core.Tests.Engine;

public sealed class SettlementModeTests
{
    [Theory]
    [InlineData(SettlementMode.IdempotencyKey)]
    [InlineData(SettlementMode.CorrelationField)]
    [InlineData(SettlementMode.RejectsDuplicates)]
    public async Task Create_AnswerLost_SettlesInlineWithoutDuplicate(SettlementMode mode)
    {
        var harness = new Harness(mode);
        harness.Flows.Add(Harness.OrderFlow());
        harness.SeedOrders(1, 5);
        var lossy = new LoseAnswersConnector(harness.Erp) { AnswersToLose = 2 };
        harness.Connections.Register(new ConnectionId(Harness.Tenant, "erp"), lossy);

        var result = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(0, lossy.AnswersToLose);
        Assert.Equal(5, result.Counts.Created);
        await harness.AssertErpEqualsShopAsync(EntityKind.Order, "orders");
    }

    [Theory]
    [InlineData(SettlementMode.IdempotencyKey)]
    [InlineData(SettlementMode.CorrelationField)]
    [InlineData(SettlementMode.RejectsDuplicates)]
    public async Task Resume_CrashAfterTargetWrite_SettlesPendingIntentWithoutDuplicate(SettlementMode mode)
    {
        var harness = new Harness(mode);
        harness.Flows.Add(Harness.OrderFlow());
        harness.SeedOrders(1, 3);

        await Assert.ThrowsAsync<SimulatedCrashException>(() =>
            harness.Engine(new CrashAtStepProbe(SyncStep.AfterTargetWrite, 1, 1)).RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Single(harness.Erp.Snapshot(EntityKind.Order));
        harness.Clock.Advance(Harness.Lease + TimeSpan.FromSeconds(1));

        var result = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(1, result.Counts.Settled);
        await harness.AssertErpEqualsShopAsync(EntityKind.Order, "orders");
    }

    [Fact]
    public async Task AsyncJob_Submitted_SettlesByPollingOnNextRun()
    {
        var harness = new Harness(SettlementMode.AsyncJob);
        harness.Flows.Add(Harness.OrderFlow());
        harness.SeedOrders(1, 4);

        var first = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(4, first.Counts.Submitted);
        Assert.Equal(0, first.Counts.Created);
        var states = await harness.Stores.Intents.CountByStateAsync(Harness.Tenant, "orders", TestContext.Current.CancellationToken);
        Assert.Equal(4, states[IntentState.Submitted]);

        var second = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(4, second.Counts.Settled);
        await harness.AssertErpEqualsShopAsync(EntityKind.Order, "orders");
    }

    [Fact]
    public async Task None_AnswerLost_NeedsVerificationAndIsNeverRecreated()
    {
        var harness = new Harness(SettlementMode.None);
        harness.Flows.Add(Harness.OrderFlow());
        var keys = harness.SeedOrders(1, 2);
        var lossy = new LoseAnswersConnector(harness.Erp) { AnswersToLose = 1 };
        harness.Connections.Register(new ConnectionId(Harness.Tenant, "erp"), lossy);

        var first = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.CompletedWithErrors, first.Status);
        Assert.Equal(2, harness.Erp.Snapshot(EntityKind.Order).Count);
        var entry = Assert.Single(await harness.Stores.Journal.QueryEntriesAsync(
            new JournalQuery { TenantId = Harness.Tenant, Statuses = [JournalEntryStatus.NeedsVerification] }, TestContext.Current.CancellationToken));
        Assert.Equal(JournalCategory.Verification, entry.Category);
        Assert.StartsWith($"Order '{keys[0]}': ", entry.Message, StringComparison.Ordinal);
        Assert.NotNull(entry.IntentId);

        // The record changes in the shop; still nothing is created again.
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        harness.Shop.Mutate(EntityKind.Order, keys[0], r => TestData.Change((Order)r, 1));
        for (var i = 0; i < 3; i++)
        {
            await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);
        }

        Assert.Equal(2, harness.Erp.Snapshot(EntityKind.Order).Count);

        // A person finds the record in the ERP and links it.
        var shopOrder = (Order)harness.Shop.Snapshot(EntityKind.Order).Single(o => o.RecordKey == keys[0]);
        var erpKey = harness.Erp.Snapshot(EntityKind.Order).Cast<Order>().Single(o => o.Number == shopOrder.Number).RecordKey;
        var journal = new JournalService(harness.Engine(), harness.Stores.Journal, harness.Clock);
        var resolved = await journal.ResolveVerificationAsync(Harness.Tenant, entry.EntryId, erpKey, TestContext.Current.CancellationToken);
        Assert.Equal(RunStatus.Succeeded, resolved.Status);

        // The next run brings the shop's change over the link: an update, not a create.
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        harness.Shop.Mutate(EntityKind.Order, keys[0], r => TestData.Change((Order)r, 2));
        var after = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, after.Counts.Created);
        await harness.AssertErpEqualsShopAsync(EntityKind.Order, "orders");
    }

    [Fact]
    public async Task None_PersonFoundNothing_ResolveCreatesOnce()
    {
        var harness = new Harness(SettlementMode.None);
        harness.Flows.Add(Harness.OrderFlow());
        harness.SeedOrders(1, 1);
        var failing = new LoseAnswersConnector(harness.Erp) { FailBeforeWrite = 1 };
        harness.Connections.Register(new ConnectionId(Harness.Tenant, "erp"), failing);

        await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(harness.Erp.Snapshot(EntityKind.Order));
        var entry = Assert.Single(await harness.Stores.Journal.QueryEntriesAsync(
            new JournalQuery { TenantId = Harness.Tenant, Statuses = [JournalEntryStatus.NeedsVerification] }, TestContext.Current.CancellationToken));

        var journal = new JournalService(harness.Engine(), harness.Stores.Journal, harness.Clock);
        await journal.ResolveVerificationAsync(Harness.Tenant, entry.EntryId, existingTargetKey: null, TestContext.Current.CancellationToken);

        Assert.Single(harness.Erp.Snapshot(EntityKind.Order));
        await harness.AssertErpEqualsShopAsync(EntityKind.Order, "orders");
    }

    [Fact]
    public async Task CorrelationField_SeveralMatches_IsConflictForAPerson()
    {
        var harness = new Harness(SettlementMode.CorrelationField);
        harness.Flows.Add(Harness.OrderFlow());
        var keys = harness.SeedOrders(1, 1);
        var lossy = new LoseAnswersConnector(harness.Erp) { AnswersToLose = 1, DuplicateCorrelationMatches = true };
        harness.Connections.Register(new ConnectionId(Harness.Tenant, "erp"), lossy);

        var result = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.CompletedWithErrors, result.Status);
        var entry = Assert.Single(await harness.Stores.Journal.QueryEntriesAsync(
            new JournalQuery { TenantId = Harness.Tenant, Statuses = [JournalEntryStatus.Open] }, TestContext.Current.CancellationToken));
        Assert.Equal(JournalCategory.Conflict, entry.Category);
        Assert.Contains("2 records", entry.Message, StringComparison.Ordinal);
        var states = await harness.Stores.Intents.CountByStateAsync(Harness.Tenant, "orders", TestContext.Current.CancellationToken);
        Assert.Equal(1, states[IntentState.Conflict]);

        // Later runs leave it to the person.
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        harness.Shop.Mutate(EntityKind.Order, keys[0], r => TestData.Change((Order)r, 1));
        await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Single(harness.Erp.Snapshot(EntityKind.Order));
    }

    /// <summary>Loses answers after the inner connector applied the write, fails writes before they reach it, or duplicates correlation matches.</summary>
    private sealed class LoseAnswersConnector(IConnector inner) : DelegatingConnector(inner)
    {
        public int AnswersToLose { get; set; }

        public int FailBeforeWrite { get; set; }

        public bool DuplicateCorrelationMatches { get; set; }

        public override async Task<WriteResult> WriteAsync(WriteRequest request, CancellationToken cancellationToken = default)
        {
            if (FailBeforeWrite > 0)
            {
                FailBeforeWrite--;
                throw new ConnectorException("Simulated timeout before the write reached the target.") { IsTransient = true };
            }

            var result = await base.WriteAsync(request, cancellationToken);
            if (AnswersToLose > 0)
            {
                AnswersToLose--;
                throw new ConnectorException("Simulated 500 after the write was applied.") { IsTransient = true, StatusCode = 500 };
            }

            return result;
        }

        public override async Task<IReadOnlyList<ICanonicalRecord>> FindByCorrelationAsync(
            EntityKind kind, string correlationValue, CancellationToken cancellationToken = default)
        {
            var found = await base.FindByCorrelationAsync(kind, correlationValue, cancellationToken);
            return DuplicateCorrelationMatches && found.Count == 1
                ? [found[0], CanonicalRecords.WithExternalId(found[0], found[0].RecordKey + "-copy")]
                : found;
        }
    }
}
