using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.Http;

/// <summary>What a tolerant converter does with the "no value" markers real APIs send: <c>""</c>, <c>"-"</c> and <c>false</c>.</summary>
public enum TolerantEmptyHandling
{
    /// <summary>Read them as <see langword="null"/>.</summary>
    Null,

    /// <summary>Throw a <see cref="JsonException"/> that names the JSON path.</summary>
    Throw,
}

/// <summary>
/// Reads a nullable <see cref="decimal"/> from a JSON number (scientific notation included) or a string — <c>"12.50"</c>,
/// <c>"12,50"</c>, <c>"1.234,56"</c>, <c>"1,234.56"</c>, <c>"1.5E3"</c> — culture-invariantly; <c>""</c>, <c>"-"</c> and
/// <c>false</c> become <see langword="null"/> or an error, per <see cref="TolerantEmptyHandling"/>. A string with only a
/// comma reads the comma as the decimal separator. Writes a JSON number. No reflection: safe for AOT.
/// </summary>
public sealed class TolerantDecimalConverter : JsonConverter<decimal?>
{
    private readonly TolerantEmptyHandling _empty;

    /// <summary>Creates a converter that reads the "no value" markers as <see langword="null"/>.</summary>
    public TolerantDecimalConverter()
        : this(TolerantEmptyHandling.Null)
    {
    }

    /// <summary>Creates a converter.</summary>
    /// <param name="empty">What to do with <c>""</c>, <c>"-"</c> and <c>false</c>.</param>
    public TolerantDecimalConverter(TolerantEmptyHandling empty)
    {
        _empty = empty;
    }

    /// <inheritdoc/>
    public override bool HandleNull => true;

    /// <inheritdoc/>
    public override decimal? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return TolerantParsing.ReadNumber(ref reader);
            case JsonTokenType.False:
                return Empty("false");
            case JsonTokenType.String:
                var text = reader.GetString()!;
                var trimmed = text.Trim();
                if (trimmed.Length == 0 || trimmed == "-")
                {
                    return Empty(text);
                }

                return TolerantParsing.TryParseDecimal(trimmed, out var value)
                    ? value
                    : throw TolerantParsing.Invalid($"\"{TolerantParsing.Shorten(text)}\" is not a decimal.");
            default:
                throw TolerantParsing.Invalid($"A {reader.TokenType} token is not a decimal.");
        }
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, decimal? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } number)
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private decimal? Empty(string raw) =>
        _empty == TolerantEmptyHandling.Null
            ? null
            : throw TolerantParsing.Invalid($"\"{TolerantParsing.Shorten(raw)}\" is not a decimal (no value where one is required).");
}

/// <summary>
/// Reads a <see cref="decimal"/> as <see cref="TolerantDecimalConverter"/> does; a missing value (<c>null</c>, <c>""</c>,
/// <c>"-"</c>, <c>false</c>) is an error that names the JSON path.
/// </summary>
public sealed class TolerantRequiredDecimalConverter : JsonConverter<decimal>
{
    private static readonly TolerantDecimalConverter Inner = new(TolerantEmptyHandling.Throw);

    /// <inheritdoc/>
    public override bool HandleNull => true;

    /// <inheritdoc/>
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Inner.Read(ref reader, typeof(decimal?), options) ?? throw TolerantParsing.Invalid("null is not a decimal (no value where one is required).");

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value);
    }
}

internal static class TolerantParsing
{
    /// <summary>
    /// A <see cref="JsonException"/> without a message of its own, so System.Text.Json writes one that names the JSON
    /// path; the problem is the inner exception's message.
    /// </summary>
    public static JsonException Invalid(string problem) => new(null, new FormatException(problem));

    public static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");

    public static decimal ReadNumber(ref Utf8JsonReader reader)
    {
        if (reader.TryGetDecimal(out var value))
        {
            return value;
        }

        var raw = reader.HasValueSequence ? Encoding.UTF8.GetString(reader.ValueSequence) : Encoding.UTF8.GetString(reader.ValueSpan);
        return decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            ? value
            : throw Invalid($"{Shorten(raw)} does not fit a decimal.");
    }

    public static bool TryParseDecimal(string text, out decimal value)
    {
        var lastDot = text.LastIndexOf('.');
        var lastComma = text.LastIndexOf(',');
        string normalised;
        if (lastComma < 0)
        {
            normalised = text;
        }
        else if (lastDot < 0)
        {
            // "12,50" or "1 234,5": the comma is the decimal separator when there is only one.
            normalised = text.Count(c => c == ',') == 1 ? text.Replace(',', '.') : text.Replace(",", string.Empty, StringComparison.Ordinal);
        }
        else if (lastComma > lastDot)
        {
            // "1.234,56"
            normalised = text.Replace(".", string.Empty, StringComparison.Ordinal).Replace(',', '.');
        }
        else
        {
            // "1,234.56"
            normalised = text.Replace(",", string.Empty, StringComparison.Ordinal);
        }

        normalised = normalised.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\u00A0", string.Empty, StringComparison.Ordinal);
        return decimal.TryParse(normalised, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
