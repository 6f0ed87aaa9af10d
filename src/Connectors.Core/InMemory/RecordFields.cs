using Connectors.Abstractions;

namespace Connectors.Core.InMemory;

/// <summary>Reads and sets the few fields of canonical records the in-memory connector manages.</summary>
internal static class RecordFields
{
    private static readonly Dictionary<string, Type> TypesByName = new(StringComparer.Ordinal)
    {
        [nameof(Order)] = typeof(Order),
        [nameof(Customer)] = typeof(Customer),
        [nameof(Product)] = typeof(Product),
        [nameof(Invoice)] = typeof(Invoice),
        [nameof(Payment)] = typeof(Payment),
        [nameof(Refund)] = typeof(Refund),
        [nameof(StockLevel)] = typeof(StockLevel),
        [nameof(Shipment)] = typeof(Shipment),
    };

    /// <summary>Gets the canonical type a standard kind holds, or <see langword="null"/> for a kind of a connector's own.</summary>
    public static Type? ExpectedType(EntityKind kind)
    {
        if (kind == EntityKind.Order)
        {
            return typeof(Order);
        }

        if (kind == EntityKind.Customer || kind == EntityKind.Supplier)
        {
            return typeof(Customer);
        }

        if (kind == EntityKind.Product)
        {
            return typeof(Product);
        }

        if (kind == EntityKind.Invoice)
        {
            return typeof(Invoice);
        }

        if (kind == EntityKind.Payment)
        {
            return typeof(Payment);
        }

        if (kind == EntityKind.Refund)
        {
            return typeof(Refund);
        }

        if (kind == EntityKind.StockLevel)
        {
            return typeof(StockLevel);
        }

        return kind == EntityKind.Shipment ? typeof(Shipment) : null;
    }

    /// <summary>Gets the default natural key field of a standard kind.</summary>
    public static string? DefaultNaturalKey(EntityKind kind)
    {
        if (kind == EntityKind.Product || kind == EntityKind.StockLevel)
        {
            return "sku";
        }

        if (kind == EntityKind.Customer || kind == EntityKind.Supplier)
        {
            return "email";
        }

        return kind == EntityKind.Order || kind == EntityKind.Invoice ? "number" : null;
    }

    /// <summary>Gets whether the record's type has an <c>externalId</c> the connector sets to its key.</summary>
    public static bool HasExternalId(ICanonicalRecord record)
        => record is Order or Customer or Product or Invoice or Payment or Refund or Shipment;

    /// <summary>Returns the record with its <c>externalId</c> set to the key and its <c>updatedAt</c> set.</summary>
    public static ICanonicalRecord Stamp(ICanonicalRecord record, string key, DateTimeOffset updatedAt)
        => record switch
        {
            Order o => o with { ExternalId = key, UpdatedAt = updatedAt },
            Customer c => c with { ExternalId = key, UpdatedAt = updatedAt },
            Product p => p with { ExternalId = key, UpdatedAt = updatedAt },
            Invoice i => i with { ExternalId = key, UpdatedAt = updatedAt },
            Payment p => p with { ExternalId = key, UpdatedAt = updatedAt },
            Refund r => r with { ExternalId = key, UpdatedAt = updatedAt },
            Shipment s => s with { ExternalId = key, UpdatedAt = updatedAt },
            StockLevel s => s with { UpdatedAt = updatedAt },
            _ => record,
        };

    /// <summary>Returns the record with its <c>externalId</c> set to the key, when its type has one.</summary>
    public static ICanonicalRecord WithKey(ICanonicalRecord record, string key)
        => HasExternalId(record) ? CanonicalRecords.WithExternalId(record, key) : record;

    /// <summary>Gets the value of a natural key field, or <see langword="null"/>.</summary>
    public static string? NaturalKey(ICanonicalRecord record, string field)
        => (field, record) switch
        {
            ("sku", Product p) => p.Sku,
            ("sku", StockLevel s) => s.Sku,
            ("email", Customer c) => c.Email,
            ("number", Order o) => o.Number,
            ("number", Invoice i) => i.Number,
            ("gtin", Product p) => p.Gtin,
            ("externalId", _) when HasExternalId(record) => record.RecordKey,
            _ => null,
        };

    /// <summary>Gets the comparer for values of a natural key field: e-mail addresses ignore case.</summary>
    public static StringComparer NaturalKeyComparer(string? field)
        => string.Equals(field, "email", StringComparison.Ordinal) ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>Gets the name a type is written under in the data file.</summary>
    public static string TypeName(ICanonicalRecord record)
    {
        var type = record.GetType();
        return TypesByName.TryGetValue(type.Name, out var known) && known == type
            ? type.Name
            : throw new NotSupportedException(
                $"'{type.FullName}' is not a canonical record type; a durable in-memory connector stores canonical records only.");
    }

    /// <summary>Gets the type written under a name in the data file.</summary>
    public static Type TypeOf(string name)
        => TypesByName.TryGetValue(name, out var type)
            ? type
            : throw new InvalidDataException($"The data file names an unknown record type '{name}'.");
}
