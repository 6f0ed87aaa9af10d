using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Connectors.Abstractions;
using Microsoft.Data.Sqlite;

namespace Connectors.Storage.Sqlite.Internal;

/// <summary>Command, parameter and value helpers shared by the stores. Every value goes in as a parameter.</summary>
internal static class Sql
{
    /// <summary>The most parameters put in one <c>IN (…)</c> list.</summary>
    public const int ChunkSize = 500;

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static SqliteCommand Command(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>Adds <c>@{prefix}0…n</c> parameters and returns the text of the list, <c>@p0, @p1…</c>.</summary>
    public static string AddList(SqliteCommand command, string prefix, IReadOnlyList<string> values)
    {
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = string.Concat("@", prefix, i.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue(names[i], values[i]);
        }

        return string.Join(", ", names);
    }

    /// <summary>Writes an instant as fixed-width ISO-8601 UTC text with 100 ns precision, so text order is time order.</summary>
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static string? Time(DateTimeOffset? value) => value is { } v ? Time(v) : null;

    public static DateTimeOffset ReadTime(SqliteDataReader reader, int ordinal)
        => DateTimeOffset.ParseExact(
            reader.GetString(ordinal), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ReadNullableTime(SqliteDataReader reader, int ordinal)
        => reader.IsDBNull(ordinal) ? null : ReadTime(reader, ordinal);

    public static string? ReadNullableString(SqliteDataReader reader, int ordinal)
        => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static HashVector? ReadHashes(SqliteDataReader reader, int ordinal)
        => reader.IsDBNull(ordinal) ? null : HashVector.Parse(reader.GetString(ordinal));

    public static TEnum ReadEnum<TEnum>(SqliteDataReader reader, int ordinal)
        where TEnum : struct, Enum
        => Enum.Parse<TEnum>(reader.GetString(ordinal), ignoreCase: false);

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => value.ToString();

    public static string? WriteLineage(Lineage? lineage)
    {
        if (lineage is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteLineage(writer, lineage);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteLineage(Utf8JsonWriter writer, Lineage lineage)
    {
        writer.WriteStartObject();
        writer.WriteString("flowId", lineage.FlowId);
        writer.WriteString("runId", lineage.RunId);
        writer.WriteString("sourceKey", lineage.SourceKey);
        writer.WriteStartArray("changedGroups");
        foreach (var group in lineage.ChangedGroups)
        {
            writer.WriteStringValue(group);
        }

        writer.WriteEndArray();
        writer.WriteString("at", Time(lineage.At));
        if (lineage.Earlier.Count > 0)
        {
            writer.WriteStartArray("earlier");
            foreach (var earlier in lineage.Earlier)
            {
                WriteLineage(writer, earlier);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    public static Lineage? ReadLineage(SqliteDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        using var document = JsonDocument.Parse(reader.GetString(ordinal));
        return ReadLineage(document.RootElement);
    }

    private static Lineage ReadLineage(JsonElement root)
        => new()
        {
            FlowId = root.GetProperty("flowId").GetString()!,
            RunId = root.GetProperty("runId").GetString()!,
            SourceKey = root.GetProperty("sourceKey").GetString()!,
            ChangedGroups = [.. root.GetProperty("changedGroups").EnumerateArray().Select(e => e.GetString()!)],
            At = DateTimeOffset.ParseExact(
                root.GetProperty("at").GetString()!, TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            Earlier = root.TryGetProperty("earlier", out var earlier) ? [.. earlier.EnumerateArray().Select(ReadLineage)] : [],
        };

    /// <summary>Splits keys into chunks small enough for one <c>IN (…)</c> list, without duplicates or nulls.</summary>
    public static IEnumerable<string[]> Chunks(IEnumerable<string> keys)
        => keys.Where(k => k is not null).Distinct(StringComparer.Ordinal).Chunk(ChunkSize);
}
