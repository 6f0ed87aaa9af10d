using Connectors.Abstractions;
using Connectors.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace Connectors.Storage.Sqlite;

/// <summary>
/// An <see cref="IIntentStore"/> in a SQLite database. Claims and lease-checked updates are single conditional statements,
/// atomic across connections and processes sharing the file. A lease is held while its owner is set and its end is after
/// the current time (no end: held until released).
/// </summary>
public sealed class SqliteIntentStore : IIntentStore
{
    private const string Columns =
        "tenant_id, intent_id, flow_id, run_id, kind, source_key, source_hashes, token, operation, state, payload_json, "
        + "target_key, target_hashes, job_id, lease_owner, lease_until, attempts, created_at, updated_at";

    private const string Unsettled = "('Pending', 'Submitted', 'Written')";
    private const string Blocking = "('Pending', 'Submitted', 'Written', 'NeedsVerification', 'Conflict')";

    private readonly SqliteDatabase _db;

    /// <summary>Creates a store over the database the options name; the schema is created or migrated on first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public SqliteIntentStore(SqliteStoreOptions options)
        : this(new SqliteDatabase(options))
    {
    }

    internal SqliteIntentStore(SqliteDatabase db) => _db = db;

    /// <inheritdoc />
    public Task AddAsync(Intent intent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intent);
        ArgumentException.ThrowIfNullOrEmpty(intent.TenantId, nameof(intent));
        ArgumentException.ThrowIfNullOrEmpty(intent.IntentId, nameof(intent));
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null,
                    $"INSERT INTO intents ({Columns}) VALUES (@tenant, @id, @flow, @run, @kind, @sourceKey, @sourceHashes, @token, @operation, "
                    + "@state, @payload, @targetKey, @targetHashes, @job, @leaseOwner, @leaseUntil, @attempts, @createdAt, @updatedAt) "
                    + "ON CONFLICT (tenant_id, intent_id) DO NOTHING;",
                    Parameters(intent));
                if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    throw new InvalidOperationException($"Tenant '{intent.TenantId}' already has an intent with id '{intent.IntentId}'.");
                }

                return 0;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Intent?> GetAsync(string tenantId, string intentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(intentId);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null, $"SELECT {Columns} FROM intents WHERE tenant_id = @tenant AND intent_id = @id;",
                    ("@tenant", tenantId), ("@id", intentId));
                var found = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
                return found.Count > 0 ? found[0] : null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Intent>> ListUnsettledAsync(
        string tenantId, string flowId, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(flowId);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        return _db.RunAsync<IReadOnlyList<Intent>>(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null,
                    $"SELECT {Columns} FROM intents WHERE tenant_id = @tenant AND flow_id = @flow AND state IN {Unsettled} "
                    + "ORDER BY created_at, seq LIMIT @max;",
                    ("@tenant", tenantId), ("@flow", flowId), ("@max", maxCount));
                return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, Intent>> GetBlockingAsync(
        string tenantId, string flowId, IReadOnlyCollection<string> sourceKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(flowId);
        ArgumentNullException.ThrowIfNull(sourceKeys);
        return _db.RunAsync<IReadOnlyDictionary<string, Intent>>(
            async connection =>
            {
                var result = new Dictionary<string, Intent>(StringComparer.Ordinal);
                foreach (var chunk in Sql.Chunks(sourceKeys))
                {
                    using var command = Sql.Command(connection, null, string.Empty, ("@tenant", tenantId), ("@flow", flowId));
                    var list = Sql.AddList(command, "k", chunk);
                    command.CommandText =
                        $"SELECT {Columns} FROM intents WHERE tenant_id = @tenant AND flow_id = @flow AND source_key IN ({list}) "
                        + $"AND state IN {Blocking} ORDER BY created_at, seq;";
                    foreach (var intent in await ReadAllAsync(command, cancellationToken).ConfigureAwait(false))
                    {
                        result[intent.SourceKey] = intent; // newest wins
                    }
                }

                return result;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Intent?> TryClaimAsync(
        string tenantId, string intentId, string owner, DateTimeOffset now, DateTimeOffset leaseUntil,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(intentId);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null,
                    "UPDATE intents SET lease_owner = @owner, lease_until = @until WHERE tenant_id = @tenant AND intent_id = @id "
                    + "AND (lease_owner IS NULL OR lease_owner = @owner OR (lease_until IS NOT NULL AND lease_until <= @now)) "
                    + $"RETURNING {Columns};",
                    ("@tenant", tenantId), ("@id", intentId), ("@owner", owner), ("@until", Sql.Time(leaseUntil)), ("@now", Sql.Time(now)));
                var found = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
                return found.Count > 0 ? found[0] : null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> TryUpdateAsync(Intent intent, string owner, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intent);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return _db.RunAsync(
            async connection =>
            {
                var parameters = Parameters(intent).Append(("@owner", owner)).Append(("@now", Sql.Time(now))).ToArray();
                using var command = Sql.Command(
                    connection, null,
                    "UPDATE intents SET flow_id = @flow, run_id = @run, kind = @kind, source_key = @sourceKey, source_hashes = @sourceHashes, "
                    + "token = @token, operation = @operation, state = @state, payload_json = @payload, target_key = @targetKey, "
                    + "target_hashes = @targetHashes, job_id = @job, lease_owner = @leaseOwner, lease_until = @leaseUntil, attempts = @attempts, "
                    + "created_at = @createdAt, updated_at = @updatedAt "
                    + "WHERE tenant_id = @tenant AND intent_id = @id AND lease_owner = @owner AND (lease_until IS NULL OR lease_until > @now);",
                    parameters);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<IntentState, int>> CountByStateAsync(
        string tenantId, string? flowId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        return _db.RunAsync<IReadOnlyDictionary<IntentState, int>>(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null,
                    "SELECT state, COUNT(*) FROM intents WHERE tenant_id = @tenant AND (@flow IS NULL OR flow_id = @flow) GROUP BY state;",
                    ("@tenant", tenantId), ("@flow", flowId));
                var result = new Dictionary<IntentState, int>();
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    result[Sql.ReadEnum<IntentState>(reader, 0)] = reader.GetInt32(1);
                }

                return result;
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
                using var command = Sql.Command(connection, null, "DELETE FROM intents WHERE tenant_id = @tenant;", ("@tenant", tenantId));
                return (long)await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    private static (string, object?)[] Parameters(Intent intent) =>
    [
        ("@tenant", intent.TenantId),
        ("@id", intent.IntentId),
        ("@flow", intent.FlowId),
        ("@run", intent.RunId),
        ("@kind", intent.Kind.Value),
        ("@sourceKey", intent.SourceKey),
        ("@sourceHashes", intent.SourceHashes?.ToString()),
        ("@token", intent.Token),
        ("@operation", Sql.Name(intent.Operation)),
        ("@state", Sql.Name(intent.State)),
        ("@payload", intent.PayloadJson),
        ("@targetKey", intent.TargetKey),
        ("@targetHashes", intent.TargetHashes?.ToString()),
        ("@job", intent.JobId),
        ("@leaseOwner", intent.LeaseOwner),
        ("@leaseUntil", Sql.Time(intent.LeaseUntil)),
        ("@attempts", intent.Attempts),
        ("@createdAt", Sql.Time(intent.CreatedAt)),
        ("@updatedAt", Sql.Time(intent.UpdatedAt)),
    ];

    private static async Task<IReadOnlyList<Intent>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var result = new List<Intent>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new Intent
            {
                TenantId = reader.GetString(0),
                IntentId = reader.GetString(1),
                FlowId = reader.GetString(2),
                RunId = Sql.ReadNullableString(reader, 3),
                Kind = new EntityKind(reader.GetString(4)),
                SourceKey = reader.GetString(5),
                SourceHashes = Sql.ReadHashes(reader, 6),
                Token = reader.GetString(7),
                Operation = Sql.ReadEnum<WriteOperation>(reader, 8),
                State = Sql.ReadEnum<IntentState>(reader, 9),
                PayloadJson = Sql.ReadNullableString(reader, 10),
                TargetKey = Sql.ReadNullableString(reader, 11),
                TargetHashes = Sql.ReadHashes(reader, 12),
                JobId = Sql.ReadNullableString(reader, 13),
                LeaseOwner = Sql.ReadNullableString(reader, 14),
                LeaseUntil = Sql.ReadNullableTime(reader, 15),
                Attempts = reader.GetInt32(16),
                CreatedAt = Sql.ReadTime(reader, 17),
                UpdatedAt = Sql.ReadTime(reader, 18),
            });
        }

        return result;
    }
}
