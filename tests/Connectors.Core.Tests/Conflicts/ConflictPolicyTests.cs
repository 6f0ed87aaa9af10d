using Connectors.Abstractions;
using Connectors.Core.Tests.Engine;

namespace Connectors.Core.Tests.Conflicts;

public sealed class ConflictPolicyTests
{
    private const string OriginalPhone = "+31 20 555 0001";

    public static TheoryData<string, ConflictPolicy, string?, string?, bool, string?, bool> Cases => new()
    {
        // scenario, policy on phone, new source phone (null: unchanged), new target phone (null: unchanged),
        // source changed later than target, expected target phone, expected conflict in the journal
        { "only source changed", ConflictPolicy.SourceWins, "S", null, true, "S", false },
        { "only source changed, target owns", ConflictPolicy.TargetWins, "S", null, true, "S", false },
        { "only source changed, manual", ConflictPolicy.Manual, "S", null, true, "S", false },
        // SourceWins everywhere writes the whole mapped record without reading the target (no read is spent), so the
        // source re-asserts its value when the record changes; any other policy keeps a target-only change.
        { "only target changed, source wins everywhere", ConflictPolicy.SourceWins, null, "T", true, OriginalPhone, false },
        { "only target changed, target wins", ConflictPolicy.TargetWins, null, "T", true, "T", false },
        { "only target changed, manual", ConflictPolicy.Manual, null, "T", true, "T", false },
        { "both changed, source wins", ConflictPolicy.SourceWins, "S", "T", true, "S", false },
        { "both changed, target wins", ConflictPolicy.TargetWins, "S", "T", true, "T", false },
        { "both changed, source later", ConflictPolicy.LastWriterWins, "S", "T", true, "S", false },
        { "both changed, target later", ConflictPolicy.LastWriterWins, "S", "T", false, "T", false },
        { "both changed, manual", ConflictPolicy.Manual, "S", "T", true, "T", true },
        { "both changed to the same value, manual", ConflictPolicy.Manual, "X", "X", true, "X", false },
        { "create only, source changed", ConflictPolicy.CreateOnly, "S", null, true, OriginalPhone, false },
        { "never blank, source blanked", ConflictPolicy.NeverBlank, "", null, true, OriginalPhone, false },
        { "never blank, source changed", ConflictPolicy.NeverBlank, "S", "T", true, "S", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Update_ThreeWay_PolicyDecides(
        string scenario, ConflictPolicy policy, string? sourcePhone, string? targetPhone, bool sourceLater, string? expectedPhone, bool expectConflict)
    {
        var harness = new Harness();
        harness.Flows.Add(Flow.Create<Customer>("customers").From("shop", EntityKind.Customer).To("erp", EntityKind.Customer)
            .Own(policy, "phone")
            .ClockSkewTolerance(TimeSpan.FromSeconds(5))
            .Build());
        var shopKey = harness.Shop.Seed(EntityKind.Customer, [TestData.Customer(1)])[0];
        await harness.Engine().RunAsync(Harness.Tenant, "customers", cancellationToken: TestContext.Current.CancellationToken);
        var erpKey = harness.Erp.Snapshot(EntityKind.Customer)[0].RecordKey;

        // Both sides change; the source always changes its name so the record is read again.
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        if (!sourceLater)
        {
            harness.Shop.Mutate<Customer>(EntityKind.Customer, shopKey, c => Change(c with { Name = "Renamed" }, sourcePhone));
            harness.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        harness.Erp.Mutate<Customer>(EntityKind.Customer, erpKey, c => Change(c, targetPhone));
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        if (sourceLater)
        {
            harness.Shop.Mutate<Customer>(EntityKind.Customer, shopKey, c => Change(c with { Name = "Renamed" }, sourcePhone));
        }

        var result = await harness.Engine().RunAsync(Harness.Tenant, "customers", cancellationToken: TestContext.Current.CancellationToken);

        var target = (Customer)harness.Erp.Get(EntityKind.Customer, erpKey)!;
        Assert.True(expectedPhone == target.Phone, $"{scenario}: expected phone {expectedPhone}, found {target.Phone}.");
        var conflicts = await harness.Stores.Journal.QueryEntriesAsync(
            new JournalQuery { TenantId = Harness.Tenant, Statuses = [JournalEntryStatus.Open] }, TestContext.Current.CancellationToken);
        Assert.Equal(expectConflict, conflicts.Count == 1);
        if (expectConflict)
        {
            Assert.Equal(JournalCategory.Conflict, conflicts[0].Category);
            Assert.Equal(
                $"Customer '{shopKey}' field 'phone': changed on both sides (target \"T\", source \"S\"); policy Manual leaves it to a person",
                conflicts[0].Message);
            Assert.Equal("Customer 1", target.Name); // the record waits whole: nothing of it was written
            Assert.Equal(RunStatus.CompletedWithErrors, result.Status);
        }
        else
        {
            Assert.Equal("Renamed", target.Name);
        }
    }

    [Fact]
    public async Task Bidirectional_TargetOwnsPhone_TargetChangeFlowsBackAndConverges()
    {
        var harness = new Harness();
        harness.Flows.Add(Flow.Create<Customer>("a-to-b").From("shop", EntityKind.Customer).To("erp", EntityKind.Customer).Own(ConflictPolicy.TargetWins, "phone").Build());
        harness.Flows.Add(Flow.Create<Customer>("b-to-a").From("erp", EntityKind.Customer).To("shop", EntityKind.Customer).Own(ConflictPolicy.CreateOnly, "name").Build());
        var shopKey = harness.Shop.Seed(EntityKind.Customer, [TestData.Customer(1)])[0];
        await RoundAsync(harness);
        var erpKey = harness.Erp.Snapshot(EntityKind.Customer)[0].RecordKey;

        // The customer changed his phone in the ERP, and his name in the shop, in the same interval.
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        harness.Erp.Mutate<Customer>(EntityKind.Customer, erpKey, c => c with { Phone = "+31 6 1111 1111" });
        harness.Shop.Mutate<Customer>(EntityKind.Customer, shopKey, c => c with { Name = "New Name", Phone = "+31 6 2222 2222" });
        await RoundAsync(harness);

        var shop = (Customer)harness.Shop.Get(EntityKind.Customer, shopKey)!;
        var erp = (Customer)harness.Erp.Get(EntityKind.Customer, erpKey)!;
        Assert.Equal("New Name", erp.Name);
        Assert.Equal("+31 6 1111 1111", erp.Phone);
        Assert.Equal("+31 6 1111 1111", shop.Phone);
        Assert.Equal("New Name", shop.Name);

        // Converged: further rounds write nothing.
        var writes = harness.Shop.WriteCount + harness.Erp.WriteCount;
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        await RoundAsync(harness);
        await RoundAsync(harness);
        Assert.Equal(writes, harness.Shop.WriteCount + harness.Erp.WriteCount);
    }

    [Fact]
    public void Own_UnknownField_FailsNamingKnownFields()
    {
        var error = Assert.Throws<ArgumentException>(() => Flow.Create<Customer>("c").Own(ConflictPolicy.TargetWins, "telephone"));

        Assert.Contains("'telephone' is not a top-level field of Customer", error.Message, StringComparison.Ordinal);
        Assert.Contains("phone", error.Message, StringComparison.Ordinal);
    }

    private static Customer Change(Customer customer, string? phone)
        => phone is null ? customer : customer with { Phone = phone.Length == 0 ? null : phone };

    private static async Task RoundAsync(Harness harness)
    {
        Assert.NotEqual(RunStatus.Failed, (await harness.Engine().RunAsync(Harness.Tenant, "a-to-b", cancellationToken: TestContext.Current.CancellationToken)).Status);
        Assert.NotEqual(RunStatus.Failed, (await harness.Engine().RunAsync(Harness.Tenant, "b-to-a", cancellationToken: TestContext.Current.CancellationToken)).Status);
    }
}
