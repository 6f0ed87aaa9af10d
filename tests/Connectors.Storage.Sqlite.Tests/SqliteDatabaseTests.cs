using System.Text;
using Connectors.Abstractions;
using Connectors.Core;
using Microsoft.Data.Sqlite;

namespace Connectors.Storage.Sqlite.Tests;

public sealed class SqliteDatabaseTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _db = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task FirstUse_EmptyFolder_CreatesFileInWalModeAtSchemaVersion1()
    {
        var store = new SqliteCheckpointStore(_db.Options);
        await store.SetAsync("t1", "orders", new Checkpoint { Cursor = T0, UpdatedAt = T0 }, Ct);

        Assert.True(File.Exists(_db.FilePath));
        using var connection = new SqliteConnection($"Data Source={_db.FilePath}");
        connection.Open();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal(1L, Scalar(connection, "SELECT MAX(version) FROM schema_version;"));
        Assert.Equal(1L, Scalar(connection, "SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public async Task Reopen_AllStoresOnOneFile_StateSurvives()
    {
        var key = AesGcmSecretProtector.GenerateKey();
        await new SqliteIdMapStore(_db.Options).UpsertAsync(
            new IdMapEntry { TenantId = "t1", Kind = EntityKind.Order, ConnectionA = "shop", KeyA = "s1", ConnectionB = "erp", KeyB = "e1", UpdatedAt = T0 }, Ct);
        await new SqliteCheckpointStore(_db.Options).SetAsync("t1", "orders", new Checkpoint { Cursor = T0, UpdatedAt = T0 }, Ct);
        await new SqliteCredentialStore(_db.Options, AesGcmSecretProtector.FromBase64Key(key))
            .TrySaveAsync(new ConnectionId("t1", "shop"), new Dictionary<string, string> { ["token"] = "x" }, 0, T0, Ct);
        TempDatabase.ClosePooledConnections();

        var links = await new SqliteIdMapStore(_db.Options).GetManyAsync("t1", EntityKind.Order, "erp", ["e1"], "shop", Ct);
        var checkpoint = await new SqliteCheckpointStore(_db.Options).GetAsync("t1", "orders", Ct);
        var credential = await new SqliteCredentialStore(_db.Options, AesGcmSecretProtector.FromBase64Key(key)).GetAsync(new ConnectionId("t1", "shop"), Ct);

        Assert.Equal("s1", links["e1"].KeyB);
        Assert.Equal(T0, checkpoint!.Cursor);
        Assert.Equal("x", credential!.Secrets["token"]);
    }

    [Fact]
    public async Task Open_NewerSchemaVersion_ThrowsNamingBothVersionsAndFile()
    {
        await new SqliteCheckpointStore(_db.Options).GetAsync("t1", "orders", Ct);
        using (var connection = new SqliteConnection($"Data Source={_db.FilePath}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES (7, '2030-01-01T00:00:00.0000000Z');";
            command.ExecuteNonQuery();
        }

        TempDatabase.ClosePooledConnections();

        var store = new SqliteCheckpointStore(_db.Options);
        var ex = await Assert.ThrowsAsync<StoreSchemaException>(() => store.GetAsync("t1", "orders", Ct));
        Assert.Contains("schema version 7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("up to 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_db.FilePath, ex.Message, StringComparison.Ordinal);

        // Refused every time, and nothing was changed.
        await Assert.ThrowsAsync<StoreSchemaException>(() => store.SetAsync("t1", "orders", new Checkpoint { UpdatedAt = T0 }, Ct));
        using var check = new SqliteConnection($"Data Source={_db.FilePath}");
        check.Open();
        Assert.Equal(7L, Scalar(check, "SELECT MAX(version) FROM schema_version;"));
    }

    [Fact]
    public async Task TwoFlows_TwoStoreInstancesOnOneFile_RunInParallelWithoutLoss()
    {
        var first = new SqliteIntentStore(_db.Options);
        var second = new SqliteIntentStore(_db.Options);
        var firstMap = new SqliteIdMapStore(_db.Options);
        var secondMap = new SqliteIdMapStore(_db.Options);

        async Task FlowAsync(IIntentStore intents, IIdMapStore map, string flow)
        {
            for (var i = 0; i < 40; i++)
            {
                var id = $"{flow}-{i}";
                await Task.Yield();
                await intents.AddAsync(
                    new Intent
                    {
                        TenantId = "t1", IntentId = id, FlowId = flow, Kind = EntityKind.Order, SourceKey = "k" + i, Token = id,
                        LeaseOwner = flow, LeaseUntil = T0.AddHours(1), CreatedAt = T0, UpdatedAt = T0,
                    },
                    Ct);
                await map.UpsertAsync(
                    new IdMapEntry { TenantId = "t1", Kind = new EntityKind(flow), ConnectionA = "shop", KeyA = "k" + i, ConnectionB = "erp", KeyB = id, UpdatedAt = T0 },
                    Ct);
                var current = await intents.GetAsync("t1", id, Ct);
                Assert.True(await intents.TryUpdateAsync(current! with { State = IntentState.Committed, LeaseOwner = null }, flow, T0, Ct));
            }
        }

        await Task.WhenAll(Task.Run(() => FlowAsync(first, firstMap, "orders"), Ct), Task.Run(() => FlowAsync(second, secondMap, "products"), Ct));

        var reader = new SqliteIntentStore(_db.Options);
        Assert.Equal(40, (await reader.CountByStateAsync("t1", "orders", Ct))[IntentState.Committed]);
        Assert.Equal(40, (await reader.CountByStateAsync("t1", "products", Ct))[IntentState.Committed]);
        Assert.Equal(40, await firstMap.CountAsync("t1", new EntityKind("orders"), "shop", "erp", Ct));
        Assert.Equal(40, await firstMap.CountAsync("t1", new EntityKind("products"), "shop", "erp", Ct));
    }

    [Fact]
    public async Task ClaimAndCompareAndSwap_AcrossStoreInstances_ExactlyOneWinner()
    {
        var protectorKey = AesGcmSecretProtector.GenerateKey();
        var intentStores = Enumerable.Range(0, 4).Select(_ => new SqliteIntentStore(_db.Options)).ToArray();
        var credentialStores = Enumerable.Range(0, 4)
            .Select(_ => new SqliteCredentialStore(_db.Options, AesGcmSecretProtector.FromBase64Key(protectorKey)))
            .ToArray();
        await intentStores[0].AddAsync(
            new Intent { TenantId = "t1", IntentId = "i1", FlowId = "orders", Kind = EntityKind.Order, SourceKey = "s1", Token = "x", CreatedAt = T0, UpdatedAt = T0 },
            Ct);
        var connection = new ConnectionId("t1", "shop");
        await credentialStores[0].TrySaveAsync(connection, new Dictionary<string, string> { ["rt"] = "0" }, 0, T0, Ct);

        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(
            () => intentStores[i % 4].TryClaimAsync("t1", "i1", "w" + i, T0, T0.AddMinutes(1), Ct), Ct)));
        var saves = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(
            () => credentialStores[i % 4].TrySaveAsync(connection, new Dictionary<string, string> { ["rt"] = "v" + i }, 1, T0, Ct), Ct)));

        Assert.Single(claims, c => c is not null);
        Assert.Single(saves, s => s is not null);
        Assert.Equal(2, (await credentialStores[3].GetAsync(connection, Ct))!.Version);
    }

    [Fact]
    public async Task CredentialStore_DatabaseBytes_NeverContainPlaintextSecret()
    {
        const string secret = "rt-PLAINTEXT-4f1c9a7e-refresh-token";
        const string control = "control-PLAINTEXT-translation-value";
        var credentials = new SqliteCredentialStore(_db.Options, AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey()));
        var tables = new SqliteTranslationTableStore(_db.Options);

        await credentials.TrySaveAsync(new ConnectionId("t1", "shop"), new Dictionary<string, string> { ["refresh_token"] = secret }, 0, T0, Ct);
        await credentials.TrySaveAsync(new ConnectionId("t1", "shop"), new Dictionary<string, string> { ["refresh_token"] = secret + "-2" }, 1, T0, Ct);
        await tables.SetEntriesAsync("t1", "notes", new Dictionary<string, string?> { ["k"] = control }, Ct);
        Assert.Equal(secret + "-2", (await credentials.GetAsync(new ConnectionId("t1", "shop"), Ct))!.Secrets["refresh_token"]);

        var whileOpen = _db.ReadAllBytes();
        TempDatabase.ClosePooledConnections();
        var afterClose = _db.ReadAllBytes();

        foreach (var bytes in new[] { whileOpen, afterClose })
        {
            // The control proves the search would find plaintext that is stored as such.
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(control)) >= 0);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("PLAINTEXT-4f1c9a7e")));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes("PLAINTEXT-4f1c9a7e")));
        }
    }

    [Fact]
    public async Task CredentialStore_WrongKey_FailsToReadInsteadOfReturningGarbage()
    {
        await new SqliteCredentialStore(_db.Options, AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey()))
            .TrySaveAsync(new ConnectionId("t1", "shop"), new Dictionary<string, string> { ["token"] = "x" }, 0, T0, Ct);

        var other = new SqliteCredentialStore(_db.Options, AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey()));

        await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(() => other.GetAsync(new ConnectionId("t1", "shop"), Ct));
    }

    [Fact]
    public void Options_NeitherOrBothPathAndConnectionString_ThrowClearly()
    {
        var neither = Assert.Throws<InvalidOperationException>(() => new SqliteLeaseStore(new SqliteStoreOptions()));
        Assert.Contains("Path", neither.Message, StringComparison.Ordinal);
        var both = Assert.Throws<InvalidOperationException>(
            () => new SqliteLeaseStore(new SqliteStoreOptions { Path = _db.FilePath, ConnectionString = $"Data Source={_db.FilePath}" }));
        Assert.Contains("not both", both.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new SqliteLeaseStore(new SqliteStoreOptions { Path = _db.FilePath, BusyTimeout = TimeSpan.Zero }));
    }

    [Fact]
    public async Task Options_ConnectionString_IsUsed()
    {
        var store = new SqliteCheckpointStore(new SqliteStoreOptions { ConnectionString = $"Data Source={_db.FilePath}" });
        await store.SetAsync("t1", "orders", new Checkpoint { UpdatedAt = T0 }, Ct);

        Assert.NotNull(await new SqliteCheckpointStore(_db.Options).GetAsync("t1", "orders", Ct));
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
