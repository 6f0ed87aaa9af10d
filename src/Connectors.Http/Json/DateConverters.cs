using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.Http;

/// <summary>
/// Reads the Microsoft JSON date <c>"/Date(1382667906263)/"</c> (epoch milliseconds, UTC; Exact Online) and
/// <c>"/Date(1382667906263+0100)/"</c> (the same instant shown at that offset) as a <see cref="DateTimeOffset"/>; an
/// ISO 8601 string is read too. Writes <c>"/Date(ms)/"</c>. No reflection: safe for AOT.
/// </summary>
public sealed class MicrosoftJsonDateConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc/>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw TolerantParsing.Invalid($"A {reader.TokenType} token is not a date.");
        }

        var text = reader.GetString()!.Trim();
        if (TryParseMicrosoft(text, out var value))
        {
            return value;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value)
            ? value
            : throw TolerantParsing.Invalid($"\"{TolerantParsing.Shorten(text)}\" is not a date.");
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(string.Create(CultureInfo.InvariantCulture, $"/Date({value.ToUnixTimeMilliseconds()})/"));
    }

    private static bool TryParseMicrosoft(string text, out DateTimeOffset value)
    {
        value = default;
        if (!text.StartsWith("/Date(", StringComparison.Ordinal) || !text.EndsWith(")/", StringComparison.Ordinal))
        {
            return false;
        }

        var inner = text.AsSpan(6, text.Length - 8);
        var sign = inner[1..].IndexOfAny('+', '-');
        var offset = TimeSpan.Zero;
        if (sign >= 0)
        {
            sign++;
            var zone = inner[(sign + 1)..];
            if (zone.Length != 4
                || !int.TryParse(zone[..2], NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
                || !int.TryParse(zone[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
                || hours > 14 || minutes > 59)
            {
                throw TolerantParsing.Invalid($"\"{TolerantParsing.Shorten(text)}\" has an invalid offset.");
            }

            offset = new TimeSpan(hours, minutes, 0) * (inner[sign] == '-' ? -1 : 1);
            inner = inner[..sign];
        }

        if (!long.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milliseconds)
            || milliseconds < -62_135_596_800_000 || milliseconds > 253_402_300_799_999)
        {
            throw TolerantParsing.Invalid($"\"{TolerantParsing.Shorten(text)}\" is not a date.");
        }

        value = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).ToOffset(offset);
        return true;
    }
}

/// <summary>
/// Reads a timestamp as a <see cref="DateTimeOffset"/>: one with an offset or <c>Z</c> as it says, a zone-less local one
/// (<c>"2024-03-01 10:00:00"</c>, WooCommerce <c>date_created</c>, PrestaShop) in the configured
/// <see cref="TimeZoneInfo"/>. A local time skipped by a daylight-saving change is read with the offset in force before
/// the change; an ambiguous one (repeated) as the earlier instant. Culture-invariant; no reflection.
/// </summary>
public sealed class LocalTimestampConverter : JsonConverter<DateTimeOffset>
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
    ];

    private readonly TimeZoneInfo _zone;

    /// <summary>Creates a converter.</summary>
    /// <param name="zone">The zone in which zone-less timestamps are local times.</param>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is <see langword="null"/>.</exception>
    public LocalTimestampConverter(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        _zone = zone;
    }

    /// <inheritdoc/>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw TolerantParsing.Invalid($"A {reader.TokenType} token is not a timestamp.");
        }

        var text = reader.GetString()!.Trim();
        if (DateTime.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return FromLocal(local);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value) && HasZone(text)
            ? value
            : throw TolerantParsing.Invalid($"\"{TolerantParsing.Shorten(text)}\" is not a timestamp.");
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    private DateTimeOffset FromLocal(DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (_zone.IsInvalidTime(local))
        {
            offset = _zone.GetUtcOffset(local.AddDays(-1));
        }
        else if (_zone.IsAmbiguousTime(local))
        {
            offset = _zone.GetAmbiguousTimeOffsets(local).Max();
        }
        else
        {
            offset = _zone.GetUtcOffset(local);
        }

        return new DateTimeOffset(local, offset);
    }

    private static bool HasZone(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
}

/// <summary>
/// Reads a string trimmed of surrounding spaces (Exact Online codes: <c>"                 8"</c>, <c>"02 "</c>); a JSON
/// number is read as its text. Optionally reads a blank string as <see langword="null"/>. No reflection: safe for AOT.
/// </summary>
public sealed class TrimmedStringConverter : JsonConverter<string?>
{
    private readonly bool _blankAsNull;

    /// <summary>Creates a converter that keeps a blank string as <c>""</c>.</summary>
    public TrimmedStringConverter()
        : this(blankAsNull: false)
    {
    }

    /// <summary>Creates a converter.</summary>
    /// <param name="blankAsNull">Whether a blank string is read as <see langword="null"/>.</param>
    public TrimmedStringConverter(bool blankAsNull)
    {
        _blankAsNull = blankAsNull;
    }

    /// <inheritdoc/>
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                var text = reader.GetString()!.Trim();
                return text.Length == 0 && _blankAsNull ? null : text;
            case JsonTokenType.Number:
                return reader.HasValueSequence
                    ? Encoding.UTF8.GetString(reader.ValueSequence)
                    : Encoding.UTF8.GetString(reader.ValueSpan);
            default:
                throw TolerantParsing.Invalid($"A {reader.TokenType} token is not a string.");
        }
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
