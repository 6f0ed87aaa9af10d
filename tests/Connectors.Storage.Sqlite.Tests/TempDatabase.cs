using Connectors.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Connectors.Storage.Sqlite.Tests;

/// <summary>A database file of its own for one test, deleted (with its WAL and shared-memory files) afterwards.</summary>
internal sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Directory = Path.Combine(Path.GetTempPath(), "connectors-sqlite-tests", Guid.NewGuid().ToString("N"));
        FilePath = Path.Combine(Directory, "connectors.db");
    }

    public string Directory { get; }

    public string FilePath { get; }

    public SqliteStoreOptions Options => new() { Path = FilePath, BusyTimeout = TimeSpan.FromSeconds(30) };

    /// <summary>Closes pooled connections, so the next store really opens the file again.</summary>
    public static void ClosePooledConnections() => SqliteConnection.ClearAllPools();

    /// <summary>Reads every byte SQLite wrote for the database: the file, its WAL and its shared-memory index.</summary>
    public byte[] ReadAllBytes()
    {
        using var all = new MemoryStream();
        foreach (var file in new[] { FilePath, FilePath + "-wal", FilePath + "-shm" })
        {
            if (File.Exists(file))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.CopyTo(all);
            }
        }

        return all.ToArray();
    }

    public void Dispose()
    {
        ClosePooledConnections();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
