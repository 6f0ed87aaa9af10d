using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>What a flow does with a record deleted in the source.</summary>
public enum DeletePolicy
{
    /// <summary>Nothing: the target keeps its record (counted as skipped).</summary>
    Ignore,

    /// <summary>Delete the linked target record and remove the link.</summary>
    Propagate,
}

/// <summary>A problem with one field of a record, found by a flow's validation.</summary>
/// <param name="Field">The canonical path of the field, for example <c>lines[2].unitPrice</c>.</param>
/// <param name="Problem">What is wrong, for example <c>must not be negative</c>.</param>
public sealed record FieldError(string Field, string Problem);

/// <summary>
/// A reference from a record to another record (an order's customer, a line's product) that must be translated through
/// the ID map before the record can be written. A record whose reference is not mapped yet waits in the journal.
/// </summary>
public sealed class FlowReference
{
    internal FlowReference(
        EntityKind kind,
        string field,
        Func<ICanonicalRecord, IReadOnlyList<string>> getKeys,
        Func<ICanonicalRecord, IReadOnlyDictionary<string, string>, ICanonicalRecord> setKeys)
    {
        Kind = kind;
        Field = field;
        GetKeys = getKeys;
        SetKeys = setKeys;
    }

    /// <summary>Gets the kind of the record referenced.</summary>
    public EntityKind Kind { get; }

    /// <summary>Gets the canonical path of the reference, for messages (for example <c>customer.externalId</c>).</summary>
    public string Field { get; }

    internal Func<ICanonicalRecord, IReadOnlyList<string>> GetKeys { get; }

    internal Func<ICanonicalRecord, IReadOnlyDictionary<string, string>, ICanonicalRecord> SetKeys { get; }
}

/// <summary>
/// A flow: source connection + source entity kind → target connection + target entity kind, with its mapping and
/// policies. A flow is a template: it runs for a tenant, whose connections of these names are resolved at run time.
/// Build one with <see cref="Flow.Create{TSource, TTarget}(string)"/>.
/// </summary>
public sealed class FlowDefinition
{
    internal FlowDefinition()
    {
    }

    /// <summary>Gets the flow's id, unique in the application.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the source connection's name.</summary>
    public required string SourceConnection { get; init; }

    /// <summary>Gets the source entity kind.</summary>
    public required EntityKind SourceKind { get; init; }

    /// <summary>Gets the canonical type of source records.</summary>
    public required Type SourceType { get; init; }

    /// <summary>Gets the target connection's name.</summary>
    public required string TargetConnection { get; init; }

    /// <summary>Gets the target entity kind.</summary>
    public required EntityKind TargetKind { get; init; }

    /// <summary>Gets the canonical type of target records.</summary>
    public required Type TargetType { get; init; }

    /// <summary>Gets the references resolved through the ID map.</summary>
    public IReadOnlyList<FlowReference> References { get; init; } = [];

    /// <summary>Gets what happens to records deleted in the source.</summary>
    /// <value>The default value is <see cref="DeletePolicy.Ignore"/>.</value>
    public DeletePolicy OnDelete { get; init; }

    /// <summary>Gets the page size asked of the source, or <see langword="null"/> for the engine's default.</summary>
    public int? PageSize { get; init; }

    /// <summary>Gets top-level fields left out of hashes (fields neither side maps).</summary>
    public IReadOnlySet<string> HashExclusions { get; init; } = new HashSet<string>();

    /// <summary>Gets the conflict policy of field groups not named in <see cref="Policies"/>.</summary>
    /// <value>The default value is <see cref="ConflictPolicy.SourceWins"/>.</value>
    public ConflictPolicy DefaultPolicy { get; init; }

    /// <summary>Gets the conflict policy per field group (a top-level canonical field such as <c>phone</c> or <c>billingAddress</c>).</summary>
    public IReadOnlyDictionary<string, ConflictPolicy> Policies { get; init; } = new Dictionary<string, ConflictPolicy>();

