using Connectors.Abstractions;

namespace Connectors.Core.Tests.Engine;

public sealed class KillPointTests
{
    public static TheoryData<SyncStep, SettlementMode> KillPoints
    {
        get
        {
            var data = new TheoryData<SyncStep, SettlementMode>();
            foreach (var step in Enum.GetValues<SyncStep>())
            {
                foreach (var mode in new[] { SettlementMode.IdempotencyKey, SettlementMode.CorrelationField, SettlementMode.RejectsDuplicates })
                {
                    data.Add(step, mode);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task Run_CrashAtStep_ResumesToExactCopyWithoutDuplicates(SyncStep step, SettlementMode mode)
    {
        var harness = new Harness(mode);
        harness.Flows.Add(Harness.OrderFlow());

        // 300 orders synced before; then they change (30 % of the flow are updates) and 700 new ones arrive.
        var synced = harness.SeedOrders(1, 300);
        await harness.RunUntilDoneAsync("orders");
        Assert.Equal(300, harness.Erp.Snapshot(EntityKind.Order).Count);
        foreach (var key in synced)
        {
            harness.Clock.Advance(TimeSpan.FromSeconds(1));
            harness.Shop.Mutate(EntityKind.Order, key, r => TestData.Change((Order)r, 1));
        }

        harness.SeedOrders(301, 700);

        // Crash repeatedly at the step: page-level steps every 2nd time, record-level steps every 97th time.
        var every = step is SyncStep.AfterRead or SyncStep.BeforeCheckpoint or SyncStep.MidPage ? 2 : 97;
        var probe = new CrashAtStepProbe(step, every, maxCrashes: 6);
        var (result, crashes) = await harness.RunUntilDoneAsync("orders", probe);

        Assert.True(crashes >= 1, $"No crash happened at {step}.");
        Assert.Equal(RunStatus.Succeeded, result.Status);
        await harness.AssertErpEqualsShopAsync(EntityKind.Order, "orders");

        // A further run finds nothing to do.
        var again = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, again.Counts.Created + again.Counts.Updated);
    }
}
