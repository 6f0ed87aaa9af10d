using Connectors.Testing;

namespace Connectors.Storage.Sqlite.Tests;

/// <summary>Fails when a store conformance suite is added to Connectors.Testing without a SQLite subclass here.</summary>
public sealed class StoreSuiteCoverageTests
{
    [Fact]
    public void EveryStoreSuite_HasASqliteSubclass()
    {
        var suites = typeof(StoreTestsBase<>).Assembly.GetExportedTypes()
            .Where(t => t.IsAbstract && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(StoreTestsBase<>))
            .ToList();
        var implemented = typeof(StoreSuiteCoverageTests).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.BaseType is not null)
            .Select(t => t.BaseType!)
            .ToHashSet();

        Assert.Equal(8, suites.Count);
        Assert.Empty(suites.Where(s => !implemented.Contains(s)).Select(s => s.Name));
    }
}
