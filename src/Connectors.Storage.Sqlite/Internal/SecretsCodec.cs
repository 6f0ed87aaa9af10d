using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Connectors.Abstractions;

namespace Connectors.Storage.Sqlite.Internal;

/// <summary>Turns a credential's secrets into protected bytes and back; the plaintext lives only in short-lived buffers.</summary>
internal static class SecretsCodec
{
    public static byte[] Protect(ISecretProtector protector, IReadOnlyDictionary<string, string> secrets)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in secrets.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                ArgumentNullException.ThrowIfNull(value, nameof(secrets));
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        try
        {
            return protector.Protect(buffer.WrittenSpan);
        }
        finally
        {
            buffer.Clear();
        }
    }

    public static IReadOnlyDictionary<string, string> Unprotect(ISecretProtector protector, ReadOnlySpan<byte> protectedData)
    {
        var plaintext = protector.Unprotect(protectedData);
        try
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            var reader = new Utf8JsonReader(plaintext);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("A stored credential is not a JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                result[name] = reader.GetString() ?? string.Empty;
            }

            return result.AsReadOnly();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
