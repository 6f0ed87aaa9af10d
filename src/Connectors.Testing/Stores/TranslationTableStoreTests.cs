using System.Diagnostics.CodeAnalysis;
using Connectors.Abstractions;
using Xunit;

namespace Connectors.Testing;

/// <summary>Conformance tests every <see cref="ITranslationTableStore"/> passes.</summary>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names follow Method_Scenario_Expected.")]
public abstract class TranslationTableStoreTests : StoreTestsBase<ITranslationTableStore>
{
    /// <summary>A table that was never written is empty, and lookups in it find nothing.</summary>
    [Fact]
    public async Task GetTableAsync_MissingTable_ReturnsEmpty()
    {
        var store = await CreateStoreAsync();
        Assert.Empty(await store.GetTableAsync("t1", "vat", Ct));
        Assert.Null(await store.LookupAsync("t1", "vat", "21", Ct));
    }

    /// <summary>Entries written come back whole and one by one.</summary>
    [Fact]
    public async Task SetEntriesAsync_ThenGetAndLookup_ReturnEntries()
    {
        var store = await CreateStoreAsync();
        await store.SetEntriesAsync("t1", "vat", Entries(("0.21", "VH"), ("0.09", "VL"), ("Zürich ✓", "é")), Ct);

        var table = await store.GetTableAsync("t1", "vat", Ct);

        Assert.Equal(3, table.Count);
        Assert.Equal("VH", table["0.21"]);
        Assert.Equal("é", table["Zürich ✓"]);
        Assert.Equal("VL", await store.LookupAsync("t1", "vat", "0.09", Ct));
        Assert.Null(await store.LookupAsync("t1", "vat", "0.06", Ct));
    }

    /// <summary>Keys compare exactly: case matters.</summary>
    [Fact]
    public async Task LookupAsync_DifferentCase_IsAnotherKey()
    {
        var store = await CreateStoreAsync();
        await store.SetEntriesAsync("t1", "countries", Entries(("NL", "Netherlands"), ("nl", "lowercase")), Ct);
        Assert.Equal("Netherlands", await store.LookupAsync("t1", "countries", "NL", Ct));
        Assert.Equal("lowercase", await store.LookupAsync("t1", "countries", "nl", Ct));
        Assert.Null(await store.LookupAsync("t1", "countries", "Nl", Ct));
    }

