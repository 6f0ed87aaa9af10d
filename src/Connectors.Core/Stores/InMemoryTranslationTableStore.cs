using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>
/// An <see cref="ITranslationTableStore"/> held in memory. Thread-safe. Keys and table names compare ordinally; a table
/// exists while it has at least one entry.
/// </summary>
public sealed class InMemoryTranslationTableStore : ITranslationTableStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string TenantId, string Table), Dictionary<string, string>> _tables = [];

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string>> GetTableAsync(
        string tenantId, string table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(table);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            IReadOnlyDictionary<string, string> result = _tables.TryGetValue((tenantId, table), out var entries)
                ? new Dictionary<string, string>(entries, StringComparer.Ordinal).AsReadOnly()
                : new Dictionary<string, string>(StringComparer.Ordinal).AsReadOnly();
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<string?> LookupAsync(string tenantId, string table, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(
                _tables.TryGetValue((tenantId, table), out var entries) && entries.TryGetValue(key, out var value) ? value : null);
        }
    }

    /// <inheritdoc />
    public Task SetEntriesAsync(
        string tenantId, string table, IReadOnlyDictionary<string, string?> entries, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_tables.TryGetValue((tenantId, table), out var stored))
            {
                stored = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            foreach (var (key, value) in entries)
            {
                if (value is null)
                {
                    stored.Remove(key);
                }
                else
                {
                    stored[key] = value;
                }
            }

            if (stored.Count == 0)
            {
                _tables.Remove((tenantId, table));
            }
            else
            {
                _tables[(tenantId, table)] = stored;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListTablesAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            IReadOnlyList<string> result = [.. _tables.Keys
                .Where(k => string.Equals(k.TenantId, tenantId, StringComparison.Ordinal))
                .Select(k => k.Table)
                .Order(StringComparer.Ordinal)];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteTableAsync(string tenantId, string table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(table);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_tables.Remove((tenantId, table)));
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
            foreach (var key in _tables.Keys.Where(k => string.Equals(k.TenantId, tenantId, StringComparison.Ordinal)).ToList())
            {
                removed += _tables[key].Count;
                _tables.Remove(key);
            }
        }

        return Task.FromResult(removed);
    }
}
