namespace Connectors.Storage.Sqlite.Internal;

/// <summary>
/// The schema's numbered migration scripts. A database records the versions applied in <c>schema_version</c>; scripts are
/// applied in order, never edited once released: a change is a new script.
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<(int Version, string Script)> All { get; } =
    [
        (1, """
            CREATE TABLE id_map (
                tenant_id   TEXT NOT NULL,
                kind        TEXT NOT NULL COLLATE NOCASE,
                conn_low    TEXT NOT NULL,
                conn_high   TEXT NOT NULL,
                key_low     TEXT NOT NULL,
                key_high    TEXT NOT NULL,
                hashes_low  TEXT NULL,
                hashes_high TEXT NULL,
                lineage     TEXT NULL,
                updated_at  TEXT NOT NULL,
                PRIMARY KEY (tenant_id, kind, conn_low, conn_high, key_low)
            ) WITHOUT ROWID;
            CREATE UNIQUE INDEX ux_id_map_high ON id_map (tenant_id, kind, conn_low, conn_high, key_high);

            CREATE TABLE intents (
                seq           INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id     TEXT NOT NULL,
                intent_id     TEXT NOT NULL,
                flow_id       TEXT NOT NULL,
                run_id        TEXT NULL,
                kind          TEXT NOT NULL,
                source_key    TEXT NOT NULL,
                source_hashes TEXT NULL,
                token         TEXT NOT NULL,
                operation     TEXT NOT NULL,
                state         TEXT NOT NULL,
                payload_json  TEXT NULL,
                target_key    TEXT NULL,
                target_hashes TEXT NULL,
                job_id        TEXT NULL,
                lease_owner   TEXT NULL,
                lease_until   TEXT NULL,
                attempts      INTEGER NOT NULL,
                created_at    TEXT NOT NULL,
                updated_at    TEXT NOT NULL,
                UNIQUE (tenant_id, intent_id)
            );
            CREATE INDEX ix_intents_flow_state ON intents (tenant_id, flow_id, state, created_at);
            CREATE INDEX ix_intents_flow_source ON intents (tenant_id, flow_id, source_key);

            CREATE TABLE checkpoints (
                tenant_id    TEXT NOT NULL,
                flow_id      TEXT NOT NULL,
                cursor       TEXT NULL,
                cursor_token TEXT NULL,
                updated_at   TEXT NOT NULL,
                PRIMARY KEY (tenant_id, flow_id)
            ) WITHOUT ROWID;

            CREATE TABLE journal_runs (
                seq          INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id    TEXT NOT NULL,
                run_id       TEXT NOT NULL,
                flow_id      TEXT NOT NULL,
                kind         TEXT NOT NULL,
                status       TEXT NOT NULL,
                n_read       INTEGER NOT NULL,
                n_created    INTEGER NOT NULL,
                n_updated    INTEGER NOT NULL,
                n_unchanged  INTEGER NOT NULL,
                n_skipped    INTEGER NOT NULL,
                n_waiting    INTEGER NOT NULL,
                n_failed     INTEGER NOT NULL,
                n_settled    INTEGER NOT NULL,
                n_submitted  INTEGER NOT NULL,
                started_at   TEXT NOT NULL,
                ended_at     TEXT NULL,
                paused_until TEXT NULL,
                error        TEXT NULL,
                UNIQUE (tenant_id, run_id)
            );
            CREATE INDEX ix_journal_runs_flow ON journal_runs (tenant_id, flow_id, started_at);

            CREATE TABLE journal_outcomes (
                seq        INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id  TEXT NOT NULL,
                run_id     TEXT NOT NULL,
                flow_id    TEXT NOT NULL,
                source_key TEXT NOT NULL,
                outcome    TEXT NOT NULL,
                target_key TEXT NULL,
                at         TEXT NOT NULL
            );
            CREATE INDEX ix_journal_outcomes_run ON journal_outcomes (tenant_id, run_id, seq);
            CREATE INDEX ix_journal_outcomes_at ON journal_outcomes (at);

            CREATE TABLE journal_entries (
                seq             INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id       TEXT NOT NULL,
                entry_id        TEXT NOT NULL,
                flow_id         TEXT NOT NULL,
                run_id          TEXT NULL,
                kind            TEXT NOT NULL,
                source_key      TEXT NOT NULL,
                category        TEXT NOT NULL,
                status          TEXT NOT NULL,
                message         TEXT NOT NULL,
                field           TEXT NULL,
                payload_json    TEXT NULL,
                payload_is_raw  INTEGER NOT NULL,
                vendor_answer   TEXT NULL,
                depends_on_kind TEXT NULL,
                depends_on_key  TEXT NULL,
                intent_id       TEXT NULL,
                attempts        INTEGER NOT NULL,
                created_at      TEXT NOT NULL,
                updated_at      TEXT NOT NULL,
                UNIQUE (tenant_id, entry_id)
            );
            CREATE INDEX ix_journal_entries_record ON journal_entries (tenant_id, flow_id, source_key, status);
            CREATE INDEX ix_journal_entries_created ON journal_entries (tenant_id, created_at, seq);

            CREATE TABLE translation_entries (
                tenant_id  TEXT NOT NULL,
                table_name TEXT NOT NULL,
                key        TEXT NOT NULL,
                value      TEXT NOT NULL,
                PRIMARY KEY (tenant_id, table_name, key)
            ) WITHOUT ROWID;

            CREATE TABLE credentials (
                tenant_id  TEXT NOT NULL,
                connection TEXT NOT NULL,
                secret     BLOB NOT NULL,
                version    INTEGER NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, connection)
            ) WITHOUT ROWID;

            CREATE TABLE leases (
                tenant_id  TEXT NOT NULL,
                resource   TEXT NOT NULL,
                owner      TEXT NULL,
                expires_at TEXT NOT NULL,
                fence      INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, resource)
            ) WITHOUT ROWID;

            CREATE TABLE webhook_inbox (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id   TEXT NOT NULL,
                connection  TEXT NOT NULL,
                delivery_id TEXT NOT NULL,
                kind        TEXT NOT NULL COLLATE NOCASE,
                record_key  TEXT NOT NULL,
                topic       TEXT NULL,
                body        TEXT NULL,
                received_at TEXT NOT NULL,
                state       TEXT NOT NULL,
                coalesced   INTEGER NOT NULL,
                lease_owner TEXT NULL,
                lease_until TEXT NULL
            );
            CREATE INDEX ix_webhook_inbox_pending ON webhook_inbox (tenant_id, connection, state, received_at, id);
            CREATE INDEX ix_webhook_inbox_record ON webhook_inbox (tenant_id, connection, kind, record_key, state);

            CREATE TABLE webhook_seen (
                tenant_id   TEXT NOT NULL,
                connection  TEXT NOT NULL,
                delivery_id TEXT NOT NULL,
                received_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, connection, delivery_id)
            ) WITHOUT ROWID;
            CREATE INDEX ix_webhook_seen_received ON webhook_seen (received_at);
            """),
    ];

    public static int Latest => All[^1].Version;
}
