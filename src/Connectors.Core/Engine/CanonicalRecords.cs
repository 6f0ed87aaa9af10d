using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>Helpers over canonical records of any type.</summary>
public static class CanonicalRecords
{
    /// <summary>
    /// Returns the record with its <c>externalId</c> replaced (the engine sets the target's key before an update and
    /// clears it before a create). Records without an <c>externalId</c> (stock levels) are returned unchanged.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="externalId">The key, or <see langword="null"/> to clear it.</param>
    /// <returns>The record with the key replaced.</returns>
    public static ICanonicalRecord WithExternalId(ICanonicalRecord record, string? externalId)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record switch
        {
            Order o => o with { ExternalId = externalId },
            Customer c => c with { ExternalId = externalId },
            Product p => p with { ExternalId = externalId },
            Invoice i => i with { ExternalId = externalId },
            Payment p => p with { ExternalId = externalId },
            Refund r => r with { ExternalId = externalId },
            Shipment s => s with { ExternalId = externalId },
            _ => record,
        };
    }

    /// <summary>Gets the display name of a record kind in messages: <c>order</c> gives <c>Order</c>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The name.</returns>
    internal static string Display(EntityKind kind)
        => kind.Value.Length == 0 ? kind.Value : string.Concat(char.ToUpperInvariant(kind.Value[0]).ToString(), kind.Value.AsSpan(1));
}