    /// <summary>Gets how far apart two <c>updatedAt</c> values must be for <see cref="ConflictPolicy.LastWriterWins"/> to pick one.</summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan ClockSkewTolerance { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets whether an update needs the target's current record first (any policy other than <see cref="ConflictPolicy.SourceWins"/>).</summary>
    public bool ReadsTargetBeforeUpdate => DefaultPolicy != ConflictPolicy.SourceWins || Policies.Values.Any(p => p != ConflictPolicy.SourceWins);

    /// <summary>Gets the policy of a field group.</summary>
    /// <param name="fieldGroup">The field group.</param>
    /// <returns>The policy.</returns>
    public ConflictPolicy PolicyFor(string fieldGroup) => Policies.TryGetValue(fieldGroup, out var policy) ? policy : DefaultPolicy;

    /// <summary>Gets whether unmatched records are matched by natural key in the target before being created.</summary>
    public bool MatchesBeforeCreate => MatchKey is not null;

    /// <summary>Gets the translation tables the mapping uses; the engine loads them for the tenant at the start of each run.</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];

    internal Func<ICanonicalRecord, MappingContext, ICanonicalRecord?> Map { get; init; } = static (r, _) => r;

    internal Func<ICanonicalRecord, IEnumerable<FieldError>> Validate { get; init; } = static _ => [];

    internal Func<ICanonicalRecord, string?>? MatchKey { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Id}: {SourceConnection}/{SourceKind} → {TargetConnection}/{TargetKind}";
}

/// <summary>Entry point for building flows.</summary>
public static class Flow
{
    /// <summary>Starts building a flow.</summary>
    /// <typeparam name="TSource">The canonical type of source records.</typeparam>
    /// <typeparam name="TTarget">The canonical type of target records.</typeparam>
    /// <param name="id">The flow's id, unique in the application.</param>
    /// <returns>A builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public static FlowBuilder<TSource, TTarget> Create<TSource, TTarget>(string id)
        where TSource : class, ICanonicalRecord
        where TTarget : class, ICanonicalRecord
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return new FlowBuilder<TSource, TTarget>(id);
    }

    /// <summary>Starts building a flow between records of one canonical type.</summary>
    /// <typeparam name="T">The canonical type.</typeparam>
    /// <param name="id">The flow's id, unique in the application.</param>
    /// <returns>A builder whose mapping is the identity until changed.</returns>
    public static FlowBuilder<T, T> Create<T>(string id)
        where T : class, ICanonicalRecord
        => Create<T, T>(id).Map(static (T r) => r);
}

