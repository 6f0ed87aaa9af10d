using Connectors.Abstractions;
using Connectors.Core;
using Connectors.Testing;

namespace Connectors.Storage.Sqlite.Tests;

public sealed class SqliteIdMapStoreTests : IdMapStoreTests, IDisposable
{
    private readonly TempDatabase _db = new();

    protected override Task<IIdMapStore> CreateStoreAsync() => Task.FromResult<IIdMapStore>(new SqliteIdMapStore(_db.Options));

    protected override Task<IIdMapStore?> ReopenAsync(IIdMapStore store)
    {
        TempDatabase.ClosePooledConnections();
        return Task.FromResult<IIdMapStore?>(new SqliteIdMapStore(_db.Options));
    }

    public void Dispose() => _db.Dispose();
}

public sealed class SqliteIntentStoreTests : IntentStoreTests, IDisposable
{
    private readonly TempDatabase _db = new();

    protected override Task<IIntentStore> CreateStoreAsync() => Task.FromResult<IIntentStore>(new SqliteIntentStore(_db.Options));

    protected override Task<IIntentStore?> ReopenAsync(IIntentStore store)
    {
        TempDatabase.ClosePooledConnections();
        return Task.FromResult<IIntentStore?>(new SqliteIntentStore(_db.Options));
    }

    public void Dispose() => _db.Dispose();
}

public sealed class SqliteCheckpointStoreTests : CheckpointStoreTests, IDisposable
{
    private readonly TempDatabase _db = new();

    protected override Task<ICheckpointStore> CreateStoreAsync() => Task.FromResult<ICheckpointStore>(new SqliteCheckpointStore(_db.Options));

    protected override Task<ICheckpointStore?> ReopenAsync(ICheckpointStore store)
    {
        TempDatabase.ClosePooledConnections();
        return Task.FromResult<ICheckpointStore?>(new SqliteCheckpointStore(_db.Options));
    }

    public void Dispose() => _db.Dispose();
}

public sealed class SqliteJournalStoreTests : JournalStoreTests, IDisposable
{
    private readonly TempDatabase _db = new();

    protected override Task<IJournalStore> CreateStoreAsync() => Task.FromResult<IJournalStore>(new SqliteJournalStore(_db.Options));

    protected override Task<IJournalStore?> ReopenAsync(IJournalStore store)
    {
        TempDatabase.ClosePooledConnections();
        return Task.FromResult<IJournalStore?>(new SqliteJournalStore(_db.Options));
    }

    public void Dispose() => _db.Dispose();
}

public sealed class SqliteTranslationTableStoreTests : TranslationTableStoreTests, IDisposable
{
    private readonly TempDatabase _db = new();

    protected override Task<ITranslationTableStore> CreateStoreAsync()
        => Task.FromResult<ITranslationTableStore>(new SqliteTranslationTableStore(_db.Options));

    protected override Task<ITranslationTableStore?> ReopenAsync(ITranslationTableStore store)
    {
        TempDatabase.ClosePooledConnections();
        return Task.FromResult<ITranslationTableStore?>(new SqliteTranslationTableStore(_db.Options));
    }

    public void Dispose() => _db.Dispose();
}

public sealed class SqliteCredentialStoreTests : CredentialStoreTests, IDisposable
{
    private readonly TempDatabase _db = new();
    private readonly string _key = AesGcmSecretProtector.GenerateKey();

    protected override Task<ICredentialStore> CreateStoreAsync()
        => Task.FromResult<ICredentialStore>(new SqliteCredentialStore(_db.Options, AesGcmSecretProtector.FromBase64Key(_key)));

    protected override Task<ICredentialStore?> ReopenAsync(ICredentialStore store)
    {
        TempDatabase.ClosePooledConnections();
        return Task.FromResult<ICredentialStore?>(new SqliteCredentialStore(_db.Options, AesGcmSecretProtector.FromBase64Key(_key)));
    }

    public void Dispose() => _db.Dispose();
}

public sealed class SqliteLeaseStoreTests : LeaseStoreTests, IDisposable
{
    private readonly TempDatabase _db = new();

    protected override Task<ILeaseStore> CreateStoreAsync() => Task.FromResult<ILeaseStore>(new SqliteLeaseStore(_db.Options));

    protected override Task<ILeaseStore?> ReopenAsync(ILeaseStore store)
    {
        TempDatabase.ClosePooledConnections();
        return Task.FromResult<ILeaseStore?>(new SqliteLeaseStore(_db.Options));
    }

    public void Dispose() => _db.Dispose();
}

public sealed class SqliteWebhookInboxTests : WebhookInboxTests, IDisposable
{
    private readonly TempDatabase _db = new();

    protected override Task<IWebhookInbox> CreateStoreAsync() => Task.FromResult<IWebhookInbox>(new SqliteWebhookInbox(_db.Options));

    protected override Task<IWebhookInbox?> ReopenAsync(IWebhookInbox store)
    {
        TempDatabase.ClosePooledConnections();
        return Task.FromResult<IWebhookInbox?>(new SqliteWebhookInbox(_db.Options));
    }

    public void Dispose() => _db.Dispose();
}
