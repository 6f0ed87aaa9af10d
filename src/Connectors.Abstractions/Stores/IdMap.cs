using System.Globalization;
using System.Text;

namespace Connectors.Abstractions;

/// <summary>
/// Hashes of a record's normalised projection, one per field group (for the canonical model: per top-level property).
/// Two records with equal vectors carry the same data; the groups that differ tell which fields changed.
/// </summary>
public sealed class HashVector : IEquatable<HashVector>
{
    private readonly SortedDictionary<string, string> _hashes;

    /// <summary>Creates a vector from hashes per field group.</summary>
    /// <param name="hashes">The hashes by group name.</param>
    public HashVector(IEnumerable<KeyValuePair<string, string>> hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        _hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (group, hash) in hashes)
        {
            if (group.Contains('=', StringComparison.Ordinal) || group.Contains(';', StringComparison.Ordinal))
            {
                throw new ArgumentException($"Field group '{group}' must not contain '=' or ';'.", nameof(hashes));
            }

            _hashes[group] = hash;
        }
    }

    /// <summary>Gets an empty vector.</summary>
    public static HashVector Empty { get; } = new([]);

    /// <summary>Gets the hashes by field group.</summary>
    public IReadOnlyDictionary<string, string> Groups => _hashes;

    /// <summary>Gets the groups whose hash differs between this vector and <paramref name="other"/> (present in one only counts).</summary>
    /// <param name="other">The other vector.</param>
    /// <returns>The differing groups, sorted.</returns>
    public IReadOnlyList<string> DifferingGroups(HashVector? other)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        var otherGroups = other?._hashes ?? new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (group, hash) in _hashes)
        {
            if (!otherGroups.TryGetValue(group, out var h) || !string.Equals(h, hash, StringComparison.Ordinal))
            {
                result.Add(group);
            }
        }

        foreach (var group in otherGroups.Keys)
        {
            if (!_hashes.ContainsKey(group))
            {
                result.Add(group);
            }
        }

        return [.. result];
    }

    /// <summary>Writes the vector in its storage form, <c>group=hash;group=hash</c>, sorted by group.</summary>
    /// <returns>The storage form.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var (group, hash) in _hashes)
        {
            if (sb.Length > 0)
            {
                sb.Append(';');
            }

            sb.Append(group).Append('=').Append(hash);
        }

        return sb.ToString();
    }

    /// <summary>Reads a vector from its storage form.</summary>
    /// <param name="text">The storage form; <see langword="null"/> or empty gives <see cref="Empty"/>.</param>
    /// <returns>The vector.</returns>
    /// <exception cref="FormatException">The text is not a vector's storage form.</exception>
    public static HashVector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Empty;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in text.Split(';'))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException(string.Format(CultureInfo.InvariantCulture, "'{0}' is not a hash vector entry.", part));
            }

            pairs.Add(new(part[..eq], part[(eq + 1)..]));
        }

        return new HashVector(pairs);
    }

    /// <inheritdoc />
    public bool Equals(HashVector? other)
        => other is not null && _hashes.Count == other._hashes.Count && DifferingGroups(other).Count == 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as HashVector);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());
}

/// <summary>Which flow, run and source record last set fields of a mapped record.</summary>
public sealed record Lineage
{
    /// <summary>Gets the flow that wrote.</summary>
    public required string FlowId { get; init; }

    /// <summary>Gets the run that wrote.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the source record's key.</summary>
    public required string SourceKey { get; init; }

    /// <summary>Gets the field groups the write changed.</summary>
    public IReadOnlyList<string> ChangedGroups { get; init; } = [];

    /// <summary>Gets when the write happened.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>
    /// Gets earlier writes that are still the last to have set some field group, each with only those groups in
    /// <see cref="ChangedGroups"/> (at most one entry per field group, so the list stays small).
    /// </summary>
    public IReadOnlyList<Lineage> Earlier { get; init; } = [];

    /// <summary>Gets the write that last set a field group through this link, or <see langword="null"/> when none did.</summary>
    /// <param name="fieldGroup">The field group, for example <c>phone</c>.</param>
    /// <returns>The write (without its <see cref="Earlier"/> list), or <see langword="null"/>.</returns>
    public Lineage? LastSet(string fieldGroup)
    {
        ArgumentNullException.ThrowIfNull(fieldGroup);
        if (ChangedGroups.Contains(fieldGroup, StringComparer.Ordinal))
        {
            return this with { Earlier = [] };
        }

        return Earlier.FirstOrDefault(l => l.ChangedGroups.Contains(fieldGroup, StringComparer.Ordinal));
    }

