using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>
/// An <see cref="IWebhookInbox"/> held in memory. Thread-safe. Deliveries are de-duplicated by (tenant, connection,
/// delivery id) and a new delivery is coalesced into a pending, unclaimed delivery of the same (tenant, connection, kind,
/// record key) — never into one a worker has claimed, which may already have fetched the record. A claim takes pending
/// deliveries that are unclaimed, whose claim has ended, or that the same worker claimed before.
/// </summary>
public sealed class InMemoryWebhookInbox : IWebhookInbox
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, WebhookDelivery> _items = [];
    private readonly Dictionary<(string TenantId, string Connection, string DeliveryId), DateTimeOffset> _seen = [];
    private long _nextId;

    /// <inheritdoc />
    public Task<WebhookEnqueueResult> EnqueueAsync(WebhookDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentException.ThrowIfNullOrEmpty(delivery.TenantId, nameof(delivery));
        ArgumentException.ThrowIfNullOrEmpty(delivery.Connection, nameof(delivery));
        ArgumentException.ThrowIfNullOrEmpty(delivery.DeliveryId, nameof(delivery));
        ArgumentNullException.ThrowIfNull(delivery.RecordKey, nameof(delivery));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_seen.TryAdd((delivery.TenantId, delivery.Connection, delivery.DeliveryId), delivery.ReceivedAt))
            {
                return Task.FromResult(WebhookEnqueueResult.Duplicate);
            }

            foreach (var (id, item) in _items)
            {
                if (item.State == WebhookDeliveryState.Pending
                    && item.LeaseOwner is null
                    && string.Equals(item.TenantId, delivery.TenantId, StringComparison.Ordinal)
                    && string.Equals(item.Connection, delivery.Connection, StringComparison.Ordinal)
                    && item.Kind == delivery.Kind
                    && string.Equals(item.RecordKey, delivery.RecordKey, StringComparison.Ordinal))
                {
                    _items[id] = item with
                    {
                        Coalesced = item.Coalesced + 1,
                        Topic = delivery.Topic ?? item.Topic,
                        Body = delivery.Body ?? item.Body,
                    };
                    return Task.FromResult(WebhookEnqueueResult.Coalesced);
                }
            }

            var newId = ++_nextId;
            _items[newId] = delivery with
            {
                Id = newId,
                State = WebhookDeliveryState.Pending,
                Coalesced = 1,
                LeaseOwner = null,
                LeaseUntil = null,
            };
            return Task.FromResult(WebhookEnqueueResult.Added);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<WebhookDelivery>> ClaimAsync(
        string tenantId, string connection, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int maxCount,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var claimed = _items.Values
                .Where(i => i.State == WebhookDeliveryState.Pending
                    && string.Equals(i.TenantId, tenantId, StringComparison.Ordinal)
                    && string.Equals(i.Connection, connection, StringComparison.Ordinal)
                    && (i.LeaseOwner is null
                        || string.Equals(i.LeaseOwner, owner, StringComparison.Ordinal)
                        || i.LeaseUntil is null
                        || i.LeaseUntil <= now))
                .OrderBy(i => i.ReceivedAt)
                .ThenBy(i => i.Id)
                .Take(maxCount)
                .Select(i => i with { LeaseOwner = owner, LeaseUntil = leaseUntil })
                .ToList();
            foreach (var item in claimed)
            {
                _items[item.Id] = item;
            }

            return Task.FromResult<IReadOnlyList<WebhookDelivery>>(claimed);
        }
    }

    /// <inheritdoc />
    public Task CompleteAsync(string tenantId, IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            foreach (var id in ids)
            {
                if (_items.TryGetValue(id, out var item) && string.Equals(item.TenantId, tenantId, StringComparison.Ordinal))
                {
                    _items[id] = item with { State = WebhookDeliveryState.Processed };
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long> PurgeProcessedAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var ids = _items.Values
                .Where(i => i.State == WebhookDeliveryState.Processed && i.ReceivedAt < olderThan)
                .Select(i => i.Id)
                .ToList();
            foreach (var id in ids)
            {
                _items.Remove(id);
            }

            foreach (var key in _seen.Where(p => p.Value < olderThan).Select(p => p.Key).ToList())
            {
                _seen.Remove(key);
            }

            return Task.FromResult((long)ids.Count);
        }
    }

    /// <inheritdoc />
    public Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var ids = _items.Values
                .Where(i => string.Equals(i.TenantId, tenantId, StringComparison.Ordinal))
                .Select(i => i.Id)
                .ToList();
            foreach (var id in ids)
            {
                _items.Remove(id);
            }

            foreach (var key in _seen.Keys.Where(k => string.Equals(k.TenantId, tenantId, StringComparison.Ordinal)).ToList())
            {
                _seen.Remove(key);
            }

            return Task.FromResult((long)ids.Count);
        }
    }
}
