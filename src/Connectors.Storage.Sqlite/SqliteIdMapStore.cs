using Connectors.Abstractions;
using Connectors.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace Connectors.Storage.Sqlite;

/// <summary>
/// An <see cref="IIdMapStore"/> in a SQLite database. A link is one row, stored with its two connections in ordinal order,
/// and unique on each side, so each key maps to at most one key on the other side. Entity kinds compare without regard
/// to (ASCII) case.
/// </summary>
public sealed class SqliteIdMapStore : IIdMapStore
{
    private const string Columns = "tenant_id, kind, conn_low, conn_high, key_low, key_high, hashes_low, hashes_high, lineage, updated_at";
    private readonly SqliteDatabase _db;

    /// <summary>Creates a store over the database the options name; the schema is created or migrated on first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public SqliteIdMapStore(SqliteStoreOptions options)
        : this(new SqliteDatabase(options))
    {
    }

    internal SqliteIdMapStore(SqliteDatabase db) => _db = db;

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
        var (low, high, fromIsLow) = Order(fromConnection, toConnection);
        return _db.RunAsync<IReadOnlyDictionary<string, IdMapEntry>>(
            async connection =>
            {
                var result = new Dictionary<string, IdMapEntry>(StringComparer.Ordinal);
                foreach (var chunk in Sql.Chunks(fromKeys))
                {
                    using var command = Sql.Command(
                        connection, null, string.Empty, ("@tenant", tenantId), ("@kind", kind.Value), ("@low", low), ("@high", high));
                    var list = Sql.AddList(command, "k", chunk);
                    command.CommandText =
                        $"SELECT {Columns} FROM id_map WHERE tenant_id = @tenant AND kind = @kind AND conn_low = @low AND conn_high = @high "
                        + $"AND {(fromIsLow ? "key_low" : "key_high")} IN ({list});";
                    using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var entry = Read(reader, lowIsA: fromIsLow);
                        result[entry.KeyA] = entry;
                    }
                }

                return result;
            },
            cancellationToken);
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
        var (_, _, aIsLow) = Order(entry.ConnectionA, entry.ConnectionB);
        var stored = aIsLow ? entry : entry.OrientedFrom(entry.ConnectionB);
        return _db.WriteAsync(
            async (connection, transaction) =>
            {
                using (var delete = Sql.Command(
                    connection, transaction,
                    "DELETE FROM id_map WHERE tenant_id = @tenant AND kind = @kind AND conn_low = @low AND conn_high = @high "
                    + "AND (key_low = @keyLow OR key_high = @keyHigh);",
                    ("@tenant", stored.TenantId), ("@kind", stored.Kind.Value), ("@low", stored.ConnectionA), ("@high", stored.ConnectionB),
                    ("@keyLow", stored.KeyA), ("@keyHigh", stored.KeyB)))
                {
                    await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                using var insert = Sql.Command(
                    connection, transaction,
                    $"INSERT INTO id_map ({Columns}) VALUES (@tenant, @kind, @low, @high, @keyLow, @keyHigh, @hashesLow, @hashesHigh, @lineage, @updatedAt);",
                    ("@tenant", stored.TenantId), ("@kind", stored.Kind.Value), ("@low", stored.ConnectionA), ("@high", stored.ConnectionB),
                    ("@keyLow", stored.KeyA), ("@keyHigh", stored.KeyB), ("@hashesLow", stored.HashesA?.ToString()),
                    ("@hashesHigh", stored.HashesB?.ToString()), ("@lineage", Sql.WriteLineage(stored.Lineage)),
                    ("@updatedAt", Sql.Time(stored.UpdatedAt)));
                return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
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
        var (low, high, fromIsLow) = Order(fromConnection, toConnection);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null,
                    "DELETE FROM id_map WHERE tenant_id = @tenant AND kind = @kind AND conn_low = @low AND conn_high = @high "
                    + $"AND {(fromIsLow ? "key_low" : "key_high")} = @key;",
                    ("@tenant", tenantId), ("@kind", kind.Value), ("@low", low), ("@high", high), ("@key", fromKey));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> CountAsync(
        string tenantId, EntityKind kind, string connectionA, string connectionB, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(connectionA);
        ArgumentNullException.ThrowIfNull(connectionB);
        var (low, high, _) = Order(connectionA, connectionB);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null,
                    "SELECT COUNT(*) FROM id_map WHERE tenant_id = @tenant AND kind = @kind AND conn_low = @low AND conn_high = @high;",
                    ("@tenant", tenantId), ("@kind", kind.Value), ("@low", low), ("@high", high));
                return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(connection, null, "DELETE FROM id_map WHERE tenant_id = @tenant;", ("@tenant", tenantId));
                return (long)await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <summary>Orders two connections; when both are the same connection, <paramref name="first"/> counts as the low side.</summary>
    private static (string Low, string High, bool FirstIsLow) Order(string first, string second)
        => string.CompareOrdinal(first, second) <= 0 ? (first, second, true) : (second, first, false);

    private static IdMapEntry Read(SqliteDataReader reader, bool lowIsA)
    {
        var entry = new IdMapEntry
        {
            TenantId = reader.GetString(0),
            Kind = new EntityKind(reader.GetString(1)),
            ConnectionA = reader.GetString(2),
            ConnectionB = reader.GetString(3),
            KeyA = reader.GetString(4),
            KeyB = reader.GetString(5),
            HashesA = Sql.ReadHashes(reader, 6),
            HashesB = Sql.ReadHashes(reader, 7),
            Lineage = Sql.ReadLineage(reader, 8),
            UpdatedAt = Sql.ReadTime(reader, 9),
        };
        return lowIsA
            ? entry
            : entry with
            {
                ConnectionA = entry.ConnectionB,
                KeyA = entry.KeyB,
                HashesA = entry.HashesB,
                ConnectionB = entry.ConnectionA,
                KeyB = entry.KeyA,
                HashesB = entry.HashesA,
            };
    }
}
