using Connectors.Abstractions;
using Connectors.Core;
using Connectors.Storage.Sqlite.Internal;

namespace Connectors.Storage.Sqlite;

/// <summary>
/// An <see cref="ICredentialStore"/> in a SQLite database. The database holds only the <see cref="ISecretProtector"/>'s
/// ciphertext; the key stays outside it. Saves are compare-and-swap on the version (1 after the first save), atomic across
/// connections and processes sharing the file.
/// </summary>
public sealed class SqliteCredentialStore : ICredentialStore
{
    private readonly SqliteDatabase _db;
    private readonly ISecretProtector _protector;

    /// <summary>Creates a store over the database the options name; the schema is created or migrated on first use.</summary>
    /// <param name="options">The options.</param>
    /// <param name="protector">The protector that encrypts secrets at rest.</param>
    /// <exception cref="ArgumentNullException"><paramref name="protector"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public SqliteCredentialStore(SqliteStoreOptions options, ISecretProtector protector)
        : this(new SqliteDatabase(options), protector)
    {
    }

    internal SqliteCredentialStore(SqliteDatabase db, ISecretProtector protector)
    {
        ArgumentNullException.ThrowIfNull(protector);
        _db = db;
        _protector = protector;
    }

    /// <inheritdoc />
    public async Task<StoredCredential?> GetAsync(ConnectionId connection, CancellationToken cancellationToken = default)
    {
        var row = await _db.RunAsync(
            async sqlite =>
            {
                using var command = Sql.Command(
                    sqlite, null, "SELECT secret, version, updated_at FROM credentials WHERE tenant_id = @tenant AND connection = @connection;",
                    ("@tenant", connection.TenantId), ("@connection", connection.Name));
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return default((byte[], long, DateTimeOffset)?);
                }

                return ((byte[])reader.GetValue(0), reader.GetInt64(1), Sql.ReadTime(reader, 2));
            },
            cancellationToken).ConfigureAwait(false);
        if (row is not { } found)
        {
            return null;
        }

        return new StoredCredential
        {
            Secrets = CredentialCodec.Unprotect(_protector, found.Item1),
            Version = found.Item2,
            UpdatedAt = found.Item3,
        };
    }

    /// <inheritdoc />
    public async Task<StoredCredential?> TrySaveAsync(
        ConnectionId connection, IReadOnlyDictionary<string, string> secrets, long expectedVersion, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentException.ThrowIfNullOrEmpty(connection.TenantId, nameof(connection));
        ArgumentException.ThrowIfNullOrEmpty(connection.Name, nameof(connection));
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        var copy = new Dictionary<string, string>(secrets, StringComparer.Ordinal).AsReadOnly();
        var secret = CredentialCodec.Protect(_protector, copy);
        var sql = expectedVersion == 0
            ? "INSERT INTO credentials (tenant_id, connection, secret, version, updated_at) VALUES (@tenant, @connection, @secret, 1, @updatedAt) "
                + "ON CONFLICT (tenant_id, connection) DO NOTHING;"
            : "UPDATE credentials SET secret = @secret, version = version + 1, updated_at = @updatedAt "
                + "WHERE tenant_id = @tenant AND connection = @connection AND version = @expected;";
        var saved = await _db.RunAsync(
            async sqlite =>
            {
                using var command = Sql.Command(
                    sqlite, null, sql,
                    ("@tenant", connection.TenantId), ("@connection", connection.Name), ("@secret", secret),
                    ("@updatedAt", Sql.Time(now)), ("@expected", expectedVersion));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            },
            cancellationToken).ConfigureAwait(false);
        return saved ? new StoredCredential { Secrets = copy, Version = expectedVersion + 1, UpdatedAt = now } : null;
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(ConnectionId connection, CancellationToken cancellationToken = default)
        => _db.RunAsync(
            async sqlite =>
            {
                using var command = Sql.Command(
                    sqlite, null, "DELETE FROM credentials WHERE tenant_id = @tenant AND connection = @connection;",
                    ("@tenant", connection.TenantId), ("@connection", connection.Name));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        return _db.RunAsync(
            async sqlite =>
            {
                using var command = Sql.Command(sqlite, null, "DELETE FROM credentials WHERE tenant_id = @tenant;", ("@tenant", tenantId));
                return (long)await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }
}
