using System.Text.Json;
using System.Text.RegularExpressions;
using Connectors.Abstractions;

namespace Connectors.Core.Tests.Engine;

public sealed class EchoAndDependencyTests
{
    [Fact]
    public async Task BidirectionalFlows_TargetNormalisesOnWrite_NoEchoAndOneWritePerRealChange()
    {
        var revision = 0;
        var harness = new Harness(SettlementMode.CorrelationField, erpNormalizer: (_, record) =>
        {
            var customer = (Customer)record;
            var extensions = new Dictionary<string, JsonElement>(customer.Extensions ?? new Dictionary<string, JsonElement>())
            {
                ["serverRevision"] = JsonSerializer.SerializeToElement((decimal)++revision, Connectors.Abstractions.CanonicalJsonContext.Default.Decimal),
            };
            if (extensions.TryGetValue("creditLimit", out var limit))
            {
                extensions["creditLimit"] = JsonSerializer.SerializeToElement(Math.Round(limit.GetDecimal(), 2), Connectors.Abstractions.CanonicalJsonContext.Default.Decimal);
            }

            return customer with
            {
                Name = customer.Name?.Trim(),
                BillingAddress = customer.BillingAddress is { } a ? a with { CountryCode = a.CountryCode?.ToUpperInvariant() } : null,
                Extensions = extensions,
            };
        });
        harness.Flows.Add(Flow.Create<Customer>("a-to-b").From("shop", EntityKind.Customer).To("erp", EntityKind.Customer).MatchBy(c => c.Email).Build());
        harness.Flows.Add(Flow.Create<Customer>("b-to-a").From("erp", EntityKind.Customer).To("shop", EntityKind.Customer).MatchBy(c => c.Email).Build());
        var keys = new List<string>();
        for (var i = 1; i <= 20; i++)
        {
            harness.Clock.Advance(TimeSpan.FromSeconds(1));
            var customer = TestData.Customer(i) with
            {
                Name = $"  Customer {i} ",
                Extensions = new Dictionary<string, JsonElement>
                {
                    ["creditLimit"] = JsonSerializer.SerializeToElement(1000.005m + i, Connectors.Abstractions.CanonicalJsonContext.Default.Decimal),
                },
            };
            keys.AddRange(harness.Shop.Seed(EntityKind.Customer, [customer]));
        }

        // Round 1: A → B creates; B → A sees its own echo and writes nothing.
        await RoundAsync(harness);
        Assert.Equal(20, harness.Erp.Snapshot(EntityKind.Customer).Count);
        var shopWrites = harness.Shop.WriteCount;
        var erpWrites = harness.Erp.WriteCount;

        // Rounds 2 and 3 write nothing on either side.
        for (var round = 2; round <= 3; round++)
        {
            harness.Clock.Advance(TimeSpan.FromMinutes(5));
            await RoundAsync(harness);
            Assert.Equal(shopWrites, harness.Shop.WriteCount);
            Assert.Equal(erpWrites, harness.Erp.WriteCount);
        }

        // A real change on A reaches B exactly once and does not bounce back.
        harness.Clock.Advance(TimeSpan.FromMinutes(5));
        harness.Shop.Mutate(EntityKind.Customer, keys[3], r => ((Customer)r) with { Phone = "+31 6 0000 0000" });
        await RoundAsync(harness);
        harness.Clock.Advance(TimeSpan.FromMinutes(5));
        await RoundAsync(harness);

        Assert.Equal(erpWrites + 1, harness.Erp.WriteCount);
        Assert.Equal(shopWrites, harness.Shop.WriteCount);
        var changed = harness.Erp.Snapshot(EntityKind.Customer).Cast<Customer>().Single(c => c.Email == "customer4@example.com");
        Assert.Equal("+31 6 0000 0000", changed.Phone);
        Assert.Equal("NL", changed.BillingAddress!.CountryCode);
    }

    [Fact]
    public async Task Orders_CustomerNotYetSynced_WaitThenSyncAfterCustomerFlow()
    {
        var harness = new Harness(SettlementMode.CorrelationField);
        harness.Flows.Add(Flow.Create<Customer>("customers").From("shop", EntityKind.Customer).To("erp", EntityKind.Customer).Build());
        harness.Flows.Add(Flow.Create<Order>("orders").From("shop", EntityKind.Order).To("erp", EntityKind.Order)
            .Reference(EntityKind.Customer, "customer.externalId", o => o.Customer?.ExternalId, (o, key) => o with { Customer = o.Customer! with { ExternalId = key } })
            .Build());
        var customerKeys = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            harness.Clock.Advance(TimeSpan.FromSeconds(1));
            customerKeys.AddRange(harness.Shop.Seed(EntityKind.Customer, [TestData.Customer(i)]));
        }

        var random = new Random(3);
        for (var i = 1; i <= 9; i++)
        {
            harness.Clock.Advance(TimeSpan.FromSeconds(1));
            harness.Shop.Seed(EntityKind.Order, [TestData.Order(i, random, customerKeys[i % 3])]);
        }

        var first = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(9, first.Counts.Waiting);
        Assert.Empty(harness.Erp.Snapshot(EntityKind.Order));
        var waiting = await harness.Stores.Journal.QueryEntriesAsync(
            new JournalQuery { TenantId = Harness.Tenant, FlowId = "orders", Statuses = [JournalEntryStatus.WaitingForDependency] }, TestContext.Current.CancellationToken);
        Assert.Equal(9, waiting.Count);
        Assert.All(waiting, e => Assert.Matches(new Regex("^Order '[^']+' field 'customer.externalId': Customer '[^']+' is not synced yet$"), e.Message));

        await harness.Engine().RunAsync(Harness.Tenant, "customers", cancellationToken: TestContext.Current.CancellationToken);
        var second = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(9, second.Counts.Created);
        var erpCustomers = harness.Erp.Snapshot(EntityKind.Customer).Cast<Customer>().ToDictionary(c => c.Email!, c => c.RecordKey);
        foreach (var order in harness.Erp.Snapshot(EntityKind.Order).Cast<Order>())
        {
            var shopCustomer = harness.Shop.Snapshot(EntityKind.Customer).Cast<Customer>().Single(c => erpCustomers[c.Email!] == order.Customer!.ExternalId);
            Assert.Contains(shopCustomer.RecordKey, customerKeys);
        }

        var open = await harness.Stores.Journal.QueryEntriesAsync(
            new JournalQuery { TenantId = Harness.Tenant, FlowId = "orders", Statuses = [JournalEntryStatus.WaitingForDependency, JournalEntryStatus.Open] }, TestContext.Current.CancellationToken);
        Assert.Empty(open);
    }

    private static async Task RoundAsync(Harness harness)
    {
        var ab = await harness.Engine().RunAsync(Harness.Tenant, "a-to-b", cancellationToken: TestContext.Current.CancellationToken);
        var ba = await harness.Engine().RunAsync(Harness.Tenant, "b-to-a", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(RunStatus.Succeeded, ab.Status);
        Assert.Equal(RunStatus.Succeeded, ba.Status);
    }
}
