using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.Abstractions;

/// <summary>
/// The status of an order. Vendors extend this set, so it is an extensible string value rather than a closed enum:
/// any non-empty string is valid and compares ordinally, ignoring case.
/// </summary>
[JsonConverter(typeof(ExtensibleValueJsonConverter<OrderStatus>))]
public readonly struct OrderStatus : IEquatable<OrderStatus>, IExtensibleValue<OrderStatus>
{
    private readonly string? _value;

    /// <summary>Creates a status from its string value.</summary>
    /// <param name="value">The status value, for example <c>"open"</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null, empty or white space.</exception>
    public OrderStatus(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value;
    }

    /// <summary>The order was placed and is not yet completed.</summary>
    public static OrderStatus Open { get; } = new("open");

    /// <summary>The order is being prepared or shipped.</summary>
    public static OrderStatus Processing { get; } = new("processing");

    /// <summary>The order is on hold.</summary>
    public static OrderStatus OnHold { get; } = new("onHold");

    /// <summary>The order has been fulfilled and closed.</summary>
    public static OrderStatus Completed { get; } = new("completed");

    /// <summary>The order was cancelled.</summary>
    public static OrderStatus Cancelled { get; } = new("cancelled");

    /// <summary>Gets the string value; <c>"open"</c> for a default instance.</summary>
    public string Value => _value ?? "open";

    /// <inheritdoc />
    public static OrderStatus Create(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(OrderStatus other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is OrderStatus other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Compares two statuses.</summary>
    public static bool operator ==(OrderStatus left, OrderStatus right) => left.Equals(right);

    /// <summary>Compares two statuses.</summary>
    public static bool operator !=(OrderStatus left, OrderStatus right) => !left.Equals(right);
}

/// <summary>
/// The payment state of an invoice or order. Known values are <c>open</c>, <c>partiallyPaid</c>, <c>paid</c> and
/// <c>cancelled</c>; vendors may add their own.
/// </summary>
[JsonConverter(typeof(ExtensibleValueJsonConverter<PaymentStatus>))]
public readonly struct PaymentStatus : IEquatable<PaymentStatus>, IExtensibleValue<PaymentStatus>
{
    private readonly string? _value;

    /// <summary>Creates a payment status from its string value.</summary>
    /// <param name="value">The status value, for example <c>"paid"</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null, empty or white space.</exception>
    public PaymentStatus(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value;
    }

    /// <summary>Nothing has been paid yet.</summary>
    public static PaymentStatus Open { get; } = new("open");

    /// <summary>Part of the amount has been paid.</summary>
    public static PaymentStatus PartiallyPaid { get; } = new("partiallyPaid");

    /// <summary>The full amount has been paid.</summary>
    public static PaymentStatus Paid { get; } = new("paid");

    /// <summary>The document was cancelled; nothing is due.</summary>
    public static PaymentStatus Cancelled { get; } = new("cancelled");

    /// <summary>Gets the string value; <c>"open"</c> for a default instance.</summary>
    public string Value => _value ?? "open";

    /// <inheritdoc />
    public static PaymentStatus Create(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(PaymentStatus other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PaymentStatus other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Compares two statuses.</summary>
    public static bool operator ==(PaymentStatus left, PaymentStatus right) => left.Equals(right);

    /// <summary>Compares two statuses.</summary>
    public static bool operator !=(PaymentStatus left, PaymentStatus right) => !left.Equals(right);
}

/// <summary>
/// The kind of business entity a flow moves, such as <c>order</c> or <c>stockLevel</c>. Extensible: a connector may
/// define kinds of its own. The one table of names lives in <c>docs/canonical-model.md</c>.
/// </summary>
[JsonConverter(typeof(ExtensibleValueJsonConverter<EntityKind>))]
public readonly struct EntityKind : IEquatable<EntityKind>, IExtensibleValue<EntityKind>
{
    private readonly string? _value;

    /// <summary>Creates an entity kind from its name.</summary>
    /// <param name="value">The kind's name, camelCase, for example <c>"order"</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null, empty or white space.</exception>
    public EntityKind(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value;
    }

    /// <summary>Customer or supplier orders (<see cref="Abstractions.Order"/>).</summary>
    public static EntityKind Order { get; } = new("order");

    /// <summary>Customers (<see cref="Abstractions.Customer"/>).</summary>
    public static EntityKind Customer { get; } = new("customer");

    /// <summary>Suppliers, carried as <see cref="Abstractions.Customer"/> records.</summary>
    public static EntityKind Supplier { get; } = new("supplier");

    /// <summary>Products and their variants (<see cref="Abstractions.Product"/>).</summary>
    public static EntityKind Product { get; } = new("product");

    /// <summary>Invoices and credit notes (<see cref="Abstractions.Invoice"/>).</summary>
    public static EntityKind Invoice { get; } = new("invoice");

    /// <summary>Payments received or made (<see cref="Abstractions.Payment"/>).</summary>
    public static EntityKind Payment { get; } = new("payment");

    /// <summary>Refunds (<see cref="Abstractions.Refund"/>).</summary>
    public static EntityKind Refund { get; } = new("refund");

    /// <summary>Stock per SKU and location (<see cref="Abstractions.StockLevel"/>).</summary>
    public static EntityKind StockLevel { get; } = new("stockLevel");

    /// <summary>Shipments and fulfilments (<see cref="Abstractions.Shipment"/>).</summary>
    public static EntityKind Shipment { get; } = new("shipment");

    /// <summary>Gets the name; <c>"unknown"</c> for a default instance.</summary>
    public string Value => _value ?? "unknown";

    /// <inheritdoc />
    public static EntityKind Create(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(EntityKind other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EntityKind other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Compares two kinds.</summary>
    public static bool operator ==(EntityKind left, EntityKind right) => left.Equals(right);

    /// <summary>Compares two kinds.</summary>
    public static bool operator !=(EntityKind left, EntityKind right) => !left.Equals(right);
}

/// <summary>A string value type whose set of values vendors may extend.</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface IExtensibleValue<TSelf>
    where TSelf : struct, IExtensibleValue<TSelf>
{
    /// <summary>Gets the string value.</summary>
    string Value { get; }

    /// <summary>Creates a value from its string form.</summary>
    /// <param name="value">The string form.</param>
    /// <returns>The value.</returns>
    static abstract TSelf Create(string value);
}

/// <summary>Writes an extensible value as a JSON string and reads it back.</summary>
/// <typeparam name="T">The extensible value type.</typeparam>
public sealed class ExtensibleValueJsonConverter<T> : JsonConverter<T>
    where T : struct, IExtensibleValue<T>
{
    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string for {typeof(T).Name}, found {reader.TokenType}.");
        }

        var text = reader.GetString();
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new JsonException($"{typeof(T).Name} must not be empty.");
        }

        return T.Create(text);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Value);
    }
}
