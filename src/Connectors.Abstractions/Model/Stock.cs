using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.Abstractions;

/// <summary>The stock of one SKU at one location.</summary>
public sealed record StockLevel : ICanonicalRecord
{
    /// <summary>Gets the SKU.</summary>
    public required string Sku { get; init; }

    /// <summary>Gets the location (warehouse) key; empty for a system with a single location.</summary>
    public string LocationId { get; init; } = string.Empty;

    /// <summary>Gets the quantity physically on hand.</summary>
    public decimal OnHand { get; init; }

    /// <summary>Gets the quantity reserved for open orders.</summary>
    public decimal Reserved { get; init; }

    /// <summary>Gets the quantity available to sell.</summary>
    public decimal Available { get; init; }

    /// <inheritdoc />
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, JsonElement>? Extensions { get; init; }

    /// <summary>Gets the composite key <c>sku@locationId</c>.</summary>
    [JsonIgnore]
    public string RecordKey => LocationId.Length == 0 ? Sku : string.Concat(Sku, "@", LocationId);
}

/// <summary>A shipped quantity of one SKU.</summary>
public sealed record ShipmentLine
{
    /// <summary>Gets the SKU.</summary>
    public string? Sku { get; init; }

    /// <summary>Gets the key of the order line shipped, in the shipment's own system.</summary>
    public string? OrderLineExternalId { get; init; }

    /// <summary>Gets the quantity shipped.</summary>
    public decimal Quantity { get; init; }
}

/// <summary>A shipment (fulfilment, goods delivery) of an order.</summary>
public sealed record Shipment : ICanonicalRecord
{
    /// <summary>Gets the shipment's key in its own system.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Gets the number of the order shipped.</summary>
    public string? OrderNumber { get; init; }

    /// <summary>Gets the key of the order shipped, in the shipment's own system.</summary>
    public string? OrderExternalId { get; init; }

    /// <summary>Gets the carrier, for example <c>DHL</c>.</summary>
    public string? Carrier { get; init; }

    /// <summary>Gets the tracking numbers.</summary>
    public IReadOnlyList<string> TrackingNumbers { get; init; } = [];

    /// <summary>Gets a tracking URL.</summary>
    public string? TrackingUrl { get; init; }

    /// <summary>Gets the location shipped from.</summary>
    public string? LocationId { get; init; }

    /// <summary>Gets when the goods left.</summary>
    public DateTimeOffset? ShippedAt { get; init; }

    /// <summary>Gets the lines shipped; empty means the whole order.</summary>
    public IReadOnlyList<ShipmentLine> Lines { get; init; } = [];

    /// <inheritdoc />
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, JsonElement>? Extensions { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public string RecordKey => ExternalId ?? string.Empty;
}
