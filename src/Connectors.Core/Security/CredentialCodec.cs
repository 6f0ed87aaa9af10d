using System.Buffers;
using System.Text.Json;
using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>
/// Turns a credential's secrets into protected bytes and back, for <see cref="ICredentialStore"/> implementations: the
/// plaintext lives only in short-lived buffers and never reaches the store.
/// </summary>
public static class CredentialCodec
{
    /// <summary>Serialises secrets (sorted by name) and protects them.</summary>
    /// <param name="protector">The protector whose key lives outside the store.</param>
    /// <param name="secrets">The secrets by name.</param>
    /// <returns>The protected bytes to store.</returns>
    /// <exception cref="ArgumentNullException">An argument, a name or a value is <see langword="null"/>.</exception>
    public static byte[] Protect(ISecretProtector protector, IReadOnlyDictionary<string, string> secrets)
    {
        ArgumentNullException.ThrowIfNull(protector);
        ArgumentNullException.ThrowIfNull(secrets);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in secrets.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                ArgumentNullException.ThrowIfNull(name, nameof(secrets));
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

    /// <summary>Unprotects stored bytes and reads the secrets back.</summary>
    /// <param name="protector">The protector the bytes were protected with.</param>
    /// <param name="protectedData">The stored bytes.</param>
    /// <returns>The secrets by name.</returns>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The bytes were tampered with or the key is wrong.</exception>
    /// <exception cref="JsonException">The plaintext is not a credential.</exception>
    public static IReadOnlyDictionary<string, string> Unprotect(ISecretProtector protector, ReadOnlySpan<byte> protectedData)
    {
        ArgumentNullException.ThrowIfNull(protector);
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
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
