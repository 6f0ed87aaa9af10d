using Connectors.Abstractions;
using Connectors.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Storage.Sqlite.Tests;

public sealed class UseSqliteTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void UseSqlite_Path_RegistersEveryStoreAsSingleton()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ISecretProtector>(AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey()));

        new Builder(services).UseSqlite(_db.FilePath);

        using var provider = services.BuildServiceProvider();
        Assert.IsType<SqliteIdMapStore>(provider.GetRequiredService<IIdMapStore>());
        Assert.IsType<SqliteIntentStore>(provider.GetRequiredService<IIntentStore>());
        Assert.IsType<SqliteCheckpointStore>(provider.GetRequiredService<ICheckpointStore>());
        Assert.IsType<SqliteJournalStore>(provider.GetRequiredService<IJournalStore>());
        Assert.IsType<SqliteTranslationTableStore>(provider.GetRequiredService<ITranslationTableStore>());
        Assert.IsType<SqliteCredentialStore>(provider.GetRequiredService<ICredentialStore>());
        Assert.IsType<SqliteLeaseStore>(provider.GetRequiredService<ILeaseStore>());
        Assert.IsType<SqliteWebhookInbox>(provider.GetRequiredService<IWebhookInbox>());
        Assert.Same(provider.GetRequiredService<IIdMapStore>(), provider.GetRequiredService<IIdMapStore>());
        Assert.All(
            services.Where(d => d.ServiceType.Namespace == "Connectors.Abstractions"),
            d => Assert.Equal(ServiceLifetime.Singleton, d.Lifetime));
    }

    [Fact]
    public void AddConnectorsWithUseSqlite_EngineGetsSqliteStores()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ISecretProtector>(AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey()));

        services.AddConnectors(c => c.UseSqlite(_db.FilePath));
        services.AddConnectors(); // a second AddConnectors (another library) must not bring the in-memory stores back

        using var provider = services.BuildServiceProvider();
        var stores = provider.GetRequiredService<SyncStores>();
        Assert.IsType<SqliteIdMapStore>(stores.IdMap);
        Assert.IsType<SqliteIntentStore>(stores.Intents);
        Assert.IsType<SqliteCheckpointStore>(stores.Checkpoints);
        Assert.IsType<SqliteJournalStore>(stores.Journal);
        Assert.IsType<SqliteLeaseStore>(stores.Leases);
        Assert.IsType<SqliteCredentialStore>(provider.GetRequiredService<ICredentialStore>());
        Assert.NotNull(provider.GetRequiredService<SyncEngine>());
    }

    [Fact]
    public void UseSqlite_AfterInMemoryStores_ReplacesThem()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IIdMapStore, InMemoryIdMapStore>();
        services.AddSingleton<IIdMapStore, InMemoryIdMapStore>();
        services.AddSingleton<ILeaseStore>(new InMemoryLeaseStore());

        new Builder(services).UseSqlite(o => o.Path = _db.FilePath);

        Assert.Single(services, d => d.ServiceType == typeof(IIdMapStore));
        Assert.Single(services, d => d.ServiceType == typeof(ILeaseStore));
        using var provider = services.BuildServiceProvider();
        Assert.IsType<SqliteIdMapStore>(provider.GetRequiredService<IIdMapStore>());
        Assert.IsType<SqliteLeaseStore>(Assert.Single(provider.GetServices<ILeaseStore>()));
    }

    [Fact]
    public async Task UseSqlite_StoresShareOneFile()
    {
        var services = new ServiceCollection();
        new Builder(services).UseSqlite(_db.FilePath);
        using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<ICheckpointStore>().SetAsync(
            "t1", "orders", new Checkpoint { UpdatedAt = DateTimeOffset.UnixEpoch }, TestContext.Current.CancellationToken);

        Assert.NotNull(await new SqliteCheckpointStore(_db.Options).GetAsync("t1", "orders", TestContext.Current.CancellationToken));
    }

    [Fact]
    public void UseSqlite_NoSecretProtector_ThrowsActionableMessageWhenCredentialStoreResolved()
    {
        var services = new ServiceCollection();
        new Builder(services).UseSqlite(_db.FilePath);
        using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetRequiredService<IIdMapStore>());
        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ICredentialStore>());
        Assert.Contains("ISecretProtector", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AesGcmSecretProtector", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseSqlite_InvalidOptions_ThrowsAtRegistration()
    {
        var builder = new Builder(new ServiceCollection());
        Assert.Throws<InvalidOperationException>(() => builder.UseSqlite(_ => { }));
        Assert.Throws<ArgumentException>(() => builder.UseSqlite(" "));
        Assert.Throws<ArgumentNullException>(() => builder.UseSqlite((Action<SqliteStoreOptions>)null!));
    }

    private sealed class Builder(IServiceCollection services) : IConnectorsBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
