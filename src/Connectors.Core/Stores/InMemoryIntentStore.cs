using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>
/// An <see cref="IIntentStore"/> held in memory. Thread-safe: claims and lease-checked updates are atomic, so two workers
/// of one process never settle the same intent. A lease is held while its owner is set and its end is after the current
/// time (no end: held until released).
/// </summary>
public sealed class InMemoryIntentStore : IIntentStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string TenantId, string IntentId), Slot> _intents = [];
    private long _sequence;

    /// <inheritdoc />
    public Task AddAsync(Intent intent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intent);
        ArgumentException.ThrowIfNullOrEmpty(intent.TenantId, nameof(intent));
        ArgumentException.ThrowIfNullOrEmpty(intent.IntentId, nameof(intent));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_intents.TryAdd((intent.TenantId, intent.IntentId), new Slot(intent, ++_sequence)))
            {
                throw new InvalidOperationException(
                    $"Tenant '{intent.TenantId}' already has an intent with id '{intent.IntentId}'.");
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<Intent?> GetAsync(string tenantId, string intentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(intentId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_intents.TryGetValue((tenantId, intentId), out var slot) ? slot.Intent : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Intent>> ListUnsettledAsync(
        string tenantId, string flowId, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(flowId);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            IReadOnlyList<Intent> result = [.. _intents.Values
                .Where(s => s.Intent.IsUnsettled && Matches(s.Intent, tenantId, flowId))
                .OrderBy(s => s.Intent.CreatedAt)
                .ThenBy(s => s.Sequence)
                .Take(maxCount)
                .Select(s => s.Intent)];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, Intent>> GetBlockingAsync(
        string tenantId, string flowId, IReadOnlyCollection<string> sourceKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(flowId);
        ArgumentNullException.ThrowIfNull(sourceKeys);
        cancellationToken.ThrowIfCancellationRequested();
        var wanted = new HashSet<string>(sourceKeys.Where(k => k is not null), StringComparer.Ordinal);
        var result = new Dictionary<string, Intent>(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return Task.FromResult<IReadOnlyDictionary<string, Intent>>(result);
        }

        lock (_lock)
        {
            foreach (var slot in _intents.Values
                .Where(s => s.Intent.BlocksRecord && Matches(s.Intent, tenantId, flowId) && wanted.Contains(s.Intent.SourceKey))
                .OrderBy(s => s.Intent.CreatedAt)
                .ThenBy(s => s.Sequence))
            {
                result[slot.Intent.SourceKey] = slot.Intent; // newest wins
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, Intent>>(result);
    }

    /// <inheritdoc />
    public Task<Intent?> TryClaimAsync(
        string tenantId, string intentId, string owner, DateTimeOffset now, DateTimeOffset leaseUntil,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(intentId);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_intents.TryGetValue((tenantId, intentId), out var slot))
            {
                return Task.FromResult<Intent?>(null);
            }

            var current = slot.Intent;
            if (current.LeaseOwner is not null
                && !string.Equals(current.LeaseOwner, owner, StringComparison.Ordinal)
                && (current.LeaseUntil is null || current.LeaseUntil > now))
            {
                return Task.FromResult<Intent?>(null);
            }

            var claimed = current with { LeaseOwner = owner, LeaseUntil = leaseUntil };
            _intents[(tenantId, intentId)] = slot with { Intent = claimed };
            return Task.FromResult<Intent?>(claimed);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryUpdateAsync(Intent intent, string owner, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intent);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_intents.TryGetValue((intent.TenantId, intent.IntentId), out var slot) || !IsHeldBy(slot.Intent, owner, now))
            {
                return Task.FromResult(false);
            }

            _intents[(intent.TenantId, intent.IntentId)] = slot with { Intent = intent };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<IntentState, int>> CountByStateAsync(
        string tenantId, string? flowId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            IReadOnlyDictionary<IntentState, int> result = _intents.Values
                .Where(s => Matches(s.Intent, tenantId, flowId))
                .GroupBy(s => s.Intent.State)
                .ToDictionary(g => g.Key, g => g.Count());
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var keys = _intents.Keys.Where(k => string.Equals(k.TenantId, tenantId, StringComparison.Ordinal)).ToList();
            foreach (var key in keys)
            {
                _intents.Remove(key);
            }

            return Task.FromResult((long)keys.Count);
        }
    }

    private static bool IsHeldBy(Intent intent, string owner, DateTimeOffset now)
        => string.Equals(intent.LeaseOwner, owner, StringComparison.Ordinal) && (intent.LeaseUntil is null || intent.LeaseUntil > now);

    private static bool Matches(Intent intent, string tenantId, string? flowId)
        => string.Equals(intent.TenantId, tenantId, StringComparison.Ordinal)
            && (flowId is null || string.Equals(intent.FlowId, flowId, StringComparison.Ordinal));

    private readonly record struct Slot(Intent Intent, long Sequence);
}
