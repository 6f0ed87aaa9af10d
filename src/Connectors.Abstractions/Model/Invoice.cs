using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.Abstractions;

/// <summary>Whether a document is an invoice or a credit note.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<InvoiceKind>))]
public enum InvoiceKind
{
    /// <summary>An invoice.</summary>
    [JsonStringEnumMemberName("invoice")]
    Invoice,

    /// <summary>A credit note.</summary>
    [JsonStringEnumMemberName("creditNote")]
    CreditNote,
}

/// <summary>An invoice or a credit note.</summary>
public sealed record Invoice : ICanonicalRecord
{
    /// <summary>Gets the invoice's key in its own system.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Gets the invoice number.</summary>
    public string? Number { get; init; }

    /// <summary>Gets whether this is an invoice or a credit note.</summary>
    /// <value>The default value is <see cref="InvoiceKind.Invoice"/>.</value>
    public InvoiceKind Kind { get; init; }

    /// <summary>Gets the number of the order the invoice bills.</summary>
    public string? OrderNumber { get; init; }

    /// <summary>Gets the number of the invoice a credit note corrects.</summary>
    public string? CreditedInvoiceNumber { get; init; }

    /// <summary>Gets the billed party.</summary>
    public PartyReference? Customer { get; init; }

    /// <summary>Gets when the invoice was issued.</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary>Gets when payment is due.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>Gets the ISO 4217 currency code.</summary>
    public string? Currency { get; init; }

    /// <summary>Gets whether line prices include tax.</summary>
    public bool PricesIncludeTax { get; init; }

    /// <summary>Gets the lines.</summary>
    public IReadOnlyList<OrderLine> Lines { get; init; } = [];

    /// <summary>Gets the document totals.</summary>
    public Totals? Totals { get; init; }

    /// <summary>Gets the payment state.</summary>
    public PaymentStatus PaymentStatus { get; init; } = PaymentStatus.Open;

    /// <summary>Gets the amount still due.</summary>
    public decimal? AmountDue { get; init; }

    /// <inheritdoc />
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Gets keys of the same document in other systems.</summary>
    public IReadOnlyList<ExternalReference>? References { get; init; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, JsonElement>? Extensions { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public string RecordKey => ExternalId ?? string.Empty;
}
