using Microsoft.Data.Sqlite;

namespace Connectors.Storage.Sqlite;

/// <summary>How SQLite makes a commit durable.</summary>
public enum SqliteSynchronousMode
{
    /// <summary>
    /// <c>synchronous=FULL</c>: the write-ahead log is synced to disk on every commit, so a committed write survives a
    /// process kill, an operating-system crash and a power loss.
    /// </summary>
    Full,

    /// <summary>
    /// <c>synchronous=NORMAL</c>: in WAL mode a committed write survives a process kill (it is in the operating system's
    /// cache) but may be lost on an operating-system crash or power loss. Faster; only for data you can rebuild.
    /// </summary>
    Normal,
}

/// <summary>Options of the SQLite stores: which database file, and how long to wait for another writer.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>Gets or sets the database file's path. Set this or <see cref="ConnectionString"/>.</summary>
    public string? Path { get; set; }

    /// <summary>
    /// Gets or sets a full Microsoft.Data.Sqlite connection string (for example with <c>Password</c> for SQLCipher builds).
    /// Set this or <see cref="Path"/>. Pooling stays on: the stores open a pooled connection per operation.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets how long an operation waits for another connection's or process's write lock before failing.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how SQLite makes a commit durable.</summary>
    /// <value>The default value is <see cref="SqliteSynchronousMode.Full"/>.</value>
    public SqliteSynchronousMode Synchronous { get; set; } = SqliteSynchronousMode.Full;

    /// <summary>Checks the options and builds the connection string the stores use.</summary>
    /// <returns>The connection string.</returns>
    /// <exception cref="InvalidOperationException">Neither or both of <see cref="Path"/> and <see cref="ConnectionString"/>
    /// are set, the busy timeout is not positive, or the connection string names no file.</exception>
    internal string BuildConnectionString()
    {
        var hasPath = !string.IsNullOrWhiteSpace(Path);
        var hasConnectionString = !string.IsNullOrWhiteSpace(ConnectionString);
        if (hasPath == hasConnectionString)
        {
            throw new InvalidOperationException(
                hasPath
                    ? "SqliteStoreOptions: set either Path or ConnectionString, not both."
                    : "SqliteStoreOptions: set Path (the database file) or ConnectionString; neither is set.");
        }

        if (BusyTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"SqliteStoreOptions.BusyTimeout must be positive; it is {BusyTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture)}.");
        }

        var builder = hasPath
            ? new SqliteConnectionStringBuilder { DataSource = System.IO.Path.GetFullPath(Path!), Mode = SqliteOpenMode.ReadWriteCreate }
            : new SqliteConnectionStringBuilder(ConnectionString);
        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            throw new InvalidOperationException("SqliteStoreOptions.ConnectionString must name a database file (Data Source).");
        }

        builder.Pooling = true;
        builder.DefaultTimeout = (int)Math.Ceiling(BusyTimeout.TotalSeconds);
        return builder.ToString();
    }
}