    /// <summary>
    /// Returns the lineage after a further write: <paramref name="next"/> becomes the last write, and earlier writes keep
    /// only the groups <paramref name="next"/> did not change. A write that changed nothing leaves the lineage as it was.
    /// </summary>
    /// <param name="previous">The lineage so far, or <see langword="null"/>.</param>
    /// <param name="next">The new write.</param>
    /// <returns>The merged lineage.</returns>
    public static Lineage Merge(Lineage? previous, Lineage next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (previous is null)
        {
            return next;
        }

        if (next.ChangedGroups.Count == 0)
        {
            return previous;
        }

        var changed = new HashSet<string>(next.ChangedGroups, StringComparer.Ordinal);
        var earlier = new List<Lineage>();
        foreach (var write in previous.Earlier.Prepend(previous))
        {
            var rest = write.ChangedGroups.Where(g => !changed.Contains(g)).ToArray();
            if (rest.Length > 0)
            {
                earlier.Add(write with { ChangedGroups = rest, Earlier = [] });
                changed.UnionWith(rest);
            }
        }

        return next with { Earlier = earlier };
    }
}

/// <summary>
/// One link of the ID map: a record known as <see cref="KeyA"/> on connection <see cref="ConnectionA"/> is the record
/// known as <see cref="KeyB"/> on <see cref="ConnectionB"/>, with each side's last known hash vector.
/// </summary>
public sealed record IdMapEntry
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the entity kind (as stored on side A).</summary>
    public required EntityKind Kind { get; init; }

    /// <summary>Gets side A's connection name.</summary>
    public required string ConnectionA { get; init; }

    /// <summary>Gets side A's key.</summary>
    public required string KeyA { get; init; }

    /// <summary>Gets side B's connection name.</summary>
    public required string ConnectionB { get; init; }

    /// <summary>Gets side B's key.</summary>
    public required string KeyB { get; init; }

    /// <summary>Gets the hash vector of side A's record as last read or read back.</summary>
    public HashVector? HashesA { get; init; }

    /// <summary>Gets the hash vector of side B's record as last read or read back.</summary>
    public HashVector? HashesB { get; init; }

    /// <summary>Gets which flow, run and source record last wrote through this link.</summary>
    public Lineage? Lineage { get; init; }

    /// <summary>Gets when the link was last written.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Returns the entry seen from <paramref name="connection"/>: that connection is side A.</summary>
    /// <param name="connection">The connection that should be side A.</param>
    /// <returns>This entry, or the entry with sides swapped.</returns>
    /// <exception cref="ArgumentException">The connection is neither side.</exception>
    public IdMapEntry OrientedFrom(string connection)
    {
        if (string.Equals(connection, ConnectionA, StringComparison.Ordinal))
        {
            return this;
        }

        if (!string.Equals(connection, ConnectionB, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Connection '{connection}' is not a side of this ID-map entry.", nameof(connection));
        }

        return this with
        {
            ConnectionA = ConnectionB,
            KeyA = KeyB,
            HashesA = HashesB,
            ConnectionB = ConnectionA,
            KeyB = KeyA,
            HashesB = HashesA,
        };
    }
}

/// <summary>
/// The ID map: links between records of a connection pair, shared by every flow between the two connections and
/// queryable from either side. Implementations store a link once, whichever side it is written from; a key on one side
/// maps to at most one key on the other.
/// </summary>
public interface IIdMapStore
{
    /// <summary>Looks up many keys of one side at once.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="kind">The entity kind.</param>
    /// <param name="fromConnection">The side the keys belong to.</param>
    /// <param name="fromKeys">The keys.</param>
    /// <param name="toConnection">The other side.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The entries found, oriented with <paramref name="fromConnection"/> as side A, by side-A key.</returns>
    Task<IReadOnlyDictionary<string, IdMapEntry>> GetManyAsync(
        string tenantId,
        EntityKind kind,
        string fromConnection,
        IReadOnlyCollection<string> fromKeys,
        string toConnection,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds or replaces a link. An existing link of either key (to the other connection) is replaced, so each key maps to
    /// at most one key on the other side.
    /// </summary>
    /// <param name="entry">The link, in either orientation.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>A task that completes when the link is durable.</returns>
    Task UpsertAsync(IdMapEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Removes a link.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="kind">The entity kind.</param>
    /// <param name="fromConnection">The side <paramref name="fromKey"/> belongs to.</param>
    /// <param name="fromKey">The key.</param>
    /// <param name="toConnection">The other side.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns><see langword="true"/> when a link was removed.</returns>
    Task<bool> RemoveAsync(
        string tenantId, EntityKind kind, string fromConnection, string fromKey, string toConnection,
        CancellationToken cancellationToken = default);

    /// <summary>Counts the links of a tenant and kind between two connections.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="kind">The entity kind.</param>
    /// <param name="connectionA">One side.</param>
    /// <param name="connectionB">The other side.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The number of links.</returns>
    Task<long> CountAsync(
        string tenantId, EntityKind kind, string connectionA, string connectionB, CancellationToken cancellationToken = default);

    /// <summary>Removes every link of a tenant.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The number of links removed.</returns>
    Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default);
}
