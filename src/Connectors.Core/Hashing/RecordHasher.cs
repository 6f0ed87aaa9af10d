using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>
/// Computes a record's <see cref="HashVector"/>: one hash per field group (each top-level property of the canonical
/// JSON), over a normalised projection — decimals without trailing zeros, instants in UTC, strings in Unicode NFC,
/// object keys sorted, system fields (<c>externalId</c>, <c>updatedAt</c>) excluded — so two reads of unchanged data
/// always hash alike and the engine sees which side changed which field group.
/// </summary>
public static class RecordHasher
{
    /// <summary>Gets the field groups excluded from every hash: system fields that change without a change of data.</summary>
    public static IReadOnlySet<string> SystemFields { get; } = new HashSet<string>(StringComparer.Ordinal) { "externalId", "updatedAt" };

    /// <summary>Computes the hash vector of a record.</summary>
    /// <param name="record">The record.</param>
    /// <param name="excludedGroups">Further top-level fields to leave out, or <see langword="null"/>.</param>
    /// <returns>The hash vector.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public static HashVector Compute(ICanonicalRecord record, IReadOnlySet<string>? excludedGroups = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        var element = CanonicalJson.SerializeToElement(record);
        var hashes = new List<KeyValuePair<string, string>>();
        var buffer = new ArrayBufferWriter<byte>(256);
        foreach (var property in element.EnumerateObject())
        {
            if (SystemFields.Contains(property.Name) || (excludedGroups?.Contains(property.Name) ?? false))
            {
                continue;
            }

            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                WriteNormalised(writer, property.Value);
            }

            if (IsEmpty(property.Value))
            {
                continue;
            }

            hashes.Add(new(property.Name, HashOf(buffer.WrittenSpan)));
        }

        return new HashVector(hashes);
    }

    /// <summary>Writes the normalised projection of a JSON value (used for hashing and for comparing records field by field).</summary>
    /// <param name="record">The record.</param>
    /// <param name="excludedGroups">Further top-level fields to leave out.</param>
    /// <returns>The normalised JSON text.</returns>
    public static string Normalise(ICanonicalRecord record, IReadOnlySet<string>? excludedGroups = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        var element = CanonicalJson.SerializeToElement(record);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                if (SystemFields.Contains(property.Name) || (excludedGroups?.Contains(property.Name) ?? false) || IsEmpty(property.Value))
                {
                    continue;
                }

                writer.WritePropertyName(property.Name);
                WriteNormalised(writer, property.Value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static bool IsEmpty(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => true,
        JsonValueKind.Array => value.GetArrayLength() == 0,
        JsonValueKind.Object => !value.EnumerateObject().Any(),
        _ => false,
    };

    private static string HashOf(ReadOnlySpan<byte> bytes)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        return Convert.ToBase64String(hash[..12]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static void WriteNormalised(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (property.Value.ValueKind == JsonValueKind.Null)
                    {
                        continue;
                    }

                    writer.WritePropertyName(property.Name.Normalize(NormalizationForm.FormC));
                    WriteNormalised(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteNormalised(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                if (value.TryGetDecimal(out var d))
                {
                    writer.WriteRawValue(NormaliseDecimal(d), skipInputValidation: true);
                }
                else
                {
                    writer.WriteRawValue(value.GetRawText(), skipInputValidation: true);
                }

                break;
            case JsonValueKind.String:
                writer.WriteStringValue(NormaliseString(value.GetString()!));
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    private static string NormaliseDecimal(decimal value)
    {
        var text = value.ToString("0.############################", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    private static string NormaliseString(string text)
    {
        // An ISO 8601 instant with an offset: compare as UTC.
        if (text.Length >= 20 && text.Length <= 40 && text[4] == '-' && text[10] == 'T'
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var instant))
        {
            return instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
        }

        return text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
    }
}
