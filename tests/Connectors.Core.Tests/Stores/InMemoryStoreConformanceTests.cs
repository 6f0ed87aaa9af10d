using Connectors.Abstractions;
using Connectors.Testing;

namespace Connectors.Core.Tests.Stores;

public sealed class InMemoryIdMapStoreTests : IdMapStoreTests
{
    protected override Task<IIdMapStore> CreateStoreAsync() => Task.FromResult<IIdMapStore>(new InMemoryIdMapStore());
}

public sealed class InMemoryIntentStoreTests : IntentStoreTests
{
    protected override Task<IIntentStore> CreateStoreAsync() => Task.FromResult<IIntentStore>(new InMemoryIntentStore());
}

public sealed class InMemoryCheckpointStoreTests : CheckpointStoreTests
{
    protected override Task<ICheckpointStore> CreateStoreAsync() => Task.FromResult<ICheckpointStore>(new InMemoryCheckpointStore());
}

public sealed class InMemoryJournalStoreTests : JournalStoreTests
{
    protected override Task<IJournalStore> CreateStoreAsync() => Task.FromResult<IJournalStore>(new InMemoryJournalStore());
}

public sealed class InMemoryTranslationTableStoreTests : TranslationTableStoreTests
{
    protected override Task<ITranslationTableStore> CreateStoreAsync()
        => Task.FromResult<ITranslationTableStore>(new InMemoryTranslationTableStore());
}

public sealed class InMemoryCredentialStoreTests : CredentialStoreTests
{
    private readonly CountingProtector _protector = new(AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey()));

    protected override Task<ICredentialStore> CreateStoreAsync() => Task.FromResult<ICredentialStore>(new InMemoryCredentialStore(_protector));

    [Fact]
    public async Task GetAsync_AfterSave_DecryptsProtectedBytesEveryTime()
    {
        var store = await CreateStoreAsync();
        await store.TrySaveAsync(new ConnectionId("t1", "shop"), Secrets(("token", "s3cret")), 0, T0, TestContext.Current.CancellationToken);
        Assert.Equal(1, _protector.Protects);

        await store.GetAsync(new ConnectionId("t1", "shop"), TestContext.Current.CancellationToken);
        await store.GetAsync(new ConnectionId("t1", "shop"), TestContext.Current.CancellationToken);

        Assert.Equal(2, _protector.Unprotects);
    }

    [Fact]
    public void Constructor_NullProtector_Throws()
        => Assert.Throws<ArgumentNullException>(() => new InMemoryCredentialStore(null!));

    private sealed class CountingProtector(ISecretProtector inner) : ISecretProtector
    {
        public int Protects { get; private set; }

        public int Unprotects { get; private set; }

        public byte[] Protect(ReadOnlySpan<byte> plaintext)
        {
            Protects++;
            return inner.Protect(plaintext);
        }

        public byte[] Unprotect(ReadOnlySpan<byte> protectedData)
        {
            Unprotects++;
            return inner.Unprotect(protectedData);
        }
    }
}

public sealed class InMemoryLeaseStoreTests : LeaseStoreTests
{
    protected override Task<ILeaseStore> CreateStoreAsync() => Task.FromResult<ILeaseStore>(new InMemoryLeaseStore());
}

public sealed class InMemoryWebhookInboxTests : WebhookInboxTests
{
    protected override Task<IWebhookInbox> CreateStoreAsync() => Task.FromResult<IWebhookInbox>(new InMemoryWebhookInbox());
}
