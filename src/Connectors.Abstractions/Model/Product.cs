using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.Abstractions;

/// <summary>A sellable variant of a product (a size, a colour).</summary>
public sealed record ProductVariant
{
    /// <summary>Gets the variant's key in its own system.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Gets the SKU, the natural key of a variant.</summary>
    public string? Sku { get; init; }

    /// <summary>Gets the GTIN (EAN / UPC barcode).</summary>
    public string? Gtin { get; init; }

    /// <summary>Gets the variant's name.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the price, when it differs from the product's.</summary>
    public decimal? Price { get; init; }

    /// <summary>Gets whether the variant is on sale.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Active { get; init; } = true;

    /// <summary>Gets the option values that define the variant, such as <c>size = M</c>.</summary>
    public IReadOnlyDictionary<string, string>? Options { get; init; }
}

/// <summary>A product with its variants.</summary>
public sealed record Product : ICanonicalRecord
{
    /// <summary>Gets the product's key in its own system.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Gets the SKU, the product's natural key.</summary>
    public string? Sku { get; init; }

    /// <summary>Gets the GTIN (EAN / UPC barcode).</summary>
    public string? Gtin { get; init; }

    /// <summary>Gets the name.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the description.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the sales price.</summary>
    public decimal? Price { get; init; }

    /// <summary>Gets the ISO 4217 currency code of <see cref="Price"/>.</summary>
    public string? Currency { get; init; }

    /// <summary>Gets the tax rate as a fraction: 21 % is <c>0.21</c>.</summary>
    public decimal? TaxRate { get; init; }

    /// <summary>Gets whether the product is on sale.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Active { get; init; } = true;

    /// <summary>Gets the variants.</summary>
    public IReadOnlyList<ProductVariant> Variants { get; init; } = [];

    /// <inheritdoc />
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, JsonElement>? Extensions { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public string RecordKey => ExternalId ?? string.Empty;
}
