using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.Abstractions;

/// <summary>A payment received against an invoice or an order (or made to a supplier).</summary>
public sealed record Payment : ICanonicalRecord
{
    /// <summary>Gets the payment's key in its own system.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Gets the number of the invoice paid.</summary>
    public string? InvoiceNumber { get; init; }

    /// <summary>Gets the number of the order paid.</summary>
    public string? OrderNumber { get; init; }

    /// <summary>Gets the amount paid.</summary>
    public decimal Amount { get; init; }

    /// <summary>Gets the ISO 4217 currency code.</summary>
    public string? Currency { get; init; }

    /// <summary>Gets the payment method, for example <c>creditCard</c> or <c>bankTransfer</c>.</summary>
    public string? Method { get; init; }

    /// <summary>Gets the payment provider's or bank's reference.</summary>
    public string? Reference { get; init; }

    /// <summary>Gets when the payment was made.</summary>
    public DateTimeOffset? PaidAt { get; init; }

    /// <inheritdoc />
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, JsonElement>? Extensions { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public string RecordKey => ExternalId ?? string.Empty;
}

/// <summary>A refunded quantity or amount of one order line.</summary>
public sealed record RefundLine
{
    /// <summary>Gets the SKU.</summary>
    public string? Sku { get; init; }

    /// <summary>Gets the quantity returned.</summary>
    public decimal Quantity { get; init; }

    /// <summary>Gets the amount refunded for the line.</summary>
    public decimal Amount { get; init; }
}

/// <summary>Money returned to a customer.</summary>
public sealed record Refund : ICanonicalRecord
{
    /// <summary>Gets the refund's key in its own system.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Gets the number of the order refunded.</summary>
    public string? OrderNumber { get; init; }

    /// <summary>Gets the amount refunded.</summary>
    public decimal Amount { get; init; }

    /// <summary>Gets the ISO 4217 currency code.</summary>
    public string? Currency { get; init; }

    /// <summary>Gets the reason given.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets when the refund was made.</summary>
    public DateTimeOffset? RefundedAt { get; init; }

    /// <summary>Gets the lines refunded.</summary>
    public IReadOnlyList<RefundLine> Lines { get; init; } = [];

    /// <inheritdoc />
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, JsonElement>? Extensions { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public string RecordKey => ExternalId ?? string.Empty;
}
