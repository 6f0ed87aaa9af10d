using System.Security.Cryptography;

namespace Connectors.Core;

/// <summary>
/// Protects secrets at rest with AES-256-GCM. Each call to <see cref="Protect"/> draws a fresh random 96-bit nonce; the
/// protected form is <c>version (1 byte) ‖ nonce (12) ‖ tag (16) ‖ ciphertext</c>, authenticated as a whole. The key lives
/// outside the database: an environment variable (<see cref="FromEnvironment"/>), a key file (<see cref="FromKeyFile"/>)
/// or a vault (the constructor).
/// </summary>
public sealed class AesGcmSecretProtector : Connectors.Abstractions.ISecretProtector
{
    /// <summary>The default environment variable that holds the base64-encoded key.</summary>
    public const string DefaultEnvironmentVariable = "CONNECTORS_SECRET_KEY";

    /// <summary>The length of a key in bytes (AES-256).</summary>
    public const int KeySize = 32;

    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize + TagSize;

    private readonly byte[] _key;

    /// <summary>Creates a protector from a 32-byte key.</summary>
    /// <param name="key">The key; copied.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not 32 bytes long.</exception>
    public AesGcmSecretProtector(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"An AES-256-GCM key is {KeySize} bytes long; this one has {key.Length}.", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>Creates a protector from a base64-encoded 32-byte key.</summary>
    /// <param name="base64Key">The key, base64-encoded (as written by <see cref="GenerateKey"/>).</param>
    /// <returns>The protector.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="base64Key"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The text is not base64 or not a 32-byte key (the message never quotes it).</exception>
    public static AesGcmSecretProtector FromBase64Key(string base64Key)
    {
        ArgumentNullException.ThrowIfNull(base64Key);
        var buffer = new byte[KeySize + 3];
        try
        {
            if (!Convert.TryFromBase64String(base64Key.Trim(), buffer, out var written) || written != KeySize)
            {
                throw new FormatException($"The secret key must be {KeySize} bytes, base64-encoded (44 characters).");
            }

            return new AesGcmSecretProtector(buffer.AsSpan(0, KeySize));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>Creates a protector from a base64-encoded key held in an environment variable.</summary>
    /// <param name="variableName">The variable's name.</param>
    /// <returns>The protector.</returns>
    /// <exception cref="InvalidOperationException">The variable is missing, empty or does not hold a valid key; the message
    /// names the variable, never its value.</exception>
    public static AesGcmSecretProtector FromEnvironment(string variableName = DefaultEnvironmentVariable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variableName);
        var value = Environment.GetEnvironmentVariable(variableName);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"The environment variable '{variableName}' is not set. It must hold a base64-encoded {KeySize}-byte key "
                + $"that protects stored credentials; create one with {nameof(AesGcmSecretProtector)}.{nameof(GenerateKey)}() "
                + "(or 'openssl rand -base64 32') and keep it outside the database.");
        }

        try
        {
            return FromBase64Key(value);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException(
                $"The environment variable '{variableName}' does not hold a valid key: it must be {KeySize} bytes, base64-encoded "
                + $"(create one with {nameof(AesGcmSecretProtector)}.{nameof(GenerateKey)}()).",
                ex);
        }
    }

    /// <summary>
    /// Creates a protector from a key file holding a base64-encoded key. When the file is missing and
    /// <paramref name="createIfMissing"/> is set, a random key is written to it first, readable by the current user only
    /// (mode 0600 on Unix).
    /// </summary>
    /// <param name="path">The key file's path.</param>
    /// <param name="createIfMissing">Whether to create the file with a new random key when it does not exist.</param>
    /// <returns>The protector.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist and <paramref name="createIfMissing"/> is not set.</exception>
    /// <exception cref="InvalidOperationException">The file does not hold a valid key (the message never quotes it).</exception>
    public static AesGcmSecretProtector FromKeyFile(string path, bool createIfMissing)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            if (!createIfMissing)
            {
                throw new FileNotFoundException(
                    $"The secret key file '{fullPath}' does not exist. Create it with a base64-encoded {KeySize}-byte key, or pass "
                    + "createIfMissing: true to generate one.",
                    fullPath);
            }

            TryCreateKeyFile(fullPath);
        }

        var text = File.ReadAllText(fullPath);
        try
        {
            return FromBase64Key(text);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException(
                $"The secret key file '{fullPath}' does not hold a valid key: it must contain {KeySize} bytes, base64-encoded.", ex);
        }
    }

    /// <summary>Generates a new random 32-byte key, base64-encoded, for <see cref="FromBase64Key"/> or the environment variable.</summary>
    /// <returns>The key, base64-encoded.</returns>
    public static string GenerateKey()
    {
        Span<byte> key = stackalloc byte[KeySize];
        RandomNumberGenerator.Fill(key);
        try
        {
            return Convert.ToBase64String(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <inheritdoc />
    public byte[] Protect(ReadOnlySpan<byte> plaintext)
    {
        var result = new byte[HeaderSize + plaintext.Length];
        result[0] = FormatVersion;
        var nonce = result.AsSpan(1, NonceSize);
        var tag = result.AsSpan(1 + NonceSize, TagSize);
        var ciphertext = result.AsSpan(HeaderSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData: result.AsSpan(0, 1));
        return result;
    }

    /// <inheritdoc />
    public byte[] Unprotect(ReadOnlySpan<byte> protectedData)
    {
        if (protectedData.Length < HeaderSize)
        {
            throw new CryptographicException("The protected data is too short to have been written by this protector.");
        }

        if (protectedData[0] != FormatVersion)
        {
            throw new CryptographicException(
                $"The protected data has format version {protectedData[0]}; this protector reads version {FormatVersion}.");
        }

        var result = new byte[protectedData.Length - HeaderSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(
            protectedData.Slice(1, NonceSize),
            protectedData[HeaderSize..],
            protectedData.Slice(1 + NonceSize, TagSize),
            result,
            associatedData: protectedData[..1]);
        return result;
    }

    private static void TryCreateKeyFile(string fullPath)
    {
        var directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(fullPath, options);
            using var writer = new StreamWriter(stream);
            writer.Write(GenerateKey());
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        catch (IOException) when (File.Exists(fullPath))
        {
            // Another process created the file first: use its key.
        }
    }
}
