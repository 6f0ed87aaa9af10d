using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.Abstractions;

/// <summary>Whether an order was placed by a customer or with a supplier.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OrderKind>))]
public enum OrderKind
{
    /// <summary>A customer (sales) order.</summary>
    [JsonStringEnumMemberName("sales")]
    Sales,

    /// <summary>A supplier (purchase) order.</summary>
    [JsonStringEnumMemberName("purchase")]
    Purchase,
}

/// <summary>Why and when an order was cancelled.</summary>
public sealed record OrderCancellation
{
    /// <summary>Gets when the order was cancelled.</summary>
    public DateTimeOffset? CancelledAt { get; init; }

    /// <summary>Gets the reason given.</summary>
    public string? Reason { get; init; }
}

/// <summary>A customer or supplier order.</summary>
public sealed record Order : ICanonicalRecord
{
    /// <summary>Gets the order's key in its own system.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Gets the human order number, which may differ from <see cref="ExternalId"/>.</summary>
    public string? Number { get; init; }

    /// <summary>Gets whether this is a sales or a purchase order.</summary>
    /// <value>The default value is <see cref="OrderKind.Sales"/>.</value>
    public OrderKind Kind { get; init; }

    /// <summary>Gets the order status.</summary>
    public OrderStatus Status { get; init; } = OrderStatus.Open;

    /// <summary>Gets the payment state, where the source knows it.</summary>
    public PaymentStatus? PaymentStatus { get; init; }

    /// <summary>Gets the ISO 4217 currency code.</summary>
    public string? Currency { get; init; }

    /// <summary>Gets when the order was placed.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <inheritdoc />
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Gets whether line prices include tax.</summary>
    public bool PricesIncludeTax { get; init; }

    /// <summary>Gets the customer (sales) or supplier (purchase).</summary>
    public PartyReference? Customer { get; init; }

    /// <summary>Gets the billing address.</summary>
    public Address? BillingAddress { get; init; }

    /// <summary>Gets the shipping address.</summary>
    public Address? ShippingAddress { get; init; }

    /// <summary>Gets the lines.</summary>
    public IReadOnlyList<OrderLine> Lines { get; init; } = [];

    /// <summary>Gets the shipping charge.</summary>
    public decimal? ShippingTotal { get; init; }

    /// <summary>Gets the document totals.</summary>
    public Totals? Totals { get; init; }

    /// <summary>Gets the cancellation, when the order was cancelled.</summary>
    public OrderCancellation? Cancellation { get; init; }

    /// <summary>Gets keys of the same order in other systems.</summary>
    public IReadOnlyList<ExternalReference>? References { get; init; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, JsonElement>? Extensions { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public string RecordKey => ExternalId ?? string.Empty;
}
