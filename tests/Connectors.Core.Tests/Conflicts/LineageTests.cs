using Connectors.Abstractions;
using Connectors.Core.Tests.Engine;

namespace Connectors.Core.Tests.Conflicts;

public sealed class LineageTests
{
    [Fact]
    public async Task Updates_DifferentFields_LineageNamesTheRunThatLastSetEachField()
    {
        var harness = new Harness();
        harness.Flows.Add(Flow.Create<Customer>("customers").From("shop", EntityKind.Customer).To("erp", EntityKind.Customer).Build());
        var key = harness.Shop.Seed(EntityKind.Customer, [TestData.Customer(1)])[0];
        var created = await harness.Engine().RunAsync(Harness.Tenant, "customers", cancellationToken: TestContext.Current.CancellationToken);
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        harness.Shop.Mutate<Customer>(EntityKind.Customer, key, c => c with { Name = "Renamed" });
        var renamed = await harness.Engine().RunAsync(Harness.Tenant, "customers", cancellationToken: TestContext.Current.CancellationToken);
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        harness.Shop.Mutate<Customer>(EntityKind.Customer, key, c => c with { Phone = "+31 6 0000" });
        var rephoned = await harness.Engine().RunAsync(Harness.Tenant, "customers", cancellationToken: TestContext.Current.CancellationToken);

        var link = (await harness.Stores.IdMap.GetManyAsync(Harness.Tenant, EntityKind.Customer, "shop", [key], "erp", TestContext.Current.CancellationToken))[key];

        Assert.Equal(rephoned.RunId, link.Lineage!.LastSet("phone")!.RunId);
        Assert.Equal(renamed.RunId, link.Lineage.LastSet("name")!.RunId);
        Assert.Equal(created.RunId, link.Lineage.LastSet("email")!.RunId);
        Assert.Equal(key, link.Lineage.LastSet("email")!.SourceKey);
        Assert.Equal("customers", link.Lineage.LastSet("email")!.FlowId);
        Assert.True(link.Lineage.Earlier.Count <= 2);
    }
}
