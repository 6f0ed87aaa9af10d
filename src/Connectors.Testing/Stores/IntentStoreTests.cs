using System.Diagnostics.CodeAnalysis;
using Connectors.Abstractions;
using Xunit;

namespace Connectors.Testing;

/// <summary>Conformance tests every <see cref="IIntentStore"/> passes.</summary>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names follow Method_Scenario_Expected.")]
public abstract class IntentStoreTests : StoreTestsBase<IIntentStore>
{
    /// <summary>Every field of an intent comes back as recorded.</summary>
    [Fact]
    public async Task AddAsync_ThenGetAsync_ReturnsIntentAsRecorded()
    {
        var store = await CreateStoreAsync();
        var intent = NewIntent("i1", "s1") with
        {
            RunId = "r1",
            SourceHashes = new HashVector([new("lines", "ab"), new("totals", "cd")]),
            Operation = WriteOperation.Delta,
            PayloadJson = """{"number":"SO-1","note":"é ✓"}""",
            TargetKey = "e1",
            TargetHashes = new HashVector([new("lines", "ef")]),
            JobId = "job-7",
            State = IntentState.Submitted,
            Attempts = 3,
            UpdatedAt = T0.AddSeconds(5),
        };
        await store.AddAsync(intent, Ct);

        Assert.Equal(intent, await store.GetAsync("t1", "i1", Ct));
    }

