using System.Diagnostics.CodeAnalysis;
using Connectors.Abstractions;
using Xunit;

namespace Connectors.Testing;

/// <summary>Conformance tests every <see cref="IWebhookInbox"/> passes.</summary>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names follow Method_Scenario_Expected.")]
public abstract class WebhookInboxTests : StoreTestsBase<IWebhookInbox>
{
    /// <summary>A new delivery is added and can be claimed with every field intact.</summary>
    [Fact]
    public async Task EnqueueAsync_NewDelivery_AddedAndClaimable()
    {
        var inbox = await CreateStoreAsync();
        var delivery = Delivery("d1", "o1") with { Topic = "orders/updated", Body = """{"id":1,"note":"é ✓"}""" };

        Assert.Equal(WebhookEnqueueResult.Added, await inbox.EnqueueAsync(delivery, Ct));

        var claimed = Assert.Single(await Claim(inbox, "w1", T0));
        Assert.True(claimed.Id > 0);
        Assert.Equal(delivery with { Id = claimed.Id, LeaseOwner = "w1", LeaseUntil = T0.AddMinutes(5) }, claimed);
        Assert.Equal(WebhookDeliveryState.Pending, claimed.State);
        Assert.Equal(1, claimed.Coalesced);
    }

    /// <summary>A delivery id seen before is a duplicate, pending or already processed.</summary>
    [Fact]
    public async Task EnqueueAsync_SameDeliveryId_IsDuplicate()
    {
        var inbox = await CreateStoreAsync();
        await inbox.EnqueueAsync(Delivery("d1", "o1"), Ct);

        Assert.Equal(WebhookEnqueueResult.Duplicate, await inbox.EnqueueAsync(Delivery("d1", "o2"), Ct));
        var claimed = await Claim(inbox, "w1", T0);
        await inbox.CompleteAsync("t1", [.. claimed.Select(c => c.Id)], Ct);
        Assert.Equal(WebhookEnqueueResult.Duplicate, await inbox.EnqueueAsync(Delivery("d1", "o1"), Ct));
        Assert.Empty(await Claim(inbox, "w1", T0));
    }

    /// <summary>De-duplication is per tenant and connection: the same delivery id elsewhere is new.</summary>
    [Fact]
    public async Task EnqueueAsync_SameDeliveryIdOtherConnectionOrTenant_IsAdded()
    {
        var inbox = await CreateStoreAsync();
        await inbox.EnqueueAsync(Delivery("d1", "o1"), Ct);

        Assert.Equal(WebhookEnqueueResult.Added, await inbox.EnqueueAsync(Delivery("d1", "o1") with { Connection = "shop2" }, Ct));
        Assert.Equal(WebhookEnqueueResult.Added, await inbox.EnqueueAsync(Delivery("d1", "o1") with { TenantId = "t2" }, Ct));
    }

    /// <summary>A second delivery for a record with a pending delivery is coalesced into it.</summary>
    [Fact]
    public async Task EnqueueAsync_SameRecordWhilePending_IsCoalesced()
    {
        var inbox = await CreateStoreAsync();
        await inbox.EnqueueAsync(Delivery("d1", "o1"), Ct);

        Assert.Equal(WebhookEnqueueResult.Coalesced, await inbox.EnqueueAsync(Delivery("d2", "o1") with { ReceivedAt = T0.AddSeconds(1) }, Ct));
        Assert.Equal(WebhookEnqueueResult.Coalesced, await inbox.EnqueueAsync(Delivery("d3", "o1") with { ReceivedAt = T0.AddSeconds(2) }, Ct));
        Assert.Equal(WebhookEnqueueResult.Duplicate, await inbox.EnqueueAsync(Delivery("d2", "o1"), Ct));

        var claimed = Assert.Single(await Claim(inbox, "w1", T0.AddSeconds(3)));
        Assert.Equal(3, claimed.Coalesced);
        Assert.Equal("o1", claimed.RecordKey);
    }

    /// <summary>Records differ by key and by kind: deliveries for different records are not coalesced.</summary>
    [Fact]
    public async Task EnqueueAsync_OtherRecordKeyOrKind_IsAdded()
    {
        var inbox = await CreateStoreAsync();
        await inbox.EnqueueAsync(Delivery("d1", "o1"), Ct);

        Assert.Equal(WebhookEnqueueResult.Added, await inbox.EnqueueAsync(Delivery("d2", "o2"), Ct));
        Assert.Equal(WebhookEnqueueResult.Added, await inbox.EnqueueAsync(Delivery("d3", "o1") with { Kind = EntityKind.Product }, Ct));
        Assert.Equal(3, (await Claim(inbox, "w1", T0)).Count);
    }

