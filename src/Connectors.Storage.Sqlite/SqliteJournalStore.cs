using System.Globalization;
using Connectors.Abstractions;
using Connectors.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace Connectors.Storage.Sqlite;

/// <summary>
/// An <see cref="IJournalStore"/> in a SQLite database. Starting a run that exists replaces it. Retention removes runs that
/// ended (or, when they never recorded an end, started) before the cut-off with their outcomes, outcomes recorded before
/// it, and resolved or ignored entries last changed before it.
/// </summary>
public sealed class SqliteJournalStore : IJournalStore
{
    private const string RunColumns =
        "tenant_id, run_id, flow_id, kind, status, n_read, n_created, n_updated, n_unchanged, n_skipped, n_waiting, n_failed, "
        + "n_settled, n_submitted, started_at, ended_at, paused_until, error";

    private const string EntryColumns =
        "tenant_id, entry_id, flow_id, run_id, kind, source_key, category, status, message, field, payload_json, payload_is_raw, "
        + "vendor_answer, depends_on_kind, depends_on_key, intent_id, attempts, created_at, updated_at";

    private const string EntryValues =
        "@tenant, @entryId, @flow, @run, @kind, @sourceKey, @category, @status, @message, @field, @payload, @payloadIsRaw, "
        + "@vendorAnswer, @dependsOnKind, @dependsOnKey, @intentId, @attempts, @createdAt, @updatedAt";

    private const string EntryUpdate =
        "flow_id = excluded.flow_id, run_id = excluded.run_id, kind = excluded.kind, source_key = excluded.source_key, "
        + "category = excluded.category, status = excluded.status, message = excluded.message, field = excluded.field, "
        + "payload_json = excluded.payload_json, payload_is_raw = excluded.payload_is_raw, vendor_answer = excluded.vendor_answer, "
        + "depends_on_kind = excluded.depends_on_kind, depends_on_key = excluded.depends_on_key, intent_id = excluded.intent_id, "
        + "attempts = excluded.attempts, created_at = excluded.created_at, updated_at = excluded.updated_at";

    private static readonly string[] RetentionStatements =
    [
        "DELETE FROM journal_outcomes WHERE (tenant_id, run_id) IN "
            + "(SELECT tenant_id, run_id FROM journal_runs WHERE COALESCE(ended_at, started_at) < @cutoff);",
        "DELETE FROM journal_runs WHERE COALESCE(ended_at, started_at) < @cutoff;",
        "DELETE FROM journal_outcomes WHERE at < @cutoff;",
        "DELETE FROM journal_entries WHERE status IN ('Resolved', 'Ignored') AND updated_at < @cutoff;",
    ];

    private static readonly string[] PurgeStatements =
    [
        "DELETE FROM journal_outcomes WHERE tenant_id = @tenant;",
        "DELETE FROM journal_runs WHERE tenant_id = @tenant;",
        "DELETE FROM journal_entries WHERE tenant_id = @tenant;",
    ];

    private readonly SqliteDatabase _db;

    /// <summary>Creates a store over the database the options name; the schema is created or migrated on first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public SqliteJournalStore(SqliteStoreOptions options)
        : this(new SqliteDatabase(options))
    {
    }

    internal SqliteJournalStore(SqliteDatabase db) => _db = db;

    /// <inheritdoc />
    public Task StartRunAsync(RunRecord run, CancellationToken cancellationToken = default) => PutRunAsync(run, cancellationToken);

    /// <inheritdoc />
    public Task UpdateRunAsync(RunRecord run, CancellationToken cancellationToken = default) => PutRunAsync(run, cancellationToken);

