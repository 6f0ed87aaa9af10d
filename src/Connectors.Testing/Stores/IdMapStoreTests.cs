using System.Diagnostics.CodeAnalysis;
using Connectors.Abstractions;
using Xunit;

namespace Connectors.Testing;

/// <summary>Conformance tests every <see cref="IIdMapStore"/> passes.</summary>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names follow Method_Scenario_Expected.")]
public abstract class IdMapStoreTests : StoreTestsBase<IIdMapStore>
{
    private const string Shop = "shop";
    private const string Erp = "erp";

    /// <summary>A link read from the side it was written from comes back as written.</summary>
    [Fact]
    public async Task UpsertAsync_ThenGetManyFromSideA_ReturnsEntryAsWritten()
    {
        var store = await CreateStoreAsync();
        var entry = Link("t1", "s1", "e1") with
        {
            HashesA = Hashes("a", "1"),
            HashesB = Hashes("b", "2"),
            Lineage = new Lineage { FlowId = "orders", RunId = "r1", SourceKey = "s1", ChangedGroups = ["lines", "totals"], At = T0 },
            UpdatedAt = T0.AddSeconds(3),
        };
        await store.UpsertAsync(entry, Ct);

        var found = await store.GetManyAsync("t1", EntityKind.Order, Shop, ["s1"], Erp, Ct);

        var read = Assert.Single(found);
        Assert.Equal("s1", read.Key);
        AssertSameLink(entry, read.Value);
    }

    /// <summary>A link read from the other side is oriented with that side as side A.</summary>
    [Fact]
    public async Task GetManyAsync_FromSideB_ReturnsEntryOrientedFromB()
    {
        var store = await CreateStoreAsync();
        var entry = Link("t1", "s1", "e1") with { HashesA = Hashes("a", "1"), HashesB = Hashes("b", "2") };
        await store.UpsertAsync(entry, Ct);

        var found = await store.GetManyAsync("t1", EntityKind.Order, Erp, ["e1"], Shop, Ct);

        var read = Assert.Single(found).Value;
        Assert.Equal(Erp, read.ConnectionA);
        Assert.Equal("e1", read.KeyA);
        Assert.Equal(Hashes("b", "2"), read.HashesA);
        Assert.Equal(Shop, read.ConnectionB);
        Assert.Equal("s1", read.KeyB);
        Assert.Equal(Hashes("a", "1"), read.HashesB);
    }

    /// <summary>A link written from side B is the same link as one written from side A: stored once.</summary>
    [Fact]
    public async Task UpsertAsync_WrittenFromSideB_IsStoredOnceAndFoundFromSideA()
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(Link("t1", "s1", "e1"), Ct);
        await store.UpsertAsync(Link("t1", "s1", "e1").OrientedFrom(Erp) with { UpdatedAt = T0.AddMinutes(1) }, Ct);

