using System.Data;
using System.Globalization;
using Connectors.Abstractions;
using Microsoft.Data.Sqlite;

namespace Connectors.Storage.Sqlite.Internal;

/// <summary>
/// One database file: opens a pooled connection per operation with the pragmas every connection needs, creates and
/// migrates the schema on first use, and runs read-modify-write work in <c>BEGIN IMMEDIATE</c> transactions.
/// </summary>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly Lock _schemaLock = new();
    private Task? _schema;
    private volatile bool _schemaReady;

    public SqliteDatabase(SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connectionString = options.BuildConnectionString();
        FilePath = new SqliteConnectionStringBuilder(_connectionString).DataSource;
        var synchronous = options.Synchronous == SqliteSynchronousMode.Normal ? "NORMAL" : "FULL";
        var busyMs = (long)Math.Ceiling(options.BusyTimeout.TotalMilliseconds);
        _connectionPragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {busyMs}; PRAGMA synchronous = {synchronous}; PRAGMA foreign_keys = ON;");
    }

    /// <summary>Gets the database file (the connection string's data source).</summary>
    public string FilePath { get; }

    /// <summary>Gets the connection string, for clearing the pool.</summary>
    public string ConnectionString => _connectionString;

    /// <summary>Opens a pooled connection, after making sure the schema is current.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
        {
            Task schema;
            lock (_schemaLock)
            {
                // One migration per instance; a failed or cancelled one is tried again by the next caller.
                if (_schema is null || _schema.IsFaulted || _schema.IsCanceled)
                {
                    _schema = MigrateAsync();
                }

                schema = _schema;
            }

            await schema.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return await OpenRawAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs work in a <c>BEGIN IMMEDIATE</c> transaction and commits it (rolls back on an exception).</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            await using (transaction.ConfigureAwait(false))
            {
                var result = await work(connection, transaction).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
        }
    }

    /// <summary>Runs work on an open connection in autocommit mode: each statement is its own atomic transaction.</summary>
    public async Task<T> RunAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await work(connection).ConfigureAwait(false);
        }
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = _connectionPragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task MigrateAsync()
    {
        // Not cancellable: callers share this task; each waits with its own token.
        var cancellationToken = CancellationToken.None;
        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory) && !FilePath.StartsWith(':') && !FilePath.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = await OpenRawAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // WAL is a property of the file: set once, kept by every later connection and process.
            using (var wal = connection.CreateCommand())
            {
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }

            var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            await using (transaction.ConfigureAwait(false))
            {
                using (var create = Sql.Command(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);"))
                {
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                long current;
                using (var read = Sql.Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version;"))
                {
                    current = Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                }

                if (current > Migrations.Latest)
                {
                    throw new StoreSchemaException(string.Format(
                        CultureInfo.InvariantCulture,
                        "The SQLite database '{0}' has schema version {1}, but this version of Connectors.Storage.Sqlite knows schema "
                        + "versions up to {2}. It was written by a newer version of Connectors: upgrade the Connectors.Storage.Sqlite "
                        + "package, or point the stores at another file.",
                        FilePath,
                        current,
                        Migrations.Latest));
                }

                foreach (var (version, script) in Migrations.All)
                {
                    if (version <= current)
                    {
                        continue;
                    }

                    try
                    {
                        using var migrate = Sql.Command(connection, transaction, script);
                        await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        using var record = Sql.Command(
                            connection, transaction, "INSERT INTO schema_version (version, applied_at) VALUES (@version, @at);",
                            ("@version", version), ("@at", Sql.Time(TimeProvider.System.GetUtcNow())));
                        await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (SqliteException ex)
                    {
                        throw new StoreSchemaException(
                            string.Create(CultureInfo.InvariantCulture, $"Migrating the SQLite database '{FilePath}' from schema version {current} to {version} failed: {ex.Message}"),
                            ex);
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        _schemaReady = true;
    }
}
