using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Connectors.Abstractions;
using Connectors.Core.Tests.Engine;
using Connectors.Storage.Sqlite;

namespace Connectors.Core.Tests.Conflicts;

public sealed class PreviewTests
{
    [Fact]
    public async Task Preview_ChangesOnBothSides_NoWriteReachesAnyConnectorOrStore()
    {
        var directory = Directory.CreateTempSubdirectory("connectors-preview-").FullName;
        try
        {
            var options = new SqliteStoreOptions { Path = Path.Combine(directory, "state.db") };
            var harness = new Harness(stores: new SyncStores
            {
                IdMap = new SqliteIdMapStore(options),
                Intents = new SqliteIntentStore(options),
                Checkpoints = new SqliteCheckpointStore(options),
                Journal = new SqliteJournalStore(options),
                Leases = new SqliteLeaseStore(options),
            });
            var (shopKeys, erpKeys) = await ArrangeAsync(harness);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var before = Fingerprint(directory);
            var writes = (harness.Shop.WriteCount, harness.Erp.WriteCount);

            var preview = await harness.Engine().PreviewAsync(Harness.Tenant, "customers", TestContext.Current.CancellationToken);

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Assert.Equal(before, Fingerprint(directory));
            Assert.Equal(writes, (harness.Shop.WriteCount, harness.Erp.WriteCount));
            Assert.Equal(1, preview.Counts.Updated);
            Assert.Equal(1, preview.Counts.Created);
            Assert.Equal(1, preview.Counts.Failed);

            var renamed = preview.Records.Single(r => r.SourceKey == shopKeys[0]);
            Assert.Equal(PreviewAction.Update, renamed.Action);
            Assert.Equal(erpKeys[0], renamed.TargetKey);
            var name = Assert.Single(renamed.Fields, f => f.Field == "name");
            Assert.Equal(("\"Customer 1\"", "\"Renamed\"", "source changed", true), (name.OldJson, name.NewJson, name.DecidedBy, name.Written));
            var phone = Assert.Single(renamed.Fields, f => f.Field == "phone");
            Assert.Equal(("\"+31 6 9999\"", "\"+31 6 9999\"", "target changed", false), (phone.OldJson, phone.NewJson, phone.DecidedBy, phone.Written));

            var email = preview.Records.Single(r => r.SourceKey == shopKeys[1]);
            Assert.Equal(PreviewAction.NoChange, email.Action); // TargetWins keeps the target's phone: nothing to write
            Assert.Contains(email.Fields, f => f.Field == "phone" && f.DecidedBy == "both changed: policy TargetWins" && !f.Written);

            var conflict = preview.Records.Single(r => r.SourceKey == shopKeys[2]);
            Assert.Equal(PreviewAction.Journal, conflict.Action);
            Assert.StartsWith($"Customer '{shopKeys[2]}' field 'vatNumber': changed on both sides", conflict.Message, StringComparison.Ordinal);

            var created = preview.Records.Single(r => r.Action == PreviewAction.Create);
            Assert.Contains(created.Fields, f => f.Field == "email" && f.OldJson is null && f.NewJson == "\"customer4@example.com\"");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Preview_ThenRun_RunWritesExactlyWhatPreviewSaid()
    {
        var harness = new Harness();
        var (_, _) = await ArrangeAsync(harness);

        var preview = await harness.Engine().PreviewAsync(Harness.Tenant, "customers", TestContext.Current.CancellationToken);
        var result = await harness.Engine().RunAsync(Harness.Tenant, "customers", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(preview.Counts with { }, result.Counts with { Settled = 0 });
        foreach (var record in preview.Records.Where(r => r.Action is PreviewAction.Update or PreviewAction.Create))
        {
            var targetKey = record.TargetKey ?? harness.Erp.Snapshot(EntityKind.Customer).Cast<Customer>()
                .Single(c => record.Fields.Any(f => f.Field == "email" && f.NewJson == $"\"{c.Email}\"")).RecordKey;
            var written = JsonNode.Parse(CanonicalJson.Serialize(harness.Erp.Get(EntityKind.Customer, targetKey)!))!;
            foreach (var field in record.Fields)
            {
                Assert.Equal(field.NewJson, written[field.Field]?.ToJsonString(Display));
            }
        }
    }

    /// <summary>Three synced customers change on both sides, a fourth is new: an update with a target-only change, a TargetWins conflict, a Manual conflict and a create.</summary>
    private static async Task<(IReadOnlyList<string> Shop, IReadOnlyList<string> Erp)> ArrangeAsync(Harness harness)
    {
        harness.Flows.Add(Flow.Create<Customer>("customers").From("shop", EntityKind.Customer).To("erp", EntityKind.Customer)
            .Own(ConflictPolicy.TargetWins, "phone")
            .Own(ConflictPolicy.Manual, "vatNumber")
            .Build());
        var shopKeys = harness.Shop.Seed(EntityKind.Customer, [TestData.Customer(1), TestData.Customer(2), TestData.Customer(3)]);
        await harness.Engine().RunAsync(Harness.Tenant, "customers", cancellationToken: TestContext.Current.CancellationToken);
        var erpKeys = shopKeys.Select(k => harness.Erp.Snapshot(EntityKind.Customer).Cast<Customer>()
            .Single(c => c.Email == ((Customer)harness.Shop.Get(EntityKind.Customer, k)!).Email).RecordKey).ToList();

        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        harness.Erp.Mutate<Customer>(EntityKind.Customer, erpKeys[0], c => c with { Phone = "+31 6 9999" });
        harness.Shop.Mutate<Customer>(EntityKind.Customer, shopKeys[0], c => c with { Name = "Renamed" });
        harness.Erp.Mutate<Customer>(EntityKind.Customer, erpKeys[1], c => c with { Phone = "+31 6 1000" });
        harness.Shop.Mutate<Customer>(EntityKind.Customer, shopKeys[1], c => c with { Phone = "+31 6 2000" });
        harness.Erp.Mutate<Customer>(EntityKind.Customer, erpKeys[2], c => c with { VatNumber = "NL-ERP" });
        harness.Shop.Mutate<Customer>(EntityKind.Customer, shopKeys[2], c => c with { VatNumber = "NL-SHOP" });
        harness.Shop.Seed(EntityKind.Customer, [TestData.Customer(4)]);
        return (shopKeys, erpKeys);
    }

    private static readonly System.Text.Json.JsonSerializerOptions Display = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Fingerprint(string directory)
        => string.Join(";", Directory.GetFiles(directory)
            .Where(f => !f.EndsWith("-shm", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => Path.GetFileName(f) + ":" + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));
}