/// <summary>Builds a <see cref="FlowDefinition"/>.</summary>
/// <typeparam name="TSource">The canonical type of source records.</typeparam>
/// <typeparam name="TTarget">The canonical type of target records.</typeparam>
public sealed class FlowBuilder<TSource, TTarget>
    where TSource : class, ICanonicalRecord
    where TTarget : class, ICanonicalRecord
{
    private readonly string _id;
    private readonly List<FlowReference> _references = [];
    private readonly List<Func<TSource, IEnumerable<FieldError>>> _validators = [];
    private readonly HashSet<string> _hashExclusions = new(StringComparer.Ordinal);
    private string? _sourceConnection;
    private EntityKind? _sourceKind;
    private string? _targetConnection;
    private EntityKind? _targetKind;
    private readonly List<string> _tables = [];
    private Func<TSource, MappingContext, TTarget?>? _map;
    private Func<TTarget, string?>? _matchKey;
    private readonly Dictionary<string, ConflictPolicy> _policies = new(StringComparer.Ordinal);
    private ConflictPolicy _defaultPolicy;
    private TimeSpan _skew = TimeSpan.FromSeconds(2);
    private DeletePolicy _onDelete;
    private int? _pageSize;

    internal FlowBuilder(string id) => _id = id;

    /// <summary>Sets the source connection and entity kind.</summary>
    /// <param name="connection">The source connection's name.</param>
    /// <param name="kind">The source entity kind.</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> From(string connection, EntityKind kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        _sourceConnection = connection;
        _sourceKind = kind;
        return this;
    }

    /// <summary>Sets the target connection and entity kind.</summary>
    /// <param name="connection">The target connection's name.</param>
    /// <param name="kind">The target entity kind.</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> To(string connection, EntityKind kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        _targetConnection = connection;
        _targetKind = kind;
        return this;
    }

    /// <summary>
    /// Sets the mapping from a source record to the target record. Return <see langword="null"/> to skip a record (a
    /// condition such as "only paid orders"). Throw <see cref="RecordValidationException"/> to reject it with a message.
    /// </summary>
    /// <param name="map">The mapping.</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> Map(Func<TSource, TTarget?> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        _map = (record, _) => map(record);
        return this;
    }

    /// <summary>
    /// Sets the mapping from a source record to the target record, with the run's <see cref="MappingContext"/>
    /// (translation tables, tenant, record key for messages). Return <see langword="null"/> to skip a record; throw
    /// <see cref="MappingContext.Error"/> to reject it with a message naming the field.
    /// </summary>
    /// <param name="map">The mapping.</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> Map(Func<TSource, MappingContext, TTarget?> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        _map = map;
        return this;
    }

    /// <summary>Names the translation tables the mapping reads; the engine loads them for the tenant once per run.</summary>
    /// <param name="tables">The tables' names.</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> UsesTables(params string[] tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        foreach (var table in tables)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(table, nameof(tables));
            if (!_tables.Contains(table, StringComparer.Ordinal))
            {
                _tables.Add(table);
            }
        }

        return this;
    }

    /// <summary>Adds a validation rule on source records; a record with errors goes to the journal.</summary>
    /// <param name="validate">Returns the record's field errors (none when valid).</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> Validate(Func<TSource, IEnumerable<FieldError>> validate)
    {
        ArgumentNullException.ThrowIfNull(validate);
        _validators.Add(validate);
        return this;
    }

    /// <summary>
    /// Declares a single-valued reference of target records, resolved through the ID map between the same two connections.
    /// </summary>
    /// <param name="kind">The kind of the record referenced.</param>
    /// <param name="field">The canonical path of the reference, for messages.</param>
    /// <param name="get">Gets the referenced key (in the source system) from a mapped record.</param>
    /// <param name="set">Returns the record with the key replaced by the target system's key.</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> Reference(
        EntityKind kind, string field, Func<TTarget, string?> get, Func<TTarget, string, TTarget> set)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(field);
        ArgumentNullException.ThrowIfNull(get);
        ArgumentNullException.ThrowIfNull(set);
        _references.Add(new FlowReference(
            kind,
            field,
            r => get((TTarget)r) is { Length: > 0 } key ? [key] : [],
            (r, keys) =>
            {
                var typed = (TTarget)r;
                var key = get(typed);
                return key is not null && keys.TryGetValue(key, out var mapped) ? set(typed, mapped) : typed;
            }));
        return this;
    }

    /// <summary>
    /// Matches a record not yet in the ID map with an existing target record by natural key (SKU, e-mail, number) before
    /// creating it: one match is linked and updated, several are a conflict for a person, none is created.
    /// </summary>
    /// <param name="naturalKey">Gets the natural key value from the mapped record.</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> MatchBy(Func<TTarget, string?> naturalKey)
    {
        ArgumentNullException.ThrowIfNull(naturalKey);
        _matchKey = naturalKey;
        return this;
    }

    /// <summary>
    /// Sets who owns field groups: the conflict policy applied to them on updates. A field group is a top-level canonical
    /// field, camelCase (<c>phone</c>, <c>billingAddress</c>, <c>lines</c>, <c>description</c>).
    /// </summary>
    /// <param name="policy">The policy.</param>
    /// <param name="fieldGroups">The field groups.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">A field group is not a top-level field of the target type.</exception>
    public FlowBuilder<TSource, TTarget> Own(ConflictPolicy policy, params string[] fieldGroups)
    {
        ArgumentNullException.ThrowIfNull(fieldGroups);
        var known = CanonicalJson.GetTypeInfo(typeof(TTarget)).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var group in fieldGroups)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(group, nameof(fieldGroups));
            if (!known.Contains(group))
            {
                throw new ArgumentException(
                    $"Flow '{_id}': '{group}' is not a top-level field of {typeof(TTarget).Name}. Known fields: {string.Join(", ", known.Order(StringComparer.Ordinal))}.",
                    nameof(fieldGroups));
            }

            _policies[group] = policy;
        }

        return this;
    }

    /// <summary>Sets the conflict policy of every field group not named with <see cref="Own"/>.</summary>
    /// <param name="policy">The policy.</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> DefaultPolicy(ConflictPolicy policy)
    {
        _defaultPolicy = policy;
        return this;
    }

    /// <summary>Sets how far apart two <c>updatedAt</c> values must be for <see cref="ConflictPolicy.LastWriterWins"/> to pick one.</summary>
    /// <param name="tolerance">The tolerance, zero or more.</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> ClockSkewTolerance(TimeSpan tolerance)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tolerance, TimeSpan.Zero);
        _skew = tolerance;
        return this;
    }

    /// <summary>Sets what happens to records deleted in the source.</summary>
    /// <param name="policy">The policy.</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> OnDelete(DeletePolicy policy)
    {
        _onDelete = policy;
        return this;
    }

    /// <summary>Sets the page size asked of the source.</summary>
    /// <param name="pageSize">The page size, 1 to 10,000.</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> PageSize(int pageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 10_000);
        _pageSize = pageSize;
        return this;
    }

    /// <summary>Leaves top-level fields out of hashes (fields neither side maps, such as a server-set revision).</summary>
    /// <param name="fields">The camelCase names of top-level fields.</param>
    /// <returns>This builder.</returns>
    public FlowBuilder<TSource, TTarget> IgnoreInHash(params string[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _hashExclusions.UnionWith(fields);
        return this;
    }

    /// <summary>Builds the flow.</summary>
    /// <returns>The flow definition.</returns>
    /// <exception cref="InvalidOperationException">The source, the target or the mapping is missing.</exception>
    public FlowDefinition Build()
    {
        if (_sourceConnection is null || _sourceKind is null)
        {
            throw new InvalidOperationException($"Flow '{_id}' has no source: call From(connection, kind).");
        }

        if (_targetConnection is null || _targetKind is null)
        {
            throw new InvalidOperationException($"Flow '{_id}' has no target: call To(connection, kind).");
        }

        if (string.Equals(_sourceConnection, _targetConnection, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Flow '{_id}' reads and writes connection '{_sourceConnection}': source and target must differ.");
        }

        var map = _map ?? throw new InvalidOperationException($"Flow '{_id}' has no mapping: call Map(…).");
        var validators = _validators.ToArray();
        var matchKey = _matchKey;
        return new FlowDefinition
        {
            Id = _id,
            SourceConnection = _sourceConnection,
            SourceKind = _sourceKind.Value,
            SourceType = typeof(TSource),
            TargetConnection = _targetConnection,
            TargetKind = _targetKind.Value,
            TargetType = typeof(TTarget),
            References = [.. _references],
            OnDelete = _onDelete,
            PageSize = _pageSize,
            HashExclusions = new HashSet<string>(_hashExclusions, StringComparer.Ordinal),
            Tables = [.. _tables],
            DefaultPolicy = _defaultPolicy,
            Policies = new Dictionary<string, ConflictPolicy>(_policies, StringComparer.Ordinal),
            ClockSkewTolerance = _skew,
            Map = (r, context) => map((TSource)r, context),
            Validate = r => validators.SelectMany(v => v((TSource)r)),
            MatchKey = matchKey is null ? null : r => matchKey((TTarget)r),
        };
    }
}