    /// <summary>A later write replaces values, a null value removes the key, and other keys stay.</summary>
    [Fact]
    public async Task SetEntriesAsync_ReplaceAndRemove_MergesIntoTable()
    {
        var store = await CreateStoreAsync();
        await store.SetEntriesAsync("t1", "units", Entries(("pcs", "ST"), ("kg", "KG"), ("m", "M")), Ct);

        await store.SetEntriesAsync("t1", "units", new Dictionary<string, string?> { ["pcs"] = "PCE", ["kg"] = null, ["l"] = "L" }, Ct);

        var table = await store.GetTableAsync("t1", "units", Ct);
        Assert.Equal(["l", "m", "pcs"], table.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("PCE", table["pcs"]);
        Assert.Null(await store.LookupAsync("t1", "units", "kg", Ct));
    }

    /// <summary>Tables are listed sorted; a table whose last entry was removed no longer exists.</summary>
    [Fact]
    public async Task ListTablesAsync_ReturnsSortedNonEmptyTables()
    {
        var store = await CreateStoreAsync();
        await store.SetEntriesAsync("t1", "vat", Entries(("a", "b")), Ct);
        await store.SetEntriesAsync("t1", "countries", Entries(("a", "b")), Ct);
        await store.SetEntriesAsync("t1", "units", Entries(("a", "b")), Ct);
        await store.SetEntriesAsync("t1", "units", new Dictionary<string, string?> { ["a"] = null }, Ct);
        await store.SetEntriesAsync("t2", "payments", Entries(("a", "b")), Ct);

        Assert.Equal(["countries", "vat"], await store.ListTablesAsync("t1", Ct));
        Assert.Empty(await store.ListTablesAsync("t3", Ct));
    }

    /// <summary>Deleting a table removes all its entries, once; other tables stay.</summary>
    [Fact]
    public async Task DeleteTableAsync_Existing_RemovesOnce()
    {
        var store = await CreateStoreAsync();
        await store.SetEntriesAsync("t1", "vat", Entries(("a", "1"), ("b", "2")), Ct);
        await store.SetEntriesAsync("t1", "units", Entries(("a", "1")), Ct);

        Assert.True(await store.DeleteTableAsync("t1", "vat", Ct));
        Assert.False(await store.DeleteTableAsync("t1", "vat", Ct));
        Assert.Empty(await store.GetTableAsync("t1", "vat", Ct));
        Assert.Equal(["units"], await store.ListTablesAsync("t1", Ct));
    }

    /// <summary>Tables of the same name belong to each tenant separately.</summary>
    [Fact]
    public async Task SetEntriesAsync_SameTableTwoTenants_AreIndependent()
    {
        var store = await CreateStoreAsync();
        await store.SetEntriesAsync("t1", "vat", Entries(("0.21", "t1")), Ct);
        await store.SetEntriesAsync("t2", "vat", Entries(("0.21", "t2")), Ct);

        Assert.Equal("t1", await store.LookupAsync("t1", "vat", "0.21", Ct));
        Assert.Equal("t2", await store.LookupAsync("t2", "vat", "0.21", Ct));
        Assert.False(await store.DeleteTableAsync("t3", "vat", Ct));
    }

    /// <summary>Purging a tenant removes its entries only and counts them.</summary>
    [Fact]
    public async Task PurgeTenantAsync_RemovesOnlyThatTenant()
    {
        var store = await CreateStoreAsync();
        await store.SetEntriesAsync("t1", "vat", Entries(("a", "1"), ("b", "2")), Ct);
        await store.SetEntriesAsync("t1", "units", Entries(("a", "1")), Ct);
        await store.SetEntriesAsync("t2", "vat", Entries(("a", "1")), Ct);

        Assert.Equal(3, await store.PurgeTenantAsync("t1", Ct));
        Assert.Empty(await store.ListTablesAsync("t1", Ct));
        Assert.Equal(["vat"], await store.ListTablesAsync("t2", Ct));
        Assert.Equal(0, await store.PurgeTenantAsync("t1", Ct));
    }

    /// <summary>A table read earlier does not change when the store changes later.</summary>
    [Fact]
    public async Task GetTableAsync_ResultIsSnapshot()
    {
        var store = await CreateStoreAsync();
        await store.SetEntriesAsync("t1", "vat", Entries(("a", "1")), Ct);
        var before = await store.GetTableAsync("t1", "vat", Ct);

        await store.SetEntriesAsync("t1", "vat", Entries(("a", "2"), ("b", "3")), Ct);

        Assert.Single(before);
        Assert.Equal("1", before["a"]);
    }

    /// <summary>Writers racing on different keys of one table lose no key.</summary>
    [Fact]
    public async Task SetEntriesAsync_ParallelWriters_KeepAllKeys()
    {
        var store = await CreateStoreAsync();
        await RunInParallelAsync(20, async i =>
        {
            await store.SetEntriesAsync("t1", "vat", Entries(("k" + i, "v" + i)), Ct);
            return i;
        });
        Assert.Equal(20, (await store.GetTableAsync("t1", "vat", Ct)).Count);
    }

    /// <summary>A durable store keeps tables across reopening.</summary>
    [Fact]
    public async Task Reopen_DurableStore_KeepsTables()
    {
        var store = await CreateStoreAsync();
        await store.SetEntriesAsync("t1", "vat", Entries(("0.21", "VH")), Ct);

        var reopened = await ReopenOrSkipAsync(store);

        Assert.Equal("VH", await reopened.LookupAsync("t1", "vat", "0.21", Ct));
        Assert.Equal(["vat"], await reopened.ListTablesAsync("t1", Ct));
    }

    private static Dictionary<string, string?> Entries(params (string Key, string Value)[] entries)
        => entries.ToDictionary(e => e.Key, e => (string?)e.Value, StringComparer.Ordinal);
}
