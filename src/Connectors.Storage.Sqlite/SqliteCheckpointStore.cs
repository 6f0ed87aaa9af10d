using Connectors.Abstractions;
using Connectors.Storage.Sqlite.Internal;

namespace Connectors.Storage.Sqlite;

/// <summary>An <see cref="ICheckpointStore"/> in a SQLite database.</summary>
public sealed class SqliteCheckpointStore : ICheckpointStore
{
    private readonly SqliteDatabase _db;

    /// <summary>Creates a store over the database the options name; the schema is created or migrated on first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public SqliteCheckpointStore(SqliteStoreOptions options)
        : this(new SqliteDatabase(options))
    {
    }

    internal SqliteCheckpointStore(SqliteDatabase db) => _db = db;

    /// <inheritdoc />
    public Task<Checkpoint?> GetAsync(string tenantId, string flowId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(flowId);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null, "SELECT cursor, cursor_token, updated_at FROM checkpoints WHERE tenant_id = @tenant AND flow_id = @flow;",
                    ("@tenant", tenantId), ("@flow", flowId));
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                return new Checkpoint
                {
                    Cursor = Sql.ReadNullableTime(reader, 0),
                    CursorToken = Sql.ReadNullableString(reader, 1),
                    UpdatedAt = Sql.ReadTime(reader, 2),
                };
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task SetAsync(string tenantId, string flowId, Checkpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(flowId);
        ArgumentNullException.ThrowIfNull(checkpoint);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null,
                    "INSERT INTO checkpoints (tenant_id, flow_id, cursor, cursor_token, updated_at) VALUES (@tenant, @flow, @cursor, @token, @updatedAt) "
                    + "ON CONFLICT (tenant_id, flow_id) DO UPDATE SET cursor = excluded.cursor, cursor_token = excluded.cursor_token, updated_at = excluded.updated_at;",
                    ("@tenant", tenantId), ("@flow", flowId), ("@cursor", Sql.Time(checkpoint.Cursor)), ("@token", checkpoint.CursorToken),
                    ("@updatedAt", Sql.Time(checkpoint.UpdatedAt)));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string tenantId, string flowId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(flowId);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null, "DELETE FROM checkpoints WHERE tenant_id = @tenant AND flow_id = @flow;", ("@tenant", tenantId), ("@flow", flowId));
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
                using var command = Sql.Command(connection, null, "DELETE FROM checkpoints WHERE tenant_id = @tenant;", ("@tenant", tenantId));
                return (long)await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }
}
