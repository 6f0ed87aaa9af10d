using System.Diagnostics.CodeAnalysis;
using Connectors.Abstractions;
using Xunit;

namespace Connectors.Testing;

/// <summary>Conformance tests every <see cref="ICredentialStore"/> passes.</summary>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names follow Method_Scenario_Expected.")]
public abstract class CredentialStoreTests : StoreTestsBase<ICredentialStore>
{
    private static readonly ConnectionId Shop = new("t1", "shop");

    /// <summary>A connection without credentials gives nothing.</summary>
    [Fact]
    public async Task GetAsync_NothingSaved_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.GetAsync(Shop, Ct));
    }

    /// <summary>The first save expects version 0 and stores version 1; the secrets come back as saved.</summary>
    [Fact]
    public async Task TrySaveAsync_FirstSaveExpectingZero_StoresVersionOne()
    {
        var store = await CreateStoreAsync();
        var secrets = Secrets(("access_token", "at-1"), ("refresh_token", "rt-1 ✓ é"), ("empty", ""));

        var saved = await store.TrySaveAsync(Shop, secrets, 0, T0, Ct);

        Assert.NotNull(saved);
        Assert.Equal(1, saved.Version);
        Assert.Equal(T0, saved.UpdatedAt);
        var read = await store.GetAsync(Shop, Ct);
        Assert.NotNull(read);
        Assert.Equal(1, read.Version);
        Assert.Equal(T0, read.UpdatedAt);
        Assert.Equal(secrets.OrderBy(p => p.Key, StringComparer.Ordinal), read.Secrets.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    /// <summary>Expecting 0 when a credential exists fails and leaves it as it was.</summary>
    [Fact]
    public async Task TrySaveAsync_ExpectingZeroWhenOneExists_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        await store.TrySaveAsync(Shop, Secrets(("token", "first")), 0, T0, Ct);

        Assert.Null(await store.TrySaveAsync(Shop, Secrets(("token", "second")), 0, T0.AddMinutes(1), Ct));

        var read = await store.GetAsync(Shop, Ct);
        Assert.Equal("first", read!.Secrets["token"]);
        Assert.Equal(1, read.Version);
    }

    /// <summary>Each save with the current version increments it; a stale version is refused.</summary>
    [Fact]
    public async Task TrySaveAsync_CurrentVersion_IncrementsAndStaleVersionFails()
    {
        var store = await CreateStoreAsync();
        await store.TrySaveAsync(Shop, Secrets(("token", "v1")), 0, T0, Ct);
        var second = await store.TrySaveAsync(Shop, Secrets(("token", "v2")), 1, T0.AddMinutes(1), Ct);
        var third = await store.TrySaveAsync(Shop, Secrets(("token", "v3")), 2, T0.AddMinutes(2), Ct);

        Assert.Equal(2, second!.Version);
        Assert.Equal(3, third!.Version);
        Assert.Null(await store.TrySaveAsync(Shop, Secrets(("token", "stale")), 2, T0.AddMinutes(3), Ct));
        Assert.Null(await store.TrySaveAsync(Shop, Secrets(("token", "future")), 7, T0.AddMinutes(3), Ct));

        var read = await store.GetAsync(Shop, Ct);
        Assert.Equal("v3", read!.Secrets["token"]);
        Assert.Equal(3, read.Version);
        Assert.Equal(T0.AddMinutes(2), read.UpdatedAt);
    }

    /// <summary>A save replaces the whole set of secrets: names not saved again are gone.</summary>
    [Fact]
    public async Task TrySaveAsync_FewerSecrets_ReplacesWholeSet()
    {
        var store = await CreateStoreAsync();
        await store.TrySaveAsync(Shop, Secrets(("a", "1"), ("b", "2")), 0, T0, Ct);
        await store.TrySaveAsync(Shop, Secrets(("a", "3")), 1, T0, Ct);

        var read = await store.GetAsync(Shop, Ct);
        Assert.Equal(["a"], read!.Secrets.Keys);
    }

    /// <summary>Twenty writers racing with the same expected version: exactly one succeeds and its secrets are stored.</summary>
    [Fact]
    public async Task TrySaveAsync_TwentyParallelAttempts_ExactlyOneSucceeds()
    {
        var store = await CreateStoreAsync();
        await store.TrySaveAsync(Shop, Secrets(("refresh_token", "rt-0")), 0, T0, Ct);

        var results = await RunInParallelAsync(
            20, i => store.TrySaveAsync(Shop, Secrets(("refresh_token", "rt-" + (i + 1))), 1, T0.AddSeconds(i), Ct));

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal(2, winner!.Version);
        var read = await store.GetAsync(Shop, Ct);
        Assert.Equal(2, read!.Version);
        Assert.Equal(winner.Secrets["refresh_token"], read.Secrets["refresh_token"]);
    }

    /// <summary>Changing the caller's dictionary after a save does not change what the store holds.</summary>
    [Fact]
    public async Task TrySaveAsync_CallerMutatesDictionaryAfterwards_StoreUnchanged()
    {
        var store = await CreateStoreAsync();
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal) { ["token"] = "original" };
        var saved = await store.TrySaveAsync(Shop, secrets, 0, T0, Ct);
        secrets["token"] = "mutated";

        Assert.Equal("original", saved!.Secrets["token"]);
        Assert.Equal("original", (await store.GetAsync(Shop, Ct))!.Secrets["token"]);
    }

    /// <summary>Connections of the same name in two tenants hold separate credentials.</summary>
    [Fact]
    public async Task TrySaveAsync_SameNameTwoTenants_AreIndependent()
    {
        var store = await CreateStoreAsync();
        var other = new ConnectionId("t2", "shop");
        await store.TrySaveAsync(Shop, Secrets(("token", "t1")), 0, T0, Ct);

        Assert.Null(await store.GetAsync(other, Ct));
        Assert.NotNull(await store.TrySaveAsync(other, Secrets(("token", "t2")), 0, T0, Ct));
        Assert.Equal("t1", (await store.GetAsync(Shop, Ct))!.Secrets["token"]);
        Assert.Equal("t2", (await store.GetAsync(other, Ct))!.Secrets["token"]);
    }

    /// <summary>Deleting removes the credential once; the next save starts again from version 0.</summary>
    [Fact]
    public async Task DeleteAsync_Existing_RemovesOnceAndRestartsVersions()
    {
        var store = await CreateStoreAsync();
        await store.TrySaveAsync(Shop, Secrets(("token", "x")), 0, T0, Ct);

        Assert.True(await store.DeleteAsync(Shop, Ct));
        Assert.False(await store.DeleteAsync(Shop, Ct));
        Assert.Null(await store.GetAsync(Shop, Ct));
        Assert.Equal(1, (await store.TrySaveAsync(Shop, Secrets(("token", "y")), 0, T0, Ct))!.Version);
    }

    /// <summary>Purging a tenant removes its credentials only and counts them.</summary>
    [Fact]
    public async Task PurgeTenantAsync_RemovesOnlyThatTenant()
    {
        var store = await CreateStoreAsync();
        await store.TrySaveAsync(Shop, Secrets(("token", "1")), 0, T0, Ct);
        await store.TrySaveAsync(new ConnectionId("t1", "erp"), Secrets(("token", "2")), 0, T0, Ct);
        await store.TrySaveAsync(new ConnectionId("t2", "shop"), Secrets(("token", "3")), 0, T0, Ct);

        Assert.Equal(2, await store.PurgeTenantAsync("t1", Ct));
        Assert.Null(await store.GetAsync(Shop, Ct));
        Assert.NotNull(await store.GetAsync(new ConnectionId("t2", "shop"), Ct));
        Assert.Equal(0, await store.PurgeTenantAsync("t1", Ct));
    }

    /// <summary>A durable store keeps credentials and their version across reopening.</summary>
    [Fact]
    public async Task Reopen_DurableStore_KeepsCredentialAndVersion()
    {
        var store = await CreateStoreAsync();
        await store.TrySaveAsync(Shop, Secrets(("token", "v1")), 0, T0, Ct);
        await store.TrySaveAsync(Shop, Secrets(("token", "v2")), 1, T0, Ct);

        var reopened = await ReopenOrSkipAsync(store);

        var read = await reopened.GetAsync(Shop, Ct);
        Assert.Equal("v2", read!.Secrets["token"]);
        Assert.Equal(2, read.Version);
        Assert.Null(await reopened.TrySaveAsync(Shop, Secrets(("token", "stale")), 1, T0, Ct));
    }

    /// <summary>Builds a secrets dictionary.</summary>
    /// <param name="secrets">The name/value pairs.</param>
    /// <returns>The dictionary.</returns>
    protected static Dictionary<string, string> Secrets(params (string Name, string Value)[] secrets)
        => secrets.ToDictionary(s => s.Name, s => s.Value, StringComparer.Ordinal);
}
