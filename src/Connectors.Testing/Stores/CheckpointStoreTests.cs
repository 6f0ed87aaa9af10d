using System.Diagnostics.CodeAnalysis;
using Connectors.Abstractions;
using Xunit;

namespace Connectors.Testing;

/// <summary>Conformance tests every <see cref="ICheckpointStore"/> passes.</summary>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names follow Method_Scenario_Expected.")]
public abstract class CheckpointStoreTests : StoreTestsBase<ICheckpointStore>
{
    /// <summary>A flow that never ran has no checkpoint.</summary>
    [Fact]
    public async Task GetAsync_BeforeFirstSet_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.GetAsync("t1", "orders", Ct));
    }

    /// <summary>Both cursors and the time of writing come back as written.</summary>
    [Fact]
    public async Task SetAsync_ThenGetAsync_ReturnsCheckpoint()
    {
        var store = await CreateStoreAsync();
        var checkpoint = new Checkpoint { Cursor = T0.AddMinutes(-5).AddTicks(1234567), CursorToken = "page:42/é", UpdatedAt = T0 };
        await store.SetAsync("t1", "orders", checkpoint, Ct);
        Assert.Equal(checkpoint, await store.GetAsync("t1", "orders", Ct));
    }

    /// <summary>A checkpoint without a timestamp cursor keeps its null cursor.</summary>
    [Fact]
    public async Task SetAsync_NullCursors_RoundTrip()
    {
        var store = await CreateStoreAsync();
        var checkpoint = new Checkpoint { UpdatedAt = T0 };
        await store.SetAsync("t1", "orders", checkpoint, Ct);
        var read = await store.GetAsync("t1", "orders", Ct);
        Assert.NotNull(read);
        Assert.Null(read.Cursor);
        Assert.Null(read.CursorToken);
        Assert.Equal(T0, read.UpdatedAt);
    }

    /// <summary>A second write replaces the first.</summary>
    [Fact]
    public async Task SetAsync_Twice_KeepsLatest()
    {
        var store = await CreateStoreAsync();
        await store.SetAsync("t1", "orders", new Checkpoint { Cursor = T0, UpdatedAt = T0 }, Ct);
        await store.SetAsync("t1", "orders", new Checkpoint { Cursor = T0.AddHours(1), UpdatedAt = T0.AddHours(1) }, Ct);
        Assert.Equal(T0.AddHours(1), (await store.GetAsync("t1", "orders", Ct))!.Cursor);
    }

    /// <summary>Checkpoints are per tenant and per flow.</summary>
    [Fact]
    public async Task SetAsync_OtherTenantOrFlow_IsIsolated()
    {
        var store = await CreateStoreAsync();
        await store.SetAsync("t1", "orders", new Checkpoint { Cursor = T0, UpdatedAt = T0 }, Ct);
        Assert.Null(await store.GetAsync("t2", "orders", Ct));
        Assert.Null(await store.GetAsync("t1", "products", Ct));
    }

    /// <summary>Deleting makes the next run read everything; deleting again reports nothing removed.</summary>
    [Fact]
    public async Task DeleteAsync_Existing_RemovesAndReturnsTrueOnce()
    {
        var store = await CreateStoreAsync();
        await store.SetAsync("t1", "orders", new Checkpoint { Cursor = T0, UpdatedAt = T0 }, Ct);
        await store.SetAsync("t1", "products", new Checkpoint { Cursor = T0, UpdatedAt = T0 }, Ct);
        Assert.True(await store.DeleteAsync("t1", "orders", Ct));
        Assert.False(await store.DeleteAsync("t1", "orders", Ct));
        Assert.Null(await store.GetAsync("t1", "orders", Ct));
        Assert.NotNull(await store.GetAsync("t1", "products", Ct));
    }

    /// <summary>Purging a tenant removes its checkpoints only and counts them.</summary>
    [Fact]
    public async Task PurgeTenantAsync_RemovesOnlyThatTenant()
    {
        var store = await CreateStoreAsync();
        await store.SetAsync("t1", "orders", new Checkpoint { Cursor = T0, UpdatedAt = T0 }, Ct);
        await store.SetAsync("t1", "products", new Checkpoint { Cursor = T0, UpdatedAt = T0 }, Ct);
        await store.SetAsync("t2", "orders", new Checkpoint { Cursor = T0, UpdatedAt = T0 }, Ct);
        Assert.Equal(2, await store.PurgeTenantAsync("t1", Ct));
        Assert.Null(await store.GetAsync("t1", "orders", Ct));
        Assert.NotNull(await store.GetAsync("t2", "orders", Ct));
        Assert.Equal(0, await store.PurgeTenantAsync("t1", Ct));
    }

    /// <summary>Several flows writing at once each keep their own checkpoint.</summary>
    [Fact]
    public async Task SetAsync_ParallelFlows_EachKeepsItsOwn()
    {
        var store = await CreateStoreAsync();
        await RunInParallelAsync(16, async i =>
        {
            await store.SetAsync("t1", "flow" + i, new Checkpoint { Cursor = T0.AddMinutes(i), UpdatedAt = T0 }, Ct);
            return i;
        });
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(T0.AddMinutes(i), (await store.GetAsync("t1", "flow" + i, Ct))!.Cursor);
        }
    }

    /// <summary>A durable store keeps checkpoints across reopening.</summary>
    [Fact]
    public async Task Reopen_DurableStore_KeepsCheckpoint()
    {
        var store = await CreateStoreAsync();
        var checkpoint = new Checkpoint { Cursor = T0, CursorToken = "tok", UpdatedAt = T0.AddSeconds(1) };
        await store.SetAsync("t1", "orders", checkpoint, Ct);
        var reopened = await ReopenOrSkipAsync(store);
        Assert.Equal(checkpoint, await reopened.GetAsync("t1", "orders", Ct));
    }
}
