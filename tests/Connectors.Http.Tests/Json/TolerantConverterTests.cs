using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.Http.Tests.Json;

public sealed class TolerantConverterTests
{
    private static readonly JsonSerializerOptions Lenient = new() { Converters = { new TolerantDecimalConverter() } };
    private static readonly JsonSerializerOptions Strict = new() { Converters = { new TolerantDecimalConverter(TolerantEmptyHandling.Throw) } };
    private static readonly JsonSerializerOptions MsDates = new() { Converters = { new MicrosoftJsonDateConverter() } };
    private static readonly JsonSerializerOptions Amsterdam = new()
    {
        Converters = { new LocalTimestampConverter(TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam")) },
    };

    private static readonly JsonSerializerOptions Trimmed = new() { Converters = { new TrimmedStringConverter(blankAsNull: true) } };
    private static readonly JsonSerializerOptions Required = new() { Converters = { new TolerantRequiredDecimalConverter() } };

    private sealed record Line(decimal? Total, decimal? Price);

    [Theory]
    [InlineData("12.5", "12.5")]
    [InlineData("\"12.50\"", "12.50")]
    [InlineData("\"12,50\"", "12.50")]
    [InlineData("\" 1.234,56 \"", "1234.56")]
    [InlineData("\"1,234.56\"", "1234.56")]
    [InlineData("1.5E3", "1500")]
    [InlineData("\"1.5e-2\"", "0.015")]
    [InlineData("-0.0001", "-0.0001")]
    [InlineData("\"199.00\"", "199.00")]
    public void Read_NumberOrString_ParsesInvariantly(string json, string expected)
    {
        var previous = CultureInfo.CurrentCulture;
        // Globalization-invariant mode has no fr-FR: a culture with French separators stands in for it.
        var french = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        french.NumberFormat.NumberDecimalSeparator = ",";
        french.NumberFormat.NumberGroupSeparator = ".";
        CultureInfo.CurrentCulture = french;
        try
        {
            var line = JsonSerializer.Deserialize<Line>($"{{\"Total\":{json}}}", Lenient)!;

            Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), line.Total);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"-\"")]
    [InlineData("false")]
    [InlineData("null")]
    public void Read_EmptyMarkerWithNullOption_ReadsNull(string json)
    {
        var line = JsonSerializer.Deserialize<Line>($"{{\"Total\":{json}}}", Lenient)!;

        Assert.Null(line.Total);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"-\"")]
    [InlineData("false")]
    public void Read_EmptyMarkerWithThrowOption_ThrowsNamingThePath(string json)
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Line>($"{{\"Price\":1,\"Total\":{json}}}", Strict));

        Assert.Equal("$.Total", error.Path);
        Assert.Contains("Path: $.Total", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not a decimal", error.InnerException!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Garbage_ThrowsNamingPathAndValue()
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Line>("{\"Price\":\"abc\"}", Lenient));

        Assert.Equal("$.Price", error.Path);
        Assert.Equal("\"abc\" is not a decimal.", error.InnerException!.Message);
    }

    [Fact]
    public void Read_RequiredDecimalMissing_Throws()
    {
        var options = Required;

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RequiredAmount>("{\"Amount\":\"\"}", options));

        Assert.Equal("$.Amount", error.Path);
        Assert.Equal(12.5m, JsonSerializer.Deserialize<RequiredAmount>("{\"Amount\":\"12,5\"}", options)!.Amount);
    }

    private sealed record RequiredAmount(decimal Amount);

    private sealed record Stamped(DateTimeOffset Modified, DateTimeOffset? Closed);

    [Fact]
    public void MicrosoftDate_EpochMilliseconds_ReadsUtcInstant()
    {
        var options = MsDates;

        var value = JsonSerializer.Deserialize<Stamped>("{\"Modified\":\"/Date(1382667906263)/\",\"Closed\":null}", options)!;

        Assert.Equal(new DateTimeOffset(2013, 10, 25, 2, 25, 6, 263, TimeSpan.Zero), value.Modified);
        Assert.Equal(TimeSpan.Zero, value.Modified.Offset);
        Assert.Null(value.Closed);
    }

    [Fact]
    public void MicrosoftDate_WithOffset_SameInstantAtThatOffset()
    {
        var options = MsDates;

        var value = JsonSerializer.Deserialize<Stamped>("{\"Modified\":\"/Date(1382667906263+0100)/\",\"Closed\":\"/Date(-1000-0230)/\"}", options)!;

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1382667906263), value.Modified);
        Assert.Equal(TimeSpan.FromHours(1), value.Modified.Offset);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(-1000), value.Closed);
        Assert.Equal(new TimeSpan(-2, -30, 0), value.Closed!.Value.Offset);
    }

    [Fact]
    public void MicrosoftDate_RoundTrips()
    {
        var options = MsDates;
        var stamp = new Stamped(DateTimeOffset.FromUnixTimeMilliseconds(1382667906263), null);

        var json = JsonSerializer.Serialize(stamp, options);

        Assert.Contains("\"/Date(1382667906263)/\"", json, StringComparison.Ordinal);
        Assert.Equal(stamp, JsonSerializer.Deserialize<Stamped>(json, options));
    }

    [Fact]
    public void MicrosoftDate_Garbage_ThrowsNamingThePath()
    {
        var options = MsDates;

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Stamped>("{\"Modified\":\"/Date(abc)/\"}", options));

        Assert.Equal("$.Modified", error.Path);
    }

    [Theory]
    [InlineData("2024-01-15 10:00:00", "2024-01-15T10:00:00+01:00")]
    [InlineData("2024-07-15T10:00:00", "2024-07-15T10:00:00+02:00")]
    [InlineData("2024-03-31 02:30:00", "2024-03-31T02:30:00+01:00")] // skipped by the spring change: offset before it
    [InlineData("2024-10-27 02:30:00", "2024-10-27T02:30:00+02:00")] // repeated in autumn: the earlier instant
    [InlineData("2024-07-15T10:00:00Z", "2024-07-15T10:00:00+00:00")]
    [InlineData("2024-07-15T10:00:00-05:00", "2024-07-15T10:00:00-05:00")]
    public void LocalTimestamp_ZoneLess_ReadInConfiguredZone(string text, string expected)
    {
        var options = Amsterdam;

        var value = JsonSerializer.Deserialize<Stamped>($"{{\"Modified\":\"{text}\"}}", options)!;

        var wanted = DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture);
        Assert.Equal(wanted, value.Modified);
        Assert.Equal(wanted.Offset, value.Modified.Offset);
    }

    private sealed record Coded(string? Code, string? VatCode, string? Description);

    [Fact]
    public void TrimmedString_SpacePaddedCodes_AreTrimmed()
    {
        var options = Trimmed;

        var value = JsonSerializer.Deserialize<Coded>("{\"Code\":\"                 8\",\"VatCode\":\"02 \",\"Description\":\"   \"}", options)!;

        Assert.Equal(new Coded("8", "02", null), value);
    }

    [Fact]
    public void Converters_WithSourceGeneratedContext_Work()
    {
        var line = JsonSerializer.Deserialize("{\"Total\":\"12,50\",\"Modified\":\"/Date(0)/\",\"Code\":\" A \"}", ConverterTestContext.Default.GeneratedLine)!;

        Assert.Equal(12.50m, line.Total);
        Assert.Equal(DateTimeOffset.UnixEpoch, line.Modified);
        Assert.Equal("A", line.Code);
    }
}

public sealed record GeneratedLine(
    [property: JsonConverter(typeof(TolerantDecimalConverter))] decimal? Total,
    [property: JsonConverter(typeof(MicrosoftJsonDateConverter))] DateTimeOffset Modified,
    [property: JsonConverter(typeof(TrimmedStringConverter))] string? Code);

[JsonSerializable(typeof(GeneratedLine))]
internal sealed partial class ConverterTestContext : JsonSerializerContext;
