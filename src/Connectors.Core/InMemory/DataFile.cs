using System.Buffers;
using System.Text.Json;
using Connectors.Abstractions;

namespace Connectors.Core.InMemory;

/// <summary>The kinds of change the in-memory connector records.</summary>
internal enum ChangeOp
{
    /// <summary>A record was stored (created, replaced, seeded or mutated).</summary>
    Put,

    /// <summary>A record was deleted; a tombstone remains.</summary>
    Delete,

    /// <summary>An asynchronous write job was submitted.</summary>
    Submit,

    /// <summary>An asynchronous write job failed.</summary>
    JobFailed,
}

/// <summary>One applied change: the unit of the in-memory connector's state and of its data file.</summary>
internal sealed record Change
{
    public required ChangeOp Op { get; init; }

    public required EntityKind Kind { get; init; }

    public string? Key { get; init; }

    public DateTimeOffset Stamp { get; init; }

    public long Version { get; init; }

    public string? Correlation { get; init; }

    public ICanonicalRecord? Record { get; init; }

    /// <summary>Gets whether a put came from a create (its correlation then also answers a repeated idempotency key).</summary>
    public bool Created { get; init; }

    /// <summary>Gets the sequence number of a generated key, or of a job id for a submission.</summary>
    public long? Sequence { get; init; }

    public string? JobId { get; init; }

    public string? Error { get; init; }
}

/// <summary>
/// The append-only data file of a durable in-memory connector: one JSON object per line, flushed to disk before the
/// write that made it returns.
/// </summary>
internal sealed class DataFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;

    private DataFile(string path, FileStream stream)
    {
        _path = path;
        _stream = stream;
    }

    /// <summary>Opens (or creates) the file and reads the changes it holds. A damaged last line is cut off.</summary>
    public static DataFile Open(string path, out List<Change> changes)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var stream = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            changes = Parse(full, bytes, out var goodLength);
            if (goodLength < bytes.Length)
            {
                // A write that never returned left half a line: it was never committed, and the next line must not glue on.
                stream.SetLength(goodLength);
                stream.Flush(true);
            }

            stream.Seek(0, SeekOrigin.End);
            return new DataFile(full, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends a change and flushes it to disk.</summary>
    public void Append(Change change)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, change);
        }

        buffer.Write("\n"u8);
        var before = _stream.Length;
        try
        {
            _stream.Write(buffer.WrittenSpan);
            _stream.Flush(true);
        }
        catch (IOException)
        {
            TryTruncate(before);
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    private void TryTruncate(long length)
    {
        try
        {
            _stream.SetLength(length);
            _stream.Seek(0, SeekOrigin.End);
        }
        catch (IOException)
        {
            // The next open cuts the damaged line off.
        }
    }

    private static List<Change> Parse(string path, byte[] bytes, out long goodLength)
    {
        var changes = new List<Change>();
        goodLength = 0;
        var start = 0;
        var lineNumber = 0;
        while (start < bytes.Length)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', start);
            if (newline < 0)
            {
                // An unterminated last line: its write never completed.
                return changes;
            }

            lineNumber++;
            var line = new ReadOnlySpan<byte>(bytes, start, newline - start);
            if (!line.Trim((byte)' ').IsEmpty)
            {
                try
                {
                    changes.Add(Read(line));
                }
                catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException)
                {
                    if (newline == bytes.Length - 1)
                    {
                        // The last line is damaged: tolerate it as a torn write.
                        return changes;
                    }

                    throw new InvalidDataException(
                        $"The in-memory connector's data file '{path}' is damaged at line {lineNumber}: {ex.Message}", ex);
                }
            }

            start = newline + 1;
            goodLength = start;
        }

        return changes;
    }

    private static void Write(Utf8JsonWriter writer, Change change)
    {
        writer.WriteStartObject();
        writer.WriteString("op", change.Op switch
        {
            ChangeOp.Put => "put",
            ChangeOp.Delete => "delete",
            ChangeOp.Submit => "submit",
            _ => "jobFailed",
        });
        writer.WriteString("kind", change.Kind.Value);
        if (change.Key is not null)
        {
            writer.WriteString("key", change.Key);
        }

        writer.WriteString("stamp", change.Stamp);
        writer.WriteNumber("version", change.Version);
        if (change.Correlation is not null)
        {
            writer.WriteString("correlation", change.Correlation);
        }

        if (change.Created)
        {
            writer.WriteBoolean("created", true);
        }

        if (change.Sequence is { } sequence)
        {
            writer.WriteNumber("sequence", sequence);
        }

        if (change.JobId is not null)
        {
            writer.WriteString("jobId", change.JobId);
        }

        if (change.Error is not null)
        {
            writer.WriteString("error", change.Error);
        }

        if (change.Record is { } record)
        {
            writer.WriteString("type", RecordFields.TypeName(record));
            writer.WritePropertyName("record");
            CanonicalJson.SerializeToElement(record).WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    private static Change Read(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var op = root.GetProperty("op").GetString() switch
        {
            "put" => ChangeOp.Put,
            "delete" => ChangeOp.Delete,
            "submit" => ChangeOp.Submit,
            "jobFailed" => ChangeOp.JobFailed,
            var other => throw new FormatException($"unknown operation '{other}'"),
        };
        ICanonicalRecord? record = null;
        if (root.TryGetProperty("record", out var recordElement))
        {
            var type = RecordFields.TypeOf(root.GetProperty("type").GetString() ?? string.Empty);
            record = CanonicalJson.Deserialize(recordElement.GetRawText(), type);
        }

        return new Change
        {
            Op = op,
            Kind = EntityKind.Create(root.GetProperty("kind").GetString() ?? string.Empty),
            Key = OptionalString(root, "key"),
            Stamp = root.GetProperty("stamp").GetDateTimeOffset(),
            Version = root.GetProperty("version").GetInt64(),
            Correlation = OptionalString(root, "correlation"),
            Created = root.TryGetProperty("created", out var created) && created.GetBoolean(),
            Sequence = root.TryGetProperty("sequence", out var sequence) ? sequence.GetInt64() : null,
            JobId = OptionalString(root, "jobId"),
            Error = OptionalString(root, "error"),
            Record = record,
        };
    }

    private static string? OptionalString(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) ? value.GetString() : null;

    /// <inheritdoc />
    public override string ToString() => _path;
}
