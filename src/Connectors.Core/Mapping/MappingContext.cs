using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>
/// Synchronous look-ups in translation tables loaded for a run (tables are small and read once per run, so mapping
/// stays synchronous and allocation-free on the hot path).
/// </summary>
public interface ITranslationLookup
{
    /// <summary>Looks up a key in a table.</summary>
    /// <param name="table">The table's name.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> when the table holds the key.</returns>
    bool TryTranslate(string table, string key, out string? value);
}

/// <summary>What a mapping knows about the record it maps: tenant, kind, key, and the run's translation tables.</summary>
public sealed class MappingContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="flowId">The flow.</param>
    /// <param name="kind">The source entity kind.</param>
    /// <param name="recordKey">The source record's key.</param>
    /// <param name="tables">The translation tables loaded for the run.</param>
    public MappingContext(string tenantId, string flowId, EntityKind kind, string recordKey, ITranslationLookup tables)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(flowId);
        ArgumentNullException.ThrowIfNull(recordKey);
        ArgumentNullException.ThrowIfNull(tables);
        TenantId = tenantId;
        FlowId = flowId;
        Kind = kind;
        RecordKey = recordKey;
        Tables = tables;
    }

    /// <summary>Gets the tenant.</summary>
    public string TenantId { get; }

    /// <summary>Gets the flow.</summary>
    public string FlowId { get; }

    /// <summary>Gets the source entity kind.</summary>
    public EntityKind Kind { get; }

    /// <summary>Gets the source record's key, for messages.</summary>
    public string RecordKey { get; }

    /// <summary>Gets the translation tables loaded for the run.</summary>
    public ITranslationLookup Tables { get; }

    /// <summary>Creates the exception for a field that cannot be mapped, in the one fixed message format.</summary>
    /// <param name="field">The canonical path of the field.</param>
    /// <param name="problem">What is wrong.</param>
    /// <returns>The exception to throw.</returns>
    public RecordValidationException Error(string field, string problem) => new(Kind, RecordKey, field, problem);
}

/// <summary>Translation tables held in memory: the snapshot a run loads, or tables built in code.</summary>
public sealed class TranslationTables : ITranslationLookup
{
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _tables = new(StringComparer.Ordinal);

    /// <summary>Gets an empty set of tables.</summary>
    public static TranslationTables Empty { get; } = new();

    /// <summary>Gets the names of the tables held.</summary>
    public IReadOnlyCollection<string> Names => _tables.Keys;

    /// <summary>Adds or replaces a table.</summary>
    /// <param name="table">The table's name.</param>
    /// <param name="entries">The entries.</param>
    /// <returns>This instance.</returns>
    public TranslationTables Set(string table, IReadOnlyDictionary<string, string> entries)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        ArgumentNullException.ThrowIfNull(entries);
        if (ReferenceEquals(this, Empty))
        {
            throw new InvalidOperationException("TranslationTables.Empty cannot be changed; create a new instance.");
        }

        _tables[table] = entries;
        return this;
    }

    /// <summary>Loads tables of a tenant from a store.</summary>
    /// <param name="store">The store.</param>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="tables">The names of the tables to load.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The tables.</returns>
    public static async Task<TranslationTables> LoadAsync(
        ITranslationTableStore store, string tenantId, IEnumerable<string> tables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(tables);
        var result = new TranslationTables();
        foreach (var table in tables.Distinct(StringComparer.Ordinal))
        {
            result._tables[table] = await store.GetTableAsync(tenantId, table, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <inheritdoc />
    public bool TryTranslate(string table, string key, out string? value)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(key);
        if (_tables.TryGetValue(table, out var entries) && entries.TryGetValue(key, out var found))
        {
            value = found;
            return true;
        }

        value = null;
        return false;
    }
}
