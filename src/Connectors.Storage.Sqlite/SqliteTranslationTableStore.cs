using Connectors.Abstractions;
using Connectors.Storage.Sqlite.Internal;

namespace Connectors.Storage.Sqlite;

/// <summary>
/// An <see cref="ITranslationTableStore"/> in a SQLite database: one row per entry. Keys and table names compare exactly
/// (binary); a table exists while it has at least one entry.
/// </summary>
public sealed class SqliteTranslationTableStore : ITranslationTableStore
{
    private readonly SqliteDatabase _db;

    /// <summary>Creates a store over the database the options name; the schema is created or migrated on first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public SqliteTranslationTableStore(SqliteStoreOptions options)
        : this(new SqliteDatabase(options))
    {
    }

    internal SqliteTranslationTableStore(SqliteDatabase db) => _db = db;

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string>> GetTableAsync(
        string tenantId, string table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(table);
        return _db.RunAsync<IReadOnlyDictionary<string, string>>(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null, "SELECT key, value FROM translation_entries WHERE tenant_id = @tenant AND table_name = @table;",
                    ("@tenant", tenantId), ("@table", table));
                var result = new Dictionary<string, string>(StringComparer.Ordinal);
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    result[reader.GetString(0)] = reader.GetString(1);
                }

                return result.AsReadOnly();
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<string?> LookupAsync(string tenantId, string table, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(key);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null, "SELECT value FROM translation_entries WHERE tenant_id = @tenant AND table_name = @table AND key = @key;",
                    ("@tenant", tenantId), ("@table", table), ("@key", key));
                return (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task SetEntriesAsync(
        string tenantId, string table, IReadOnlyDictionary<string, string?> entries, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return Task.CompletedTask;
        }

        return _db.WriteAsync(
            async (connection, transaction) =>
            {
                using var upsert = Sql.Command(
                    connection, transaction,
                    "INSERT INTO translation_entries (tenant_id, table_name, key, value) VALUES (@tenant, @table, @key, @value) "
                    + "ON CONFLICT (tenant_id, table_name, key) DO UPDATE SET value = excluded.value;",
                    ("@tenant", tenantId), ("@table", table), ("@key", string.Empty), ("@value", string.Empty));
                using var delete = Sql.Command(
                    connection, transaction, "DELETE FROM translation_entries WHERE tenant_id = @tenant AND table_name = @table AND key = @key;",
                    ("@tenant", tenantId), ("@table", table), ("@key", string.Empty));
                foreach (var (key, value) in entries)
                {
                    ArgumentNullException.ThrowIfNull(key, nameof(entries));
                    if (value is null)
                    {
                        delete.Parameters["@key"].Value = key;
                        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        upsert.Parameters["@key"].Value = key;
                        upsert.Parameters["@value"].Value = value;
                        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                return entries.Count;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListTablesAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        return _db.RunAsync<IReadOnlyList<string>>(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null, "SELECT DISTINCT table_name FROM translation_entries WHERE tenant_id = @tenant;", ("@tenant", tenantId));
                var result = new List<string>();
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    result.Add(reader.GetString(0));
                }

                result.Sort(StringComparer.Ordinal);
                return result;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteTableAsync(string tenantId, string table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(table);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null, "DELETE FROM translation_entries WHERE tenant_id = @tenant AND table_name = @table;",
                    ("@tenant", tenantId), ("@table", table));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
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
                using var command = Sql.Command(connection, null, "DELETE FROM translation_entries WHERE tenant_id = @tenant;", ("@tenant", tenantId));
                return (long)await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }
}