    /// <summary>A delivery for a record whose delivery is claimed or processed is added anew, so the change is not lost.</summary>
    [Fact]
    public async Task EnqueueAsync_SameRecordAfterClaimOrCompletion_IsAdded()
    {
        var inbox = await CreateStoreAsync();
        await inbox.EnqueueAsync(Delivery("d1", "o1"), Ct);
        var first = await Claim(inbox, "w1", T0);

        Assert.Equal(WebhookEnqueueResult.Added, await inbox.EnqueueAsync(Delivery("d2", "o1") with { ReceivedAt = T0.AddSeconds(1) }, Ct));
        await inbox.CompleteAsync("t1", [.. first.Select(c => c.Id)], Ct);
        var second = Assert.Single(await Claim(inbox, "w2", T0.AddSeconds(2)));
        Assert.Equal("d2", second.DeliveryId);
        await inbox.CompleteAsync("t1", [second.Id], Ct);

        Assert.Equal(WebhookEnqueueResult.Added, await inbox.EnqueueAsync(Delivery("d3", "o1") with { ReceivedAt = T0.AddSeconds(3) }, Ct));
    }

    /// <summary>Claims take a tenant's connection's pending deliveries, oldest first, up to the limit.</summary>
    [Fact]
    public async Task ClaimAsync_OldestFirstUpToMaxForTenantConnection()
    {
        var inbox = await CreateStoreAsync();
        await inbox.EnqueueAsync(Delivery("d3", "o3") with { ReceivedAt = T0.AddSeconds(3) }, Ct);
        await inbox.EnqueueAsync(Delivery("d1", "o1") with { ReceivedAt = T0.AddSeconds(1) }, Ct);
        await inbox.EnqueueAsync(Delivery("d2", "o2") with { ReceivedAt = T0.AddSeconds(2) }, Ct);
        await inbox.EnqueueAsync(Delivery("x1", "o1") with { Connection = "erp" }, Ct);
        await inbox.EnqueueAsync(Delivery("y1", "o1") with { TenantId = "t2" }, Ct);

        var firstTwo = await inbox.ClaimAsync("t1", "shop", "w1", T0.AddSeconds(5), T0.AddMinutes(5), 2, Ct);
        Assert.Equal(["d1", "d2"], firstTwo.Select(d => d.DeliveryId));
        Assert.All(firstTwo, d => Assert.Equal("w1", d.LeaseOwner));

        var rest = await inbox.ClaimAsync("t1", "shop", "w2", T0.AddSeconds(5), T0.AddMinutes(5), 10, Ct);
        Assert.Equal(["d3"], rest.Select(d => d.DeliveryId));
        Assert.Empty(await inbox.ClaimAsync("t1", "shop", "w3", T0.AddSeconds(5), T0.AddMinutes(5), 10, Ct));
    }

    /// <summary>A claimed delivery is not claimed by another worker until its claim ends.</summary>
    [Fact]
    public async Task ClaimAsync_ClaimedByOther_AvailableOnlyAfterClaimEnds()
    {
        var inbox = await CreateStoreAsync();
        await inbox.EnqueueAsync(Delivery("d1", "o1"), Ct);
        Assert.Single(await inbox.ClaimAsync("t1", "shop", "w1", T0, T0.AddMinutes(5), 10, Ct));

        Assert.Empty(await inbox.ClaimAsync("t1", "shop", "w2", T0.AddMinutes(4), T0.AddMinutes(9), 10, Ct));
        var reclaimed = Assert.Single(await inbox.ClaimAsync("t1", "shop", "w2", T0.AddMinutes(5), T0.AddMinutes(10), 10, Ct));
        Assert.Equal("w2", reclaimed.LeaseOwner);
        Assert.Equal(T0.AddMinutes(10), reclaimed.LeaseUntil);
    }

    /// <summary>Workers claiming at once never receive the same delivery twice.</summary>
    [Fact]
    public async Task ClaimAsync_ParallelWorkers_EachDeliveryClaimedOnce()
    {
        var inbox = await CreateStoreAsync();
        for (var i = 0; i < 30; i++)
        {
            await inbox.EnqueueAsync(Delivery("d" + i, "o" + i) with { ReceivedAt = T0.AddSeconds(i) }, Ct);
        }

        var batches = await RunInParallelAsync(6, i => inbox.ClaimAsync("t1", "shop", "w" + i, T0.AddMinutes(1), T0.AddMinutes(5), 8, Ct));

        var ids = batches.SelectMany(b => b.Select(d => d.Id)).ToList();
        Assert.Equal(30, ids.Count);
        Assert.Equal(30, ids.Distinct().Count());
    }

    /// <summary>Completed deliveries are never claimed again; completing another tenant's ids does nothing.</summary>
    [Fact]
    public async Task CompleteAsync_MarksProcessed_OnlyForTenant()
    {
        var inbox = await CreateStoreAsync();
        await inbox.EnqueueAsync(Delivery("d1", "o1"), Ct);
        await inbox.EnqueueAsync(Delivery("d2", "o2"), Ct);
        var claimed = await Claim(inbox, "w1", T0);

        await inbox.CompleteAsync("t2", [.. claimed.Select(c => c.Id)], Ct);
        Assert.Equal(2, (await Claim(inbox, "w2", T0.AddMinutes(6))).Count);

        await inbox.CompleteAsync("t1", [claimed[0].Id], Ct);
        var left = Assert.Single(await Claim(inbox, "w3", T0.AddMinutes(12)));
        Assert.Equal(claimed[1].Id, left.Id);
    }

