using System.Security.Cryptography;
using System.Text;

namespace Connectors.Http;

/// <summary>How a webhook signature header encodes the HMAC.</summary>
public enum WebhookSignatureEncoding
{
    /// <summary>Base64 (Shopify <c>X-Shopify-Hmac-SHA256</c>, WooCommerce <c>X-WC-Webhook-Signature</c>).</summary>
    Base64,

    /// <summary>Hexadecimal, either case.</summary>
    Hex,
}

/// <summary>
/// Verifies webhook signatures: HMAC-SHA256 over the raw body bytes, compared in constant time
/// (<see cref="CryptographicOperations.FixedTimeEquals"/>), against every active secret so that a secret can rotate
/// without losing deliveries. Thread-safe. The secrets are never part of any message.
/// </summary>
public sealed class WebhookSignatureVerifier
{
    private const int HashLength = 32;
    private readonly byte[][] _secrets;
    private readonly WebhookSignatureEncoding _encoding;
    private readonly string? _prefix;

    /// <summary>Creates a verifier.</summary>
    /// <param name="secrets">The active secrets (UTF-8), newest first; during a rotation, the old and the new one.</param>
    /// <param name="encoding">How the signature header encodes the HMAC.</param>
    /// <param name="prefix">A prefix the header puts before the HMAC (for example <c>sha256=</c>), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="secrets"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No secret is given, or one is empty.</exception>
    public WebhookSignatureVerifier(IEnumerable<string> secrets, WebhookSignatureEncoding encoding = WebhookSignatureEncoding.Base64, string? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _secrets = [.. secrets.Select(s => string.IsNullOrEmpty(s)
            ? throw new ArgumentException("A webhook secret is empty.", nameof(secrets))
            : Encoding.UTF8.GetBytes(s))];
        if (_secrets.Length == 0)
        {
            throw new ArgumentException("At least one webhook secret is needed.", nameof(secrets));
        }

        _encoding = encoding;
        _prefix = string.IsNullOrEmpty(prefix) ? null : prefix;
    }

    /// <summary>Checks a signature header against the raw body.</summary>
    /// <param name="body">The raw body bytes, exactly as received.</param>
    /// <param name="signature">The signature header's value.</param>
    /// <returns><see langword="true"/> when it matches one of the active secrets.</returns>
    public bool Verify(ReadOnlySpan<byte> body, string? signature)
    {
        if (string.IsNullOrWhiteSpace(signature))
        {
            return false;
        }

        var text = signature.AsSpan().Trim();
        if (_prefix is not null)
        {
            if (!text.StartsWith(_prefix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            text = text[_prefix.Length..];
        }

        Span<byte> given = stackalloc byte[HashLength];
        if (!TryDecode(text, given))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HashLength];
        var match = false;
        foreach (var secret in _secrets)
        {
            HMACSHA256.HashData(secret, body, expected);
            match |= CryptographicOperations.FixedTimeEquals(expected, given);
        }

        return match;
    }

    /// <summary>Signs a body with the first (newest) secret, in the configured encoding and prefix — for simulators and outgoing webhooks.</summary>
    /// <param name="body">The raw body bytes.</param>
    /// <returns>The signature header's value.</returns>
    public string Sign(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[HashLength];
        HMACSHA256.HashData(_secrets[0], body, hash);
        var encoded = _encoding == WebhookSignatureEncoding.Base64 ? Convert.ToBase64String(hash) : Convert.ToHexStringLower(hash);
        return _prefix + encoded;
    }

    private bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (_encoding == WebhookSignatureEncoding.Base64)
        {
            Span<byte> buffer = stackalloc byte[HashLength + 3];
            return Convert.TryFromBase64Chars(text, buffer, out var written) && written == HashLength && buffer[..HashLength].TryCopyTo(destination);
        }

        return text.Length == HashLength * 2
            && Convert.FromHexString(text, destination, out _, out var bytes) == System.Buffers.OperationStatus.Done
            && bytes == HashLength;
    }
}