    /// <inheritdoc />
    public Task<RunRecord?> GetRunAsync(string tenantId, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(runId);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null, $"SELECT {RunColumns} FROM journal_runs WHERE tenant_id = @tenant AND run_id = @run;",
                    ("@tenant", tenantId), ("@run", runId));
                var found = await ReadRunsAsync(command, cancellationToken).ConfigureAwait(false);
                return found.Count > 0 ? found[0] : null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(
        string tenantId, string? flowId, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null,
                    $"SELECT {RunColumns} FROM journal_runs WHERE tenant_id = @tenant AND (@flow IS NULL OR flow_id = @flow) "
                    + "ORDER BY started_at DESC, seq DESC LIMIT @max;",
                    ("@tenant", tenantId), ("@flow", flowId), ("@max", maxCount));
                return await ReadRunsAsync(command, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task AddOutcomesAsync(IReadOnlyList<RecordOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var outcome in outcomes)
        {
            ArgumentNullException.ThrowIfNull(outcome, nameof(outcomes));
        }

        if (outcomes.Count == 0)
        {
            return Task.CompletedTask;
        }

        return _db.WriteAsync(
            async (connection, transaction) =>
            {
                using var command = Sql.Command(
                    connection, transaction,
                    "INSERT INTO journal_outcomes (tenant_id, run_id, flow_id, source_key, outcome, target_key, at) "
                    + "VALUES (@tenant, @run, @flow, @sourceKey, @outcome, @targetKey, @at);",
                    ("@tenant", null), ("@run", null), ("@flow", null), ("@sourceKey", null), ("@outcome", null), ("@targetKey", null), ("@at", null));
                foreach (var outcome in outcomes)
                {
                    command.Parameters["@tenant"].Value = outcome.TenantId;
                    command.Parameters["@run"].Value = outcome.RunId;
                    command.Parameters["@flow"].Value = outcome.FlowId;
                    command.Parameters["@sourceKey"].Value = outcome.SourceKey;
                    command.Parameters["@outcome"].Value = Sql.Name(outcome.Outcome);
                    command.Parameters["@targetKey"].Value = (object?)outcome.TargetKey ?? DBNull.Value;
                    command.Parameters["@at"].Value = Sql.Time(outcome.At);
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                return outcomes.Count;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RecordOutcome>> ListOutcomesAsync(
        string tenantId, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(runId);
        return _db.RunAsync<IReadOnlyList<RecordOutcome>>(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null,
                    "SELECT tenant_id, run_id, flow_id, source_key, outcome, target_key, at FROM journal_outcomes "
                    + "WHERE tenant_id = @tenant AND run_id = @run ORDER BY seq;",
                    ("@tenant", tenantId), ("@run", runId));
                var result = new List<RecordOutcome>();
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    result.Add(new RecordOutcome
                    {
                        TenantId = reader.GetString(0),
                        RunId = reader.GetString(1),
                        FlowId = reader.GetString(2),
                        SourceKey = reader.GetString(3),
                        Outcome = Sql.ReadEnum<RecordOutcomeKind>(reader, 4),
                        TargetKey = Sql.ReadNullableString(reader, 5),
                        At = Sql.ReadTime(reader, 6),
                    });
                }

                return result;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<JournalEntry> SaveEntryAsync(JournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.TenantId, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.FlowId, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.SourceKey, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.Message, nameof(entry));
        return _db.WriteAsync(
            async (connection, transaction) =>
            {
                var stored = entry;
                if (string.IsNullOrEmpty(entry.EntryId))
                {
                    using var find = Sql.Command(
                        connection, transaction,
                        "SELECT entry_id, created_at FROM journal_entries WHERE tenant_id = @tenant AND flow_id = @flow AND source_key = @sourceKey "
                        + "AND status NOT IN ('Resolved', 'Ignored') ORDER BY seq DESC LIMIT 1;",
                        ("@tenant", entry.TenantId), ("@flow", entry.FlowId), ("@sourceKey", entry.SourceKey));
                    var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        stored = await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                            ? entry with { EntryId = reader.GetString(0), CreatedAt = Sql.ReadTime(reader, 1) }
                            : entry with { EntryId = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture) };
                    }
                }

                using var save = Sql.Command(
                    connection, transaction,
                    $"INSERT INTO journal_entries ({EntryColumns}) VALUES ({EntryValues}) ON CONFLICT (tenant_id, entry_id) DO UPDATE SET {EntryUpdate};",
                    EntryParameters(stored));
                await save.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return stored;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<JournalEntry?> GetEntryAsync(string tenantId, string entryId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(entryId);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null, $"SELECT {EntryColumns} FROM journal_entries WHERE tenant_id = @tenant AND entry_id = @entryId;",
                    ("@tenant", tenantId), ("@entryId", entryId));
                var found = await ReadEntriesAsync(command, cancellationToken).ConfigureAwait(false);
                return found.Count > 0 ? found[0] : null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JournalEntry>> QueryEntriesAsync(JournalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.TenantId, nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegative(query.MaxCount, nameof(query));
        if (query.Statuses is { Count: 0 })
        {
            return Task.FromResult<IReadOnlyList<JournalEntry>>([]);
        }

        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null, string.Empty,
                    ("@tenant", query.TenantId), ("@flow", query.FlowId), ("@sourceKey", query.SourceKey), ("@max", query.MaxCount));
                var statusFilter = query.Statuses is null
                    ? string.Empty
                    : $" AND status IN ({Sql.AddList(command, "s", [.. query.Statuses.Distinct().Select(Sql.Name)])})";
                command.CommandText =
                    $"SELECT {EntryColumns} FROM journal_entries WHERE tenant_id = @tenant AND (@flow IS NULL OR flow_id = @flow) "
                    + $"AND (@sourceKey IS NULL OR source_key = @sourceKey){statusFilter} ORDER BY created_at, seq LIMIT @max;";
                return await ReadEntriesAsync(command, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> ApplyRetentionAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        return _db.WriteAsync(
            async (connection, transaction) =>
            {
                var cutoff = Sql.Time(olderThan);
                long removed = 0;
                foreach (var sql in RetentionStatements)
                {
                    using var command = Sql.Command(connection, transaction, sql, ("@cutoff", cutoff));
                    removed += await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                return removed;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        return _db.WriteAsync(
            async (connection, transaction) =>
            {
                long removed = 0;
                foreach (var sql in PurgeStatements)
                {
                    using var command = Sql.Command(connection, transaction, sql, ("@tenant", tenantId));
                    removed += await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                return removed;
            },
            cancellationToken);
    }

    private Task<int> PutRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.TenantId, nameof(run));
        ArgumentException.ThrowIfNullOrEmpty(run.RunId, nameof(run));
        var counts = run.Counts;
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null,
                    $"INSERT INTO journal_runs ({RunColumns}) VALUES (@tenant, @run, @flow, @kind, @status, @read, @created, @updated, @unchanged, "
                    + "@skipped, @waiting, @failed, @settled, @submitted, @startedAt, @endedAt, @pausedUntil, @error) "
                    + "ON CONFLICT (tenant_id, run_id) DO UPDATE SET flow_id = excluded.flow_id, kind = excluded.kind, status = excluded.status, "
                    + "n_read = excluded.n_read, n_created = excluded.n_created, n_updated = excluded.n_updated, n_unchanged = excluded.n_unchanged, "
                    + "n_skipped = excluded.n_skipped, n_waiting = excluded.n_waiting, n_failed = excluded.n_failed, n_settled = excluded.n_settled, "
                    + "n_submitted = excluded.n_submitted, started_at = excluded.started_at, ended_at = excluded.ended_at, "
                    + "paused_until = excluded.paused_until, error = excluded.error;",
                    ("@tenant", run.TenantId), ("@run", run.RunId), ("@flow", run.FlowId), ("@kind", Sql.Name(run.Kind)),
                    ("@status", Sql.Name(run.Status)), ("@read", counts.Read), ("@created", counts.Created), ("@updated", counts.Updated),
                    ("@unchanged", counts.Unchanged), ("@skipped", counts.Skipped), ("@waiting", counts.Waiting), ("@failed", counts.Failed),
                    ("@settled", counts.Settled), ("@submitted", counts.Submitted), ("@startedAt", Sql.Time(run.StartedAt)),
                    ("@endedAt", Sql.Time(run.EndedAt)), ("@pausedUntil", Sql.Time(run.PausedUntil)), ("@error", run.Error));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    private static (string, object?)[] EntryParameters(JournalEntry entry) =>
    [
        ("@tenant", entry.TenantId),
        ("@entryId", entry.EntryId),
        ("@flow", entry.FlowId),
        ("@run", entry.RunId),
        ("@kind", entry.Kind.Value),
        ("@sourceKey", entry.SourceKey),
        ("@category", Sql.Name(entry.Category)),
        ("@status", Sql.Name(entry.Status)),
        ("@message", entry.Message),
        ("@field", entry.Field),
        ("@payload", entry.PayloadJson),
        ("@payloadIsRaw", entry.PayloadIsRaw ? 1 : 0),
        ("@vendorAnswer", entry.VendorAnswer),
        ("@dependsOnKind", entry.DependsOnKind?.Value),
        ("@dependsOnKey", entry.DependsOnKey),
        ("@intentId", entry.IntentId),
        ("@attempts", entry.Attempts),
        ("@createdAt", Sql.Time(entry.CreatedAt)),
        ("@updatedAt", Sql.Time(entry.UpdatedAt)),
    ];

    private static async Task<IReadOnlyList<RunRecord>> ReadRunsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var result = new List<RunRecord>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new RunRecord
            {
                TenantId = reader.GetString(0),
                RunId = reader.GetString(1),
                FlowId = reader.GetString(2),
                Kind = Sql.ReadEnum<RunKind>(reader, 3),
                Status = Sql.ReadEnum<RunStatus>(reader, 4),
                Counts = new RunCounts
                {
                    Read = reader.GetInt32(5),
                    Created = reader.GetInt32(6),
                    Updated = reader.GetInt32(7),
                    Unchanged = reader.GetInt32(8),
                    Skipped = reader.GetInt32(9),
                    Waiting = reader.GetInt32(10),
                    Failed = reader.GetInt32(11),
                    Settled = reader.GetInt32(12),
                    Submitted = reader.GetInt32(13),
                },
                StartedAt = Sql.ReadTime(reader, 14),
                EndedAt = Sql.ReadNullableTime(reader, 15),
                PausedUntil = Sql.ReadNullableTime(reader, 16),
                Error = Sql.ReadNullableString(reader, 17),
            });
        }

        return result;
    }

    private static async Task<IReadOnlyList<JournalEntry>> ReadEntriesAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var result = new List<JournalEntry>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new JournalEntry
            {
                TenantId = reader.GetString(0),
                EntryId = reader.GetString(1),
                FlowId = reader.GetString(2),
                RunId = Sql.ReadNullableString(reader, 3),
                Kind = new EntityKind(reader.GetString(4)),
                SourceKey = reader.GetString(5),
                Category = Sql.ReadEnum<JournalCategory>(reader, 6),
                Status = Sql.ReadEnum<JournalEntryStatus>(reader, 7),
                Message = reader.GetString(8),
                Field = Sql.ReadNullableString(reader, 9),
                PayloadJson = Sql.ReadNullableString(reader, 10),
                PayloadIsRaw = reader.GetInt64(11) != 0,
                VendorAnswer = Sql.ReadNullableString(reader, 12),
                DependsOnKind = reader.IsDBNull(13) ? null : new EntityKind(reader.GetString(13)),
                DependsOnKey = Sql.ReadNullableString(reader, 14),
                IntentId = Sql.ReadNullableString(reader, 15),
                Attempts = reader.GetInt32(16),
                CreatedAt = Sql.ReadTime(reader, 17),
                UpdatedAt = Sql.ReadTime(reader, 18),
            });
        }

        return result;
    }
}