    /// <summary>Purging processed deliveries removes old processed ones only; their delivery ids are forgotten, newer ones remembered.</summary>
    [Fact]
    public async Task PurgeProcessedAsync_RemovesOldProcessedAndForgetsTheirIds()
    {
        var inbox = await CreateStoreAsync();
        await inbox.EnqueueAsync(Delivery("old-done", "o1"), Ct);
        await inbox.EnqueueAsync(Delivery("old-pending", "o2"), Ct);
        await inbox.EnqueueAsync(Delivery("new-done", "o3") with { ReceivedAt = T0.AddDays(2) }, Ct);
        var claimed = await inbox.ClaimAsync("t1", "shop", "w1", T0.AddDays(2), T0.AddDays(3), 10, Ct);
        await inbox.CompleteAsync("t1", [.. claimed.Where(c => c.DeliveryId != "old-pending").Select(c => c.Id)], Ct);

        Assert.Equal(1, await inbox.PurgeProcessedAsync(T0.AddDays(1), Ct));

        Assert.Equal(WebhookEnqueueResult.Duplicate, await inbox.EnqueueAsync(Delivery("new-done", "o3"), Ct));
        Assert.Equal(WebhookEnqueueResult.Added, await inbox.EnqueueAsync(Delivery("old-done", "o1") with { ReceivedAt = T0.AddDays(2) }, Ct));
        var pending = await inbox.ClaimAsync("t1", "shop", "w2", T0.AddDays(4), T0.AddDays(5), 10, Ct);
        Assert.Equal(["old-pending", "old-done"], pending.Select(d => d.DeliveryId));
        Assert.Equal(0, await inbox.PurgeProcessedAsync(T0.AddDays(1), Ct));
    }

    /// <summary>Purging a tenant removes its deliveries and remembered ids only.</summary>
    [Fact]
    public async Task PurgeTenantAsync_RemovesOnlyThatTenant()
    {
        var inbox = await CreateStoreAsync();
        await inbox.EnqueueAsync(Delivery("d1", "o1"), Ct);
        await inbox.EnqueueAsync(Delivery("d2", "o2"), Ct);
        await inbox.EnqueueAsync(Delivery("d1", "o1") with { TenantId = "t2" }, Ct);

        Assert.Equal(2, await inbox.PurgeTenantAsync("t1", Ct));

        Assert.Empty(await Claim(inbox, "w1", T0));
        Assert.Single(await inbox.ClaimAsync("t2", "shop", "w1", T0, T0.AddMinutes(5), 10, Ct));
        Assert.Equal(WebhookEnqueueResult.Added, await inbox.EnqueueAsync(Delivery("d1", "o1"), Ct));
        Assert.Equal(WebhookEnqueueResult.Duplicate, await inbox.EnqueueAsync(Delivery("d1", "o1") with { TenantId = "t2" }, Ct));
    }

    /// <summary>A durable inbox keeps pending deliveries and remembered delivery ids across reopening.</summary>
    [Fact]
    public async Task Reopen_DurableStore_KeepsDeliveriesAndDeduplication()
    {
        var inbox = await CreateStoreAsync();
        await inbox.EnqueueAsync(Delivery("d1", "o1") with { Body = "{}" }, Ct);
        await inbox.EnqueueAsync(Delivery("d2", "o1"), Ct);

        var reopened = await ReopenOrSkipAsync(inbox);

        Assert.Equal(WebhookEnqueueResult.Duplicate, await reopened.EnqueueAsync(Delivery("d1", "o1"), Ct));
        Assert.Equal(WebhookEnqueueResult.Coalesced, await reopened.EnqueueAsync(Delivery("d3", "o1"), Ct));
        var claimed = Assert.Single(await Claim(reopened, "w1", T0));
        Assert.Equal(3, claimed.Coalesced);
        Assert.Equal("{}", claimed.Body);
    }

    /// <summary>Creates a delivery for tenant <c>t1</c>, connection <c>shop</c>, an order, received at <see cref="StoreTestsBase{TStore}.T0"/>.</summary>
    /// <param name="deliveryId">The vendor's delivery id.</param>
    /// <param name="recordKey">The order's key.</param>
    /// <returns>The delivery.</returns>
    protected WebhookDelivery Delivery(string deliveryId, string recordKey)
        => new()
        {
            TenantId = "t1",
            Connection = "shop",
            DeliveryId = deliveryId,
            Kind = EntityKind.Order,
            RecordKey = recordKey,
            Topic = "orders/updated",
            ReceivedAt = T0,
        };

    private static Task<IReadOnlyList<WebhookDelivery>> Claim(IWebhookInbox inbox, string owner, DateTimeOffset now)
        => inbox.ClaimAsync("t1", "shop", owner, now, now.AddMinutes(5), 100, Ct);
}
