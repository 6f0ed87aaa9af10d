using System.Reflection;
using Connectors.Testing;

namespace Connectors.Core.Tests.Stores;

/// <summary>Fails when a store conformance suite is added to Connectors.Testing without an in-memory subclass here.</summary>
public sealed class StoreSuiteCoverageTests
{
    [Fact]
    public void EveryStoreSuite_HasAnInMemorySubclass()
    {
        var suites = typeof(StoreTestsBase<>).Assembly.GetExportedTypes()
            .Where(t => t.IsAbstract && IsStoreSuite(t))
            .ToList();
        var implemented = typeof(StoreSuiteCoverageTests).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.BaseType is not null)
            .Select(t => t.BaseType!)
            .ToHashSet();

        Assert.Equal(8, suites.Count);
        Assert.Empty(suites.Where(s => !implemented.Contains(s)).Select(s => s.Name));
    }

    private static bool IsStoreSuite(Type type)
        => type.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(StoreTestsBase<>);
}
