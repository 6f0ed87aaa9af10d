using System.Diagnostics.CodeAnalysis;
using Connectors.Abstractions;
using Xunit;

namespace Connectors.Testing;

/// <summary>Conformance tests every <see cref="ILeaseStore"/> passes.</summary>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names follow Method_Scenario_Expected.")]
public abstract class LeaseStoreTests : StoreTestsBase<ILeaseStore>
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>A free resource is acquired until now + duration, with a fencing number.</summary>
    [Fact]
    public async Task TryAcquireAsync_Free_ReturnsLease()
    {
        var store = await CreateStoreAsync();

        var lease = await store.TryAcquireAsync("t1", "flow:orders", "w1", T0, Minute, Ct);

        Assert.NotNull(lease);
        Assert.Equal("t1", lease.TenantId);
        Assert.Equal("flow:orders", lease.Resource);
        Assert.Equal("w1", lease.Owner);
        Assert.Equal(T0 + Minute, lease.ExpiresAt);
    }

    /// <summary>While a lease is held, another owner cannot acquire it.</summary>
    [Fact]
    public async Task TryAcquireAsync_HeldByOther_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        await store.TryAcquireAsync("t1", "flow:orders", "w1", T0, Minute, Ct);

        Assert.Null(await store.TryAcquireAsync("t1", "flow:orders", "w2", T0.AddSeconds(59), Minute, Ct));
    }

    /// <summary>The holder acquiring again extends its lease and keeps the fencing number.</summary>
    [Fact]
    public async Task TryAcquireAsync_HeldBySameOwner_ExtendsWithSameFence()
    {
        var store = await CreateStoreAsync();
        var first = await store.TryAcquireAsync("t1", "flow:orders", "w1", T0, Minute, Ct);

        var again = await store.TryAcquireAsync("t1", "flow:orders", "w1", T0.AddSeconds(30), Minute, Ct);

        Assert.Equal(first!.Fence, again!.Fence);
        Assert.Equal(T0.AddSeconds(90), again.ExpiresAt);
        Assert.Null(await store.TryAcquireAsync("t1", "flow:orders", "w2", T0.AddSeconds(61), Minute, Ct));
    }

    /// <summary>Once a lease has expired another owner acquires it with a larger fencing number.</summary>
    [Fact]
    public async Task TryAcquireAsync_AfterExpiry_NewOwnerGetsLargerFence()
    {
        var store = await CreateStoreAsync();
        var first = await store.TryAcquireAsync("t1", "flow:orders", "w1", T0, Minute, Ct);

        var second = await store.TryAcquireAsync("t1", "flow:orders", "w2", T0 + Minute, Minute, Ct);

        Assert.NotNull(second);
        Assert.Equal("w2", second.Owner);
        Assert.True(second.Fence > first!.Fence);
    }

    /// <summary>After a release the resource is free, and the next acquisition still gets a larger fencing number.</summary>
    [Fact]
    public async Task ReleaseAsync_ThenAcquire_FenceKeepsGrowing()
    {
        var store = await CreateStoreAsync();
        var fences = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var lease = await store.TryAcquireAsync("t1", "flow:orders", "w" + (i % 2), T0, Minute, Ct);
            Assert.NotNull(lease);
            fences.Add(lease.Fence);
            Assert.True(await store.ReleaseAsync(lease, Ct));
        }

        Assert.True(fences[0] < fences[1] && fences[1] < fences[2], string.Join(",", fences));
    }

    /// <summary>The holder renews its lease from now.</summary>
    [Fact]
    public async Task RenewAsync_ByHolder_Extends()
    {
        var store = await CreateStoreAsync();
        var lease = await store.TryAcquireAsync("t1", "flow:orders", "w1", T0, Minute, Ct);

        var renewed = await store.RenewAsync(lease!, T0.AddSeconds(50), TimeSpan.FromMinutes(5), Ct);

        Assert.NotNull(renewed);
        Assert.Equal(T0.AddSeconds(50) + TimeSpan.FromMinutes(5), renewed.ExpiresAt);
        Assert.Equal(lease!.Fence, renewed.Fence);
        Assert.Null(await store.TryAcquireAsync("t1", "flow:orders", "w2", T0.AddMinutes(2), Minute, Ct));
    }

    /// <summary>A lease lost to expiry, or taken over by another owner, cannot be renewed.</summary>
    [Fact]
    public async Task RenewAsync_ExpiredOrTakenOver_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        var lease = await store.TryAcquireAsync("t1", "flow:orders", "w1", T0, Minute, Ct);

        Assert.Null(await store.RenewAsync(lease!, T0 + Minute, Minute, Ct));
        var taken = await store.TryAcquireAsync("t1", "flow:orders", "w2", T0.AddMinutes(2), Minute, Ct);
        Assert.NotNull(taken);
        Assert.Null(await store.RenewAsync(lease!, T0.AddMinutes(2), Minute, Ct));
        Assert.NotNull(await store.RenewAsync(taken, T0.AddMinutes(2), Minute, Ct));
    }

    /// <summary>A stale lease cannot release its successor's lease; releasing twice reports false the second time.</summary>
    [Fact]
    public async Task ReleaseAsync_StaleOrTwice_ReturnsFalse()
    {
        var store = await CreateStoreAsync();
        var stale = await store.TryAcquireAsync("t1", "flow:orders", "w1", T0, Minute, Ct);
        var current = await store.TryAcquireAsync("t1", "flow:orders", "w2", T0.AddMinutes(2), Minute, Ct);

        Assert.False(await store.ReleaseAsync(stale!, Ct));
        Assert.Null(await store.TryAcquireAsync("t1", "flow:orders", "w3", T0.AddMinutes(2), Minute, Ct));
        Assert.True(await store.ReleaseAsync(current!, Ct));
        Assert.False(await store.ReleaseAsync(current!, Ct));
        Assert.NotNull(await store.TryAcquireAsync("t1", "flow:orders", "w3", T0.AddMinutes(2), Minute, Ct));
    }

    /// <summary>Leases are per tenant and per resource.</summary>
    [Fact]
    public async Task TryAcquireAsync_OtherTenantOrResource_IsIndependent()
    {
        var store = await CreateStoreAsync();
        await store.TryAcquireAsync("t1", "flow:orders", "w1", T0, Minute, Ct);

        Assert.NotNull(await store.TryAcquireAsync("t2", "flow:orders", "w2", T0, Minute, Ct));
        Assert.NotNull(await store.TryAcquireAsync("t1", "flow:products", "w2", T0, Minute, Ct));
    }

    /// <summary>Twenty workers racing for one resource: exactly one gets it.</summary>
    [Fact]
    public async Task TryAcquireAsync_ParallelOwners_ExactlyOneWins()
    {
        var store = await CreateStoreAsync();

        var results = await RunInParallelAsync(20, i => store.TryAcquireAsync("t1", "flow:orders", "w" + i, T0, Minute, Ct));

        Assert.Single(results, r => r is not null);
    }

    /// <summary>A durable store keeps the lease and its fencing number across reopening.</summary>
    [Fact]
    public async Task Reopen_DurableStore_KeepsLeaseAndFence()
    {
        var store = await CreateStoreAsync();
        var lease = await store.TryAcquireAsync("t1", "flow:orders", "w1", T0, Minute, Ct);
        await store.ReleaseAsync(lease!, Ct);
        var second = await store.TryAcquireAsync("t1", "flow:orders", "w1", T0, Minute, Ct);

        var reopened = await ReopenOrSkipAsync(store);

        Assert.Null(await reopened.TryAcquireAsync("t1", "flow:orders", "w2", T0.AddSeconds(1), Minute, Ct));
        Assert.NotNull(await reopened.RenewAsync(second!, T0.AddSeconds(1), Minute, Ct));
        var third = await reopened.TryAcquireAsync("t1", "flow:orders", "w2", T0.AddMinutes(5), Minute, Ct);
        Assert.True(third!.Fence > second!.Fence);
    }
}
