using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.Abstractions;

/// <summary>
/// A record of the canonical model: the only shape in which data meets between connectors.
/// </summary>
public interface ICanonicalRecord
{
    /// <summary>
    /// Gets the key that identifies the record in the system it was read from (its <c>externalId</c>, or a composite key
    /// for records such as <see cref="StockLevel"/>).
    /// </summary>
    [JsonIgnore]
    string RecordKey { get; }

    /// <summary>Gets when the record last changed in its own system, if known.</summary>
    DateTimeOffset? UpdatedAt { get; }

    /// <summary>Gets custom fields that have no canonical property, keyed by name.</summary>
    IReadOnlyDictionary<string, JsonElement>? Extensions { get; }
}

/// <summary>A postal address. Countries are ISO 3166-1 alpha-2 codes.</summary>
public sealed record Address
{
    /// <summary>Gets the addressee's name.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the company name.</summary>
    public string? CompanyName { get; init; }

    /// <summary>Gets the first street line.</summary>
    public string? Line1 { get; init; }

    /// <summary>Gets the second street line.</summary>
    public string? Line2 { get; init; }

    /// <summary>Gets the postal code.</summary>
    public string? PostalCode { get; init; }

    /// <summary>Gets the city.</summary>
    public string? City { get; init; }

    /// <summary>Gets the region, state or province.</summary>
    public string? Region { get; init; }

    /// <summary>Gets the ISO 3166-1 alpha-2 country code, for example <c>NL</c>.</summary>
    public string? CountryCode { get; init; }
}

/// <summary>Totals of a document. Money is <see cref="decimal"/> in the document's currency.</summary>
public sealed record Totals
{
    /// <summary>Gets the amount without tax.</summary>
    public decimal Net { get; init; }

    /// <summary>Gets the tax amount.</summary>
    public decimal Tax { get; init; }

    /// <summary>Gets the amount including tax.</summary>
    public decimal Gross { get; init; }
}

/// <summary>
/// A reference from one record to a party (customer or supplier), carried inside orders and invoices. The
/// <see cref="ExternalId"/> is resolved through the ID map when the record moves to another system.
/// </summary>
public sealed record PartyReference
{
    /// <summary>Gets the party's key in the record's own system.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Gets the party's e-mail address.</summary>
    public string? Email { get; init; }

    /// <summary>Gets the party's display name.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the company name.</summary>
    public string? CompanyName { get; init; }

    /// <summary>Gets the VAT number.</summary>
    public string? VatNumber { get; init; }

    /// <summary>Gets the phone number.</summary>
    public string? Phone { get; init; }
}

/// <summary>A key of the same business object in another system (for example the web-shop order id an ERP keeps).</summary>
public sealed record ExternalReference
{
    /// <summary>Gets the system the key belongs to: a vendor id or a connection name.</summary>
    public required string System { get; init; }

    /// <summary>Gets the key in that system.</summary>
    public required string Id { get; init; }

    /// <summary>Gets what the key denotes there, for example <c>order</c> or <c>invoice</c>, when it differs.</summary>
    public string? Kind { get; init; }
}

/// <summary>A document line: used by orders and invoices.</summary>
public sealed record OrderLine
{
    /// <summary>Gets the line's key in its own system.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Gets the product or variant SKU.</summary>
    public string? Sku { get; init; }

    /// <summary>Gets the product's key in the line's own system, when the line references a product.</summary>
    public string? ProductExternalId { get; init; }

    /// <summary>Gets the line description.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the quantity.</summary>
    public decimal Quantity { get; init; }

    /// <summary>Gets the price of one unit, with or without tax as the document's <c>pricesIncludeTax</c> says.</summary>
    public decimal UnitPrice { get; init; }

    /// <summary>Gets the discount amount for the whole line.</summary>
    public decimal Discount { get; init; }

    /// <summary>Gets the tax rate as a fraction: 21 % is <c>0.21</c>.</summary>
    public decimal? TaxRate { get; init; }

    /// <summary>Gets the vendor's tax code, for example an ERP VAT code.</summary>
    public string? TaxCode { get; init; }

    /// <summary>Gets the line total.</summary>
    public decimal Total { get; init; }
}
