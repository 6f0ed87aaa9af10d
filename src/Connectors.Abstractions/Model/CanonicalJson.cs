using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Connectors.Abstractions;

/// <summary>
/// The source-generated JSON context of the canonical model: camelCase names, nulls omitted, unknown members tolerated.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(Invoice))]
[JsonSerializable(typeof(Product))]
[JsonSerializable(typeof(Customer))]
[JsonSerializable(typeof(StockLevel))]
[JsonSerializable(typeof(Shipment))]
[JsonSerializable(typeof(Payment))]
[JsonSerializable(typeof(Refund))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class CanonicalJsonContext : JsonSerializerContext
{
}

/// <summary>Serialises canonical records to and from their canonical JSON.</summary>
public static class CanonicalJson
{
    /// <summary>Gets the type-info resolver for every canonical type.</summary>
    public static IJsonTypeInfoResolver Resolver => CanonicalJsonContext.Default;

    /// <summary>Serialises a canonical record to canonical JSON.</summary>
    /// <param name="record">The record.</param>
    /// <returns>Its canonical JSON.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The record's type is not part of the canonical model.</exception>
    public static string Serialize(ICanonicalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return JsonSerializer.Serialize(record, GetTypeInfo(record.GetType()));
    }

    /// <summary>Serialises a canonical record to a <see cref="JsonElement"/>.</summary>
    /// <param name="record">The record.</param>
    /// <returns>The JSON element.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public static JsonElement SerializeToElement(ICanonicalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return JsonSerializer.SerializeToElement(record, GetTypeInfo(record.GetType()));
    }

    /// <summary>Reads a canonical record of a known type from canonical JSON.</summary>
    /// <typeparam name="T">The canonical record type.</typeparam>
    /// <param name="json">The JSON text.</param>
    /// <returns>The record.</returns>
    /// <exception cref="JsonException">The text is not valid JSON for <typeparamref name="T"/>.</exception>
    public static T Deserialize<T>(string json)
        where T : ICanonicalRecord
    {
        ArgumentNullException.ThrowIfNull(json);
        var result = JsonSerializer.Deserialize(json, GetTypeInfo(typeof(T)));
        return result is T typed ? typed : throw new JsonException($"The JSON does not hold a {typeof(T).Name}.");
    }

    /// <summary>Reads a canonical record of the given type from canonical JSON.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="recordType">The canonical record type.</param>
    /// <returns>The record.</returns>
    /// <exception cref="JsonException">The text is not valid JSON for the type.</exception>
    public static ICanonicalRecord Deserialize(string json, Type recordType)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(recordType);
        var result = JsonSerializer.Deserialize(json, GetTypeInfo(recordType));
        return result as ICanonicalRecord ?? throw new JsonException($"The JSON does not hold a {recordType.Name}.");
    }

    /// <summary>Gets the JSON type information of a canonical record type.</summary>
    /// <param name="recordType">The type.</param>
    /// <returns>The type information.</returns>
    /// <exception cref="NotSupportedException">The type is not part of the canonical model.</exception>
    public static JsonTypeInfo GetTypeInfo(Type recordType)
    {
        ArgumentNullException.ThrowIfNull(recordType);
        return CanonicalJsonContext.Default.GetTypeInfo(recordType)
            ?? throw new NotSupportedException($"'{recordType.FullName}' is not a canonical record type.");
    }
}