    /// <summary>Unknown ids and other tenants' ids give nothing.</summary>
    [Fact]
    public async Task GetAsync_UnknownOrOtherTenant_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(NewIntent("i1", "s1"), Ct);
        Assert.Null(await store.GetAsync("t1", "nope", Ct));
        Assert.Null(await store.GetAsync("t2", "i1", Ct));
    }

    /// <summary>Recording a second intent with the same id fails.</summary>
    [Fact]
    public async Task AddAsync_DuplicateId_ThrowsInvalidOperationException()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(NewIntent("i1", "s1"), Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AddAsync(NewIntent("i1", "s2"), Ct));
        Assert.Equal("s1", (await store.GetAsync("t1", "i1", Ct))!.SourceKey);
    }

    /// <summary>Intent ids are unique per tenant, not globally.</summary>
    [Fact]
    public async Task AddAsync_SameIdOtherTenant_IsSeparate()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(NewIntent("i1", "s1"), Ct);
        await store.AddAsync(NewIntent("i1", "x1") with { TenantId = "t2" }, Ct);
        Assert.Equal("s1", (await store.GetAsync("t1", "i1", Ct))!.SourceKey);
        Assert.Equal("x1", (await store.GetAsync("t2", "i1", Ct))!.SourceKey);
    }

    /// <summary>Only pending, submitted and written intents of the flow are listed, oldest first, up to the limit.</summary>
    [Fact]
    public async Task ListUnsettledAsync_MixedStates_ReturnsUnsettledOldestFirstUpToMax()
    {
        var store = await CreateStoreAsync();
        var states = Enum.GetValues<IntentState>();
        for (var i = 0; i < states.Length; i++)
        {
            // Recorded newest first, so the order must come from CreatedAt.
            await store.AddAsync(NewIntent("i" + i, "s" + i) with { State = states[i], CreatedAt = T0.AddMinutes(-i) }, Ct);
        }

        await store.AddAsync(NewIntent("other-flow", "s0") with { FlowId = "products" }, Ct);
        await store.AddAsync(NewIntent("other-tenant", "s0") with { TenantId = "t2" }, Ct);

        var all = await store.ListUnsettledAsync("t1", "orders", 100, Ct);
        Assert.Equal(["i2", "i1", "i0"], all.Select(i => i.IntentId)); // Written, Submitted, Pending by age
        Assert.All(all, i => Assert.True(i.IsUnsettled));

        var two = await store.ListUnsettledAsync("t1", "orders", 2, Ct);
        Assert.Equal(["i2", "i1"], two.Select(i => i.IntentId));
    }

    /// <summary>Per source key, the newest intent that blocks the record is returned; settled ones do not block.</summary>
    [Fact]
    public async Task GetBlockingAsync_MixedIntents_ReturnsNewestBlockingPerKey()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(NewIntent("a-old", "a") with { State = IntentState.Committed, CreatedAt = T0 }, Ct);
        await store.AddAsync(NewIntent("a-new", "a") with { State = IntentState.Pending, CreatedAt = T0.AddMinutes(1) }, Ct);
        await store.AddAsync(NewIntent("b1", "b") with { State = IntentState.Committed }, Ct);
        await store.AddAsync(NewIntent("c1", "c") with { State = IntentState.NeedsVerification }, Ct);
        await store.AddAsync(NewIntent("d1", "d") with { State = IntentState.Conflict }, Ct);
        await store.AddAsync(NewIntent("e1", "e") with { State = IntentState.Failed }, Ct);
        await store.AddAsync(NewIntent("f1", "f") with { State = IntentState.Abandoned }, Ct);
        await store.AddAsync(NewIntent("g1", "g") with { State = IntentState.Written, CreatedAt = T0 }, Ct);
        await store.AddAsync(NewIntent("g2", "g") with { State = IntentState.Submitted, CreatedAt = T0.AddMinutes(2) }, Ct);
        await store.AddAsync(NewIntent("h1", "h") with { FlowId = "products" }, Ct);

        var blocking = await store.GetBlockingAsync("t1", "orders", ["a", "b", "c", "d", "e", "f", "g", "h", "zzz"], Ct);

        Assert.Equal(["a", "c", "d", "g"], blocking.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("a-new", blocking["a"].IntentId);
        Assert.Equal("c1", blocking["c"].IntentId);
        Assert.Equal("d1", blocking["d"].IntentId);
        Assert.Equal("g2", blocking["g"].IntentId);
        Assert.Empty(await store.GetBlockingAsync("t2", "orders", ["a"], Ct));
        Assert.Empty(await store.GetBlockingAsync("t1", "orders", [], Ct));
    }

    /// <summary>An intent without a lease can be claimed; the claim is stored.</summary>
    [Fact]
    public async Task TryClaimAsync_FreeIntent_ClaimsAndStoresLease()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(NewIntent("i1", "s1"), Ct);

        var claimed = await store.TryClaimAsync("t1", "i1", "w1", T0, T0.AddMinutes(5), Ct);

        Assert.NotNull(claimed);
        Assert.Equal("w1", claimed.LeaseOwner);
        Assert.Equal(T0.AddMinutes(5), claimed.LeaseUntil);
        var stored = await store.GetAsync("t1", "i1", Ct);
        Assert.Equal("w1", stored!.LeaseOwner);
        Assert.Equal(T0.AddMinutes(5), stored.LeaseUntil);
    }

    /// <summary>Another worker cannot claim a live lease; once it has expired it can; its holder can always re-claim.</summary>
    [Fact]
    public async Task TryClaimAsync_LeaseHeldByOther_FailsUntilExpired()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(NewIntent("i1", "s1") with { LeaseOwner = "w1", LeaseUntil = T0.AddMinutes(5) }, Ct);

        Assert.Null(await store.TryClaimAsync("t1", "i1", "w2", T0.AddMinutes(4), T0.AddMinutes(10), Ct));
        Assert.NotNull(await store.TryClaimAsync("t1", "i1", "w1", T0.AddMinutes(4), T0.AddMinutes(6), Ct));
        Assert.Null(await store.TryClaimAsync("t1", "i1", "w2", T0.AddMinutes(5), T0.AddMinutes(10), Ct));

        var taken = await store.TryClaimAsync("t1", "i1", "w2", T0.AddMinutes(6), T0.AddMinutes(10), Ct);
        Assert.Equal("w2", taken!.LeaseOwner);
        Assert.Null(await store.TryClaimAsync("t1", "i1", "w1", T0.AddMinutes(7), T0.AddMinutes(12), Ct));
    }

    /// <summary>Claiming an unknown intent, or one of another tenant, gives nothing.</summary>
    [Fact]
    public async Task TryClaimAsync_UnknownIntent_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(NewIntent("i1", "s1"), Ct);
        Assert.Null(await store.TryClaimAsync("t1", "nope", "w1", T0, T0.AddMinutes(1), Ct));
        Assert.Null(await store.TryClaimAsync("t2", "i1", "w1", T0, T0.AddMinutes(1), Ct));
    }

    /// <summary>Twenty workers racing for one intent: exactly one wins.</summary>
    [Fact]
    public async Task TryClaimAsync_ParallelWorkers_ExactlyOneWins()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(NewIntent("i1", "s1"), Ct);

        var results = await RunInParallelAsync(20, i => store.TryClaimAsync("t1", "i1", "w" + i, T0, T0.AddMinutes(5), Ct));

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal(winner!.LeaseOwner, (await store.GetAsync("t1", "i1", Ct))!.LeaseOwner);
    }

    /// <summary>The lease holder can replace the intent.</summary>
    [Fact]
    public async Task TryUpdateAsync_ByHolder_ReplacesIntent()
    {
        var store = await CreateStoreAsync();
        var intent = NewIntent("i1", "s1") with { LeaseOwner = "w1", LeaseUntil = T0.AddMinutes(5) };
        await store.AddAsync(intent, Ct);
        var written = intent with
        {
            State = IntentState.Written,
            TargetKey = "e1",
            TargetHashes = new HashVector([new("g", "h")]),
            Attempts = 1,
            UpdatedAt = T0.AddMinutes(1),
        };

        Assert.True(await store.TryUpdateAsync(written, "w1", T0.AddMinutes(1), Ct));
        Assert.Equal(written, await store.GetAsync("t1", "i1", Ct));
    }

    /// <summary>Another worker, or the holder after its lease ended, cannot update; the stored intent is unchanged.</summary>
    [Fact]
    public async Task TryUpdateAsync_NotHolderOrLeaseExpired_ReturnsFalseAndKeepsIntent()
    {
        var store = await CreateStoreAsync();
        var intent = NewIntent("i1", "s1") with { LeaseOwner = "w1", LeaseUntil = T0.AddMinutes(5) };
        await store.AddAsync(intent, Ct);

        Assert.False(await store.TryUpdateAsync(intent with { State = IntentState.Failed }, "w2", T0.AddMinutes(1), Ct));
        Assert.False(await store.TryUpdateAsync(intent with { State = IntentState.Failed }, "w1", T0.AddMinutes(5), Ct));
        Assert.False(await store.TryUpdateAsync(NewIntent("nope", "s1"), "w1", T0, Ct));
        Assert.Equal(IntentState.Pending, (await store.GetAsync("t1", "i1", Ct))!.State);
    }

    /// <summary>Updating with a null lease owner releases the lease: the old holder can no longer update, another worker can claim.</summary>
    [Fact]
    public async Task TryUpdateAsync_NullLeaseOwner_ReleasesLease()
    {
        var store = await CreateStoreAsync();
        var intent = NewIntent("i1", "s1") with { LeaseOwner = "w1", LeaseUntil = T0.AddMinutes(5) };
        await store.AddAsync(intent, Ct);

        Assert.True(await store.TryUpdateAsync(intent with { State = IntentState.Committed, LeaseOwner = null, LeaseUntil = null }, "w1", T0, Ct));

        var stored = await store.GetAsync("t1", "i1", Ct);
        Assert.Null(stored!.LeaseOwner);
        Assert.Null(stored.LeaseUntil);
        Assert.False(await store.TryUpdateAsync(stored with { Attempts = 9 }, "w1", T0, Ct));
        Assert.NotNull(await store.TryClaimAsync("t1", "i1", "w2", T0.AddMinutes(1), T0.AddMinutes(6), Ct));
    }

    /// <summary>An intent recorded without a lease cannot be updated until it is claimed.</summary>
    [Fact]
    public async Task TryUpdateAsync_NoLease_ReturnsFalseUntilClaimed()
    {
        var store = await CreateStoreAsync();
        var intent = NewIntent("i1", "s1");
        await store.AddAsync(intent, Ct);

        Assert.False(await store.TryUpdateAsync(intent with { State = IntentState.Failed }, "w1", T0, Ct));
        var claimed = await store.TryClaimAsync("t1", "i1", "w1", T0, T0.AddMinutes(1), Ct);
        Assert.True(await store.TryUpdateAsync(claimed! with { State = IntentState.Failed }, "w1", T0, Ct));
        Assert.Equal(IntentState.Failed, (await store.GetAsync("t1", "i1", Ct))!.State);
    }

    /// <summary>Counts are per state, per tenant, optionally per flow; states with no intent are absent.</summary>
    [Fact]
    public async Task CountByStateAsync_MixedIntents_CountsByState()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(NewIntent("i1", "s1"), Ct);
        await store.AddAsync(NewIntent("i2", "s2"), Ct);
        await store.AddAsync(NewIntent("i3", "s3") with { State = IntentState.Committed }, Ct);
        await store.AddAsync(NewIntent("i4", "s4") with { FlowId = "products", State = IntentState.Committed }, Ct);
        await store.AddAsync(NewIntent("i5", "s5") with { TenantId = "t2" }, Ct);

        var orders = await store.CountByStateAsync("t1", "orders", Ct);
        Assert.Equal(2, orders.Count);
        Assert.Equal(2, orders[IntentState.Pending]);
        Assert.Equal(1, orders[IntentState.Committed]);
        Assert.False(orders.ContainsKey(IntentState.Failed));

        var all = await store.CountByStateAsync("t1", null, Ct);
        Assert.Equal(2, all[IntentState.Committed]);
        Assert.Empty(await store.CountByStateAsync("t3", null, Ct));
    }

    /// <summary>Purging a tenant removes its intents only and counts them.</summary>
    [Fact]
    public async Task PurgeTenantAsync_RemovesOnlyThatTenant()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(NewIntent("i1", "s1"), Ct);
        await store.AddAsync(NewIntent("i2", "s2") with { FlowId = "products" }, Ct);
        await store.AddAsync(NewIntent("i1", "s1") with { TenantId = "t2" }, Ct);

        Assert.Equal(2, await store.PurgeTenantAsync("t1", Ct));
        Assert.Null(await store.GetAsync("t1", "i1", Ct));
        Assert.NotNull(await store.GetAsync("t2", "i1", Ct));
        Assert.Equal(0, await store.PurgeTenantAsync("t1", Ct));
    }

    /// <summary>A durable store keeps intents and their leases across reopening.</summary>
    [Fact]
    public async Task Reopen_DurableStore_KeepsIntentsAndLeases()
    {
        var store = await CreateStoreAsync();
        var intent = NewIntent("i1", "s1") with { LeaseOwner = "w1", LeaseUntil = T0.AddMinutes(5), PayloadJson = "{}" };
        await store.AddAsync(intent, Ct);

        var reopened = await ReopenOrSkipAsync(store);

        Assert.Equal(intent, await reopened.GetAsync("t1", "i1", Ct));
        Assert.Null(await reopened.TryClaimAsync("t1", "i1", "w2", T0.AddMinutes(1), T0.AddMinutes(6), Ct));
        Assert.Single(await reopened.ListUnsettledAsync("t1", "orders", 10, Ct));
    }

    /// <summary>Creates a pending intent of tenant <c>t1</c>, flow <c>orders</c>, recorded at <see cref="StoreTestsBase{TStore}.T0"/>.</summary>
    /// <param name="intentId">The intent's id.</param>
    /// <param name="sourceKey">The source key.</param>
    /// <returns>The intent.</returns>
    protected Intent NewIntent(string intentId, string sourceKey)
        => new()
        {
            TenantId = "t1",
            IntentId = intentId,
            FlowId = "orders",
            Kind = EntityKind.Order,
            SourceKey = sourceKey,
            Token = "tok-" + intentId,
            Operation = WriteOperation.Create,
            State = IntentState.Pending,
            CreatedAt = T0,
            UpdatedAt = T0,
        };
}
