using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>
/// An <see cref="IIdMapStore"/> held in memory: for tests, samples and single-process hosts that can afford to lose the
/// map on restart. Thread-safe. A link is stored once, whichever side it is written from, and each key maps to at most one
/// key on the other side.
/// </summary>
public sealed class InMemoryIdMapStore : IIdMapStore
{
    private readonly Lock _lock = new();

    // Pair key: connections in ordinal order (Low, High). Each pair holds links by the low side's key and by the high side's key.
    private readonly Dictionary<PairKey, Pair> _pairs = [];

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, IdMapEntry>> GetManyAsync(
        string tenantId,
        EntityKind kind,
        string fromConnection,
        IReadOnlyCollection<string> fromKeys,
        string toConnection,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(fromConnection);
        ArgumentNullException.ThrowIfNull(fromKeys);
        ArgumentNullException.ThrowIfNull(toConnection);
        cancellationToken.ThrowIfCancellationRequested();
        var (pairKey, fromIsLow) = PairKey.Of(tenantId, kind, fromConnection, toConnection);
        var result = new Dictionary<string, IdMapEntry>(StringComparer.Ordinal);
        lock (_lock)
        {
            if (_pairs.TryGetValue(pairKey, out var pair))
            {
                var index = fromIsLow ? pair.ByLow : pair.ByHigh;
                foreach (var key in fromKeys)
                {
                    if (key is not null && index.TryGetValue(key, out var link))
                    {
                        result[key] = Copy(link).OrientedFrom(fromConnection);
                    }
                }
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, IdMapEntry>>(result);
    }

    /// <inheritdoc />
    public Task UpsertAsync(IdMapEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.TenantId, nameof(entry));
        ArgumentException.ThrowIfNullOrEmpty(entry.ConnectionA, nameof(entry));
        ArgumentException.ThrowIfNullOrEmpty(entry.ConnectionB, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.KeyA, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.KeyB, nameof(entry));
        cancellationToken.ThrowIfCancellationRequested();
        var (pairKey, aIsLow) = PairKey.Of(entry.TenantId, entry.Kind, entry.ConnectionA, entry.ConnectionB);
        var stored = Copy(aIsLow ? entry : entry.OrientedFrom(entry.ConnectionB));
        lock (_lock)
        {
            if (!_pairs.TryGetValue(pairKey, out var pair))
            {
                pair = new Pair();
                _pairs[pairKey] = pair;
            }

            if (pair.ByLow.Remove(stored.KeyA, out var oldByLow))
            {
                pair.ByHigh.Remove(oldByLow.KeyB);
            }

            if (pair.ByHigh.Remove(stored.KeyB, out var oldByHigh))
            {
                pair.ByLow.Remove(oldByHigh.KeyA);
            }

            pair.ByLow[stored.KeyA] = stored;
            pair.ByHigh[stored.KeyB] = stored;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(
        string tenantId, EntityKind kind, string fromConnection, string fromKey, string toConnection,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(fromConnection);
        ArgumentNullException.ThrowIfNull(fromKey);
        ArgumentNullException.ThrowIfNull(toConnection);
        cancellationToken.ThrowIfCancellationRequested();
        var (pairKey, fromIsLow) = PairKey.Of(tenantId, kind, fromConnection, toConnection);
        lock (_lock)
        {
            if (!_pairs.TryGetValue(pairKey, out var pair))
            {
                return Task.FromResult(false);
            }

            if (fromIsLow)
            {
                if (pair.ByLow.Remove(fromKey, out var link))
                {
                    pair.ByHigh.Remove(link.KeyB);
                    return Task.FromResult(true);
                }
            }
            else if (pair.ByHigh.Remove(fromKey, out var link))
            {
                pair.ByLow.Remove(link.KeyA);
                return Task.FromResult(true);
            }

            return Task.FromResult(false);
        }
    }

    /// <inheritdoc />
    public Task<long> CountAsync(
        string tenantId, EntityKind kind, string connectionA, string connectionB, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(connectionA);
        ArgumentNullException.ThrowIfNull(connectionB);
        cancellationToken.ThrowIfCancellationRequested();
        var (pairKey, _) = PairKey.Of(tenantId, kind, connectionA, connectionB);
        lock (_lock)
        {
            return Task.FromResult(_pairs.TryGetValue(pairKey, out var pair) ? (long)pair.ByLow.Count : 0L);
        }
    }

    /// <inheritdoc />
    public Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        cancellationToken.ThrowIfCancellationRequested();
        long removed = 0;
        lock (_lock)
        {
            foreach (var key in _pairs.Keys.Where(k => string.Equals(k.TenantId, tenantId, StringComparison.Ordinal)).ToList())
            {
                removed += _pairs[key].ByLow.Count;
                _pairs.Remove(key);
            }
        }

        return Task.FromResult(removed);
    }

    private static IdMapEntry Copy(IdMapEntry entry)
        => entry.Lineage is null ? entry : entry with { Lineage = CopyLineage(entry.Lineage) };

    private static Lineage CopyLineage(Lineage lineage)
        => lineage with { ChangedGroups = [.. lineage.ChangedGroups], Earlier = [.. lineage.Earlier.Select(CopyLineage)] };

    private readonly record struct PairKey(string TenantId, EntityKind Kind, string Low, string High)
    {
        /// <summary>Orders two connections; when both are the same connection, <paramref name="first"/> counts as the low side.</summary>
        public static (PairKey Key, bool FirstIsLow) Of(string tenantId, EntityKind kind, string first, string second)
            => string.CompareOrdinal(first, second) <= 0
                ? (new PairKey(tenantId, kind, first, second), true)
                : (new PairKey(tenantId, kind, second, first), false);
    }

    private sealed class Pair
    {
        public Dictionary<string, IdMapEntry> ByLow { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, IdMapEntry> ByHigh { get; } = new(StringComparer.Ordinal);
    }
}
