using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.Abstractions;

/// <summary>Whether a party is a company or a person.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PartyKind>))]
public enum PartyKind
{
    /// <summary>A company.</summary>
    [JsonStringEnumMemberName("company")]
    Company,

    /// <summary>A private person.</summary>
    [JsonStringEnumMemberName("person")]
    Person,
}

/// <summary>A contact person of a company.</summary>
public sealed record Contact
{
    /// <summary>Gets the contact's name.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the contact's e-mail address.</summary>
    public string? Email { get; init; }

    /// <summary>Gets the contact's phone number.</summary>
    public string? Phone { get; init; }

    /// <summary>Gets the contact's role, for example <c>invoicing</c>.</summary>
    public string? Role { get; init; }
}

/// <summary>A customer or a supplier: a company (with contacts) or a person.</summary>
public sealed record Customer : ICanonicalRecord
{
    /// <summary>Gets the customer's key in its own system.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Gets whether the customer is a company or a person.</summary>
    /// <value>The default value is <see cref="PartyKind.Company"/>.</value>
    public PartyKind Kind { get; init; }

    /// <summary>Gets the display name (a person's full name, or the company's name).</summary>
    public string? Name { get; init; }

    /// <summary>Gets the company name.</summary>
    public string? CompanyName { get; init; }

    /// <summary>Gets the e-mail address, the natural key most shops match customers by.</summary>
    public string? Email { get; init; }

    /// <summary>Gets the phone number.</summary>
    public string? Phone { get; init; }

    /// <summary>Gets the VAT number.</summary>
    public string? VatNumber { get; init; }

    /// <summary>Gets the billing address.</summary>
    public Address? BillingAddress { get; init; }

    /// <summary>Gets the shipping address.</summary>
    public Address? ShippingAddress { get; init; }

    /// <summary>Gets the company's contact persons.</summary>
    public IReadOnlyList<Contact>? Contacts { get; init; }

    /// <inheritdoc />
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Gets keys of the same party in other systems.</summary>
    public IReadOnlyList<ExternalReference>? References { get; init; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, JsonElement>? Extensions { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public string RecordKey => ExternalId ?? string.Empty;
}