        Assert.Equal(1, await store.CountAsync("t1", EntityKind.Order, Shop, Erp, Ct));
        var read = Assert.Single(await store.GetManyAsync("t1", EntityKind.Order, Shop, ["s1"], Erp, Ct)).Value;
        Assert.Equal("e1", read.KeyB);
        Assert.Equal(T0.AddMinutes(1), read.UpdatedAt);
    }

    /// <summary>Keys without a link are absent from the answer; the others are found.</summary>
    [Fact]
    public async Task GetManyAsync_MixedKeys_ReturnsOnlyMapped()
    {
        var store = await CreateStoreAsync();
        for (var i = 0; i < 5; i++)
        {
            await store.UpsertAsync(Link("t1", "s" + i, "e" + i), Ct);
        }

        var found = await store.GetManyAsync("t1", EntityKind.Order, Shop, ["s1", "missing", "s3", "s1"], Erp, Ct);

        Assert.Equal(["s1", "s3"], found.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("e3", found["s3"].KeyB);
        Assert.Empty(await store.GetManyAsync("t1", EntityKind.Order, Shop, [], Erp, Ct));
    }

    /// <summary>Linking a key to a new partner replaces its old link, so the old partner is no longer mapped.</summary>
    [Fact]
    public async Task UpsertAsync_SameKeyANewKeyB_ReplacesLinkAndFreesOldKeyB()
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(Link("t1", "s1", "e1"), Ct);
        await store.UpsertAsync(Link("t1", "s1", "e2"), Ct);

        Assert.Equal("e2", (await store.GetManyAsync("t1", EntityKind.Order, Shop, ["s1"], Erp, Ct))["s1"].KeyB);
        Assert.Empty(await store.GetManyAsync("t1", EntityKind.Order, Erp, ["e1"], Shop, Ct));
        Assert.Equal(1, await store.CountAsync("t1", EntityKind.Order, Shop, Erp, Ct));
    }

    /// <summary>Linking a side-B key to a new side-A key replaces that key's old link too.</summary>
    [Fact]
    public async Task UpsertAsync_SameKeyBNewKeyA_ReplacesLinkOfOldKeyA()
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(Link("t1", "s1", "e1"), Ct);
        await store.UpsertAsync(Link("t1", "s2", "e1"), Ct);

        Assert.Empty(await store.GetManyAsync("t1", EntityKind.Order, Shop, ["s1"], Erp, Ct));
        Assert.Equal("s2", (await store.GetManyAsync("t1", EntityKind.Order, Erp, ["e1"], Shop, Ct))["e1"].KeyB);
        Assert.Equal(1, await store.CountAsync("t1", EntityKind.Order, Shop, Erp, Ct));
    }

    /// <summary>When both keys were linked elsewhere, both old links go: each key maps to at most one key.</summary>
    [Fact]
    public async Task UpsertAsync_BothKeysLinkedElsewhere_RemovesBothOldLinks()
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(Link("t1", "s1", "e1"), Ct);
        await store.UpsertAsync(Link("t1", "s2", "e2"), Ct);
        await store.UpsertAsync(Link("t1", "s1", "e2"), Ct);

        Assert.Equal(1, await store.CountAsync("t1", EntityKind.Order, Shop, Erp, Ct));
        Assert.Equal(["s1"], (await store.GetManyAsync("t1", EntityKind.Order, Shop, ["s1", "s2"], Erp, Ct)).Keys);
        Assert.Equal(["e2"], (await store.GetManyAsync("t1", EntityKind.Order, Erp, ["e1", "e2"], Shop, Ct)).Keys);
    }

    /// <summary>A lineage with earlier writes (per-field lineage) survives the store, earlier writes in order.</summary>
    [Fact]
    public async Task UpsertAsync_LineageWithEarlierWrites_RoundTrips()
    {
        var store = await CreateStoreAsync();
        var first = new Lineage { FlowId = "orders", RunId = "r1", SourceKey = "s1", ChangedGroups = ["lines", "totals", "status"], At = T0 };
        var second = new Lineage { FlowId = "orders", RunId = "r2", SourceKey = "s1", ChangedGroups = ["status"], At = T0.AddHours(1) };
        var third = new Lineage { FlowId = "orders", RunId = "r3", SourceKey = "s1", ChangedGroups = ["lines"], At = T0.AddHours(2) };
        var merged = Lineage.Merge(Lineage.Merge(first, second), third);
        var link = Link("t1", "s1", "e1") with { Lineage = merged };
        await store.UpsertAsync(link, Ct);

        var read = (await store.GetManyAsync("t1", EntityKind.Order, Shop, ["s1"], Erp, Ct))["s1"];

        AssertSameLink(link, read);
        Assert.Equal("r3", read.Lineage!.LastSet("lines")!.RunId);
        Assert.Equal("r2", read.Lineage.LastSet("status")!.RunId);
        Assert.Equal("r1", read.Lineage.LastSet("totals")!.RunId);
        Assert.Null(read.Lineage.LastSet("customer"));
    }

    /// <summary>Writing the same link again replaces hashes, lineage and time; null and empty hash vectors stay distinct.</summary>
    [Fact]
    public async Task UpsertAsync_SameLinkAgain_ReplacesHashesAndLineage()
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(Link("t1", "s1", "e1") with { HashesA = Hashes("a", "1"), HashesB = Hashes("b", "1") }, Ct);
        var second = Link("t1", "s1", "e1") with
        {
            HashesA = null,
            HashesB = HashVector.Empty,
            Lineage = new Lineage { FlowId = "orders", RunId = "r2", SourceKey = "s1", At = T0.AddHours(1) },
            UpdatedAt = T0.AddHours(1),
        };
        await store.UpsertAsync(second, Ct);

        var read = (await store.GetManyAsync("t1", EntityKind.Order, Shop, ["s1"], Erp, Ct))["s1"];
        AssertSameLink(second, read);
        Assert.Null(read.HashesA);
        Assert.NotNull(read.HashesB);
        Assert.Empty(read.HashesB.Groups);
    }

    /// <summary>The entity kind is part of the key, and kinds compare without regard to case, as <see cref="EntityKind"/> does.</summary>
    [Fact]
    public async Task GetManyAsync_KindIsPartOfKey_ComparedIgnoringCase()
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(Link("t1", "k1", "e1"), Ct);
        await store.UpsertAsync(Link("t1", "k1", "p1") with { Kind = EntityKind.Product }, Ct);

        Assert.Equal("e1", (await store.GetManyAsync("t1", new EntityKind("ORDER"), Shop, ["k1"], Erp, Ct))["k1"].KeyB);
        Assert.Equal("p1", (await store.GetManyAsync("t1", EntityKind.Product, Shop, ["k1"], Erp, Ct))["k1"].KeyB);
        Assert.Empty(await store.GetManyAsync("t1", EntityKind.Customer, Shop, ["k1"], Erp, Ct));
        Assert.Equal(1, await store.CountAsync("t1", EntityKind.Order, Shop, Erp, Ct));
    }

    /// <summary>A link between two connections is invisible from a third connection and from another tenant.</summary>
    [Fact]
    public async Task GetManyAsync_OtherConnectionPairOrTenant_SeesNothing()
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(Link("t1", "s1", "e1"), Ct);

        Assert.Empty(await store.GetManyAsync("t1", EntityKind.Order, Shop, ["s1"], "crm", Ct));
        Assert.Empty(await store.GetManyAsync("t2", EntityKind.Order, Shop, ["s1"], Erp, Ct));
        Assert.Equal(0, await store.CountAsync("t2", EntityKind.Order, Shop, Erp, Ct));
        Assert.Equal(0, await store.CountAsync("t1", EntityKind.Order, Shop, "crm", Ct));
    }

    /// <summary>The same keys may be linked independently in two tenants.</summary>
    [Fact]
    public async Task UpsertAsync_SameKeysTwoTenants_AreIndependent()
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(Link("t1", "s1", "e1"), Ct);
        await store.UpsertAsync(Link("t2", "s1", "e9"), Ct);

        Assert.Equal("e1", (await store.GetManyAsync("t1", EntityKind.Order, Shop, ["s1"], Erp, Ct))["s1"].KeyB);
        Assert.Equal("e9", (await store.GetManyAsync("t2", EntityKind.Order, Shop, ["s1"], Erp, Ct))["s1"].KeyB);
    }

    /// <summary>A link can be removed from either side, once.</summary>
    [Fact]
    public async Task RemoveAsync_FromEitherSide_RemovesLinkOnce()
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(Link("t1", "s1", "e1"), Ct);
        await store.UpsertAsync(Link("t1", "s2", "e2"), Ct);

        Assert.True(await store.RemoveAsync("t1", EntityKind.Order, Shop, "s1", Erp, Ct));
        Assert.False(await store.RemoveAsync("t1", EntityKind.Order, Shop, "s1", Erp, Ct));
        Assert.True(await store.RemoveAsync("t1", EntityKind.Order, Erp, "e2", Shop, Ct));
        Assert.False(await store.RemoveAsync("t1", EntityKind.Order, Shop, "s2", Erp, Ct));

        Assert.Equal(0, await store.CountAsync("t1", EntityKind.Order, Shop, Erp, Ct));
        Assert.Empty(await store.GetManyAsync("t1", EntityKind.Order, Erp, ["e1", "e2"], Shop, Ct));
    }

    /// <summary>Removing in another tenant or kind does not touch the link.</summary>
    [Fact]
    public async Task RemoveAsync_OtherTenantOrKind_ReturnsFalseAndKeepsLink()
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(Link("t1", "s1", "e1"), Ct);

        Assert.False(await store.RemoveAsync("t2", EntityKind.Order, Shop, "s1", Erp, Ct));
        Assert.False(await store.RemoveAsync("t1", EntityKind.Product, Shop, "s1", Erp, Ct));
        Assert.Equal(1, await store.CountAsync("t1", EntityKind.Order, Shop, Erp, Ct));
    }

    /// <summary>Counting does not depend on the order the two connections are named in.</summary>
    [Fact]
    public async Task CountAsync_EitherConnectionOrder_CountsLinks()
    {
        var store = await CreateStoreAsync();
        for (var i = 0; i < 3; i++)
        {
            await store.UpsertAsync(Link("t1", "s" + i, "e" + i), Ct);
        }

        await store.UpsertAsync(Link("t1", "s9", "e9").OrientedFrom(Erp), Ct);

        Assert.Equal(4, await store.CountAsync("t1", EntityKind.Order, Shop, Erp, Ct));
        Assert.Equal(4, await store.CountAsync("t1", EntityKind.Order, Erp, Shop, Ct));
    }

    /// <summary>Purging a tenant removes all its links and only its links, and counts them.</summary>
    [Fact]
    public async Task PurgeTenantAsync_RemovesOnlyThatTenant()
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(Link("t1", "s1", "e1"), Ct);
        await store.UpsertAsync(Link("t1", "p1", "q1") with { Kind = EntityKind.Product }, Ct);
        await store.UpsertAsync(Link("t2", "s1", "e1"), Ct);

        Assert.Equal(2, await store.PurgeTenantAsync("t1", Ct));
        Assert.Equal(0, await store.CountAsync("t1", EntityKind.Order, Shop, Erp, Ct));
        Assert.Equal(1, await store.CountAsync("t2", EntityKind.Order, Shop, Erp, Ct));
        Assert.Equal(0, await store.PurgeTenantAsync("t1", Ct));
    }

    /// <summary>Changing the caller's lineage list after the write does not change what the store holds.</summary>
    [Fact]
    public async Task UpsertAsync_CallerMutatesLineageAfterwards_StoreUnchanged()
    {
        var store = await CreateStoreAsync();
        var groups = new List<string> { "lines" };
        await store.UpsertAsync(
            Link("t1", "s1", "e1") with { Lineage = new Lineage { FlowId = "f", RunId = "r", SourceKey = "s1", ChangedGroups = groups, At = T0 } },
            Ct);
        groups.Add("totals");

        var read = (await store.GetManyAsync("t1", EntityKind.Order, Shop, ["s1"], Erp, Ct))["s1"];
        Assert.Equal(["lines"], read.Lineage!.ChangedGroups);
    }

    /// <summary>Many flows writing different links at once lose none of them.</summary>
    [Fact]
    public async Task UpsertAsync_ParallelDifferentLinks_KeepsAll()
    {
        var store = await CreateStoreAsync();
        await RunInParallelAsync(40, async i =>
        {
            await store.UpsertAsync(Link("t1", "s" + i, "e" + i), Ct);
            return i;
        });

        Assert.Equal(40, await store.CountAsync("t1", EntityKind.Order, Shop, Erp, Ct));
    }

    /// <summary>Racing writers linking one key to different partners leave exactly one link for that key.</summary>
    [Fact]
    public async Task UpsertAsync_ParallelSameKeyA_LeavesExactlyOneLink()
    {
        var store = await CreateStoreAsync();
        await RunInParallelAsync(20, async i =>
        {
            await store.UpsertAsync(Link("t1", "s1", "e" + i), Ct);
            return i;
        });

        Assert.Equal(1, await store.CountAsync("t1", EntityKind.Order, Shop, Erp, Ct));
        var winner = (await store.GetManyAsync("t1", EntityKind.Order, Shop, ["s1"], Erp, Ct))["s1"].KeyB;
        var fromB = await store.GetManyAsync("t1", EntityKind.Order, Erp, [.. Enumerable.Range(0, 20).Select(i => "e" + i)], Shop, Ct);
        Assert.Equal([winner], fromB.Keys);
    }

    /// <summary>A durable store keeps links, hashes and lineage across reopening.</summary>
    [Fact]
    public async Task Reopen_DurableStore_KeepsLinks()
    {
        var store = await CreateStoreAsync();
        var entry = Link("t1", "s1", "e1") with
        {
            HashesA = Hashes("a", "1"),
            Lineage = new Lineage { FlowId = "orders", RunId = "r1", SourceKey = "s1", ChangedGroups = ["x"], At = T0 },
        };
        await store.UpsertAsync(entry, Ct);

        var reopened = await ReopenOrSkipAsync(store);

        AssertSameLink(entry, (await reopened.GetManyAsync("t1", EntityKind.Order, Shop, ["s1"], Erp, Ct))["s1"]);
        Assert.Equal(1, await reopened.CountAsync("t1", EntityKind.Order, Erp, Shop, Ct));
    }

    /// <summary>Creates a link from the shop to the ERP.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="shopKey">The shop's key.</param>
    /// <param name="erpKey">The ERP's key.</param>
    /// <returns>The entry.</returns>
    protected IdMapEntry Link(string tenantId, string shopKey, string erpKey)
        => new()
        {
            TenantId = tenantId,
            Kind = EntityKind.Order,
            ConnectionA = Shop,
            KeyA = shopKey,
            ConnectionB = Erp,
            KeyB = erpKey,
            UpdatedAt = T0,
        };

    private static HashVector Hashes(string group, string hash) => new([new(group, hash), new("z", hash + hash)]);

    private static void AssertSameLink(IdMapEntry expected, IdMapEntry actual)
    {
        Assert.Equal(expected.TenantId, actual.TenantId);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.ConnectionA, actual.ConnectionA);
        Assert.Equal(expected.KeyA, actual.KeyA);
        Assert.Equal(expected.ConnectionB, actual.ConnectionB);
        Assert.Equal(expected.KeyB, actual.KeyB);
        Assert.Equal(expected.HashesA, actual.HashesA);
        Assert.Equal(expected.HashesB, actual.HashesB);
        Assert.Equal(expected.UpdatedAt, actual.UpdatedAt);
        if (expected.Lineage is null)
        {
            Assert.Null(actual.Lineage);
        }
        else
        {
            Assert.NotNull(actual.Lineage);
            Assert.Equal(expected.Lineage.FlowId, actual.Lineage.FlowId);
            Assert.Equal(expected.Lineage.RunId, actual.Lineage.RunId);
            Assert.Equal(expected.Lineage.SourceKey, actual.Lineage.SourceKey);
            Assert.Equal(expected.Lineage.ChangedGroups, actual.Lineage.ChangedGroups);
            Assert.Equal(expected.Lineage.At, actual.Lineage.At);
            Assert.Equal(expected.Lineage.Earlier.Count, actual.Lineage.Earlier.Count);
            for (var i = 0; i < expected.Lineage.Earlier.Count; i++)
            {
                Assert.Equal(expected.Lineage.Earlier[i].RunId, actual.Lineage.Earlier[i].RunId);
                Assert.Equal(expected.Lineage.Earlier[i].ChangedGroups, actual.Lineage.Earlier[i].ChangedGroups);
                Assert.Equal(expected.Lineage.Earlier[i].At, actual.Lineage.Earlier[i].At);
            }
        }
    }
}
