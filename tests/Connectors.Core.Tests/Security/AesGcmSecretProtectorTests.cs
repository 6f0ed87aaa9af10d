using System.Security.Cryptography;
using System.Text;

namespace Connectors.Core.Tests.Security;

public sealed class AesGcmSecretProtectorTests
{
    private static readonly byte[] Plain = Encoding.UTF8.GetBytes("refresh_token=rt-123 ✓");

    [Fact]
    public void Protect_ThenUnprotect_ReturnsPlaintext()
    {
        var protector = AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey());
        var sealedData = protector.Protect(Plain);

        Assert.Equal(1, sealedData[0]);
        Assert.Equal(1 + 12 + 16 + Plain.Length, sealedData.Length);
        Assert.Equal(Plain, protector.Unprotect(sealedData));
        Assert.Equal(-1, sealedData.AsSpan().IndexOf(Plain));
    }

    [Fact]
    public void Protect_SamePlaintextTwice_UsesFreshNonce()
    {
        var protector = AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey());
        Assert.NotEqual(protector.Protect(Plain), protector.Protect(Plain));
    }

    [Fact]
    public void Protect_EmptyPlaintext_RoundTrips()
    {
        var protector = AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey());
        Assert.Empty(protector.Unprotect(protector.Protect([])));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(30)]
    public void Unprotect_TamperedByte_ThrowsCryptographicException(int index)
    {
        var protector = AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey());
        var sealedData = protector.Protect(Plain);
        sealedData[index] ^= 0x01;
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(sealedData));
    }

    [Fact]
    public void Unprotect_OtherKeyOrTooShort_ThrowsCryptographicException()
    {
        var sealedData = AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey()).Protect(Plain);
        var other = AesGcmSecretProtector.FromBase64Key(AesGcmSecretProtector.GenerateKey());
        Assert.ThrowsAny<CryptographicException>(() => other.Unprotect(sealedData));
        Assert.ThrowsAny<CryptographicException>(() => other.Unprotect(sealedData.AsSpan(0, 10)));
    }

    [Fact]
    public void Constructor_WrongKeyLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => new AesGcmSecretProtector(new byte[16]));
        Assert.Throws<FormatException>(() => AesGcmSecretProtector.FromBase64Key(Convert.ToBase64String(new byte[16])));
        Assert.Throws<FormatException>(() => AesGcmSecretProtector.FromBase64Key("not base64!"));
    }

    [Fact]
    public void GenerateKey_ReturnsDistinct32ByteKeys()
    {
        var a = AesGcmSecretProtector.GenerateKey();
        Assert.Equal(32, Convert.FromBase64String(a).Length);
        Assert.NotEqual(a, AesGcmSecretProtector.GenerateKey());
    }

    [Fact]
    public void FromEnvironment_MissingOrInvalid_NamesVariableNeverValue()
    {
        var name = "CONNECTORS_TEST_KEY_" + Guid.NewGuid().ToString("N");
        var missing = Assert.Throws<InvalidOperationException>(() => AesGcmSecretProtector.FromEnvironment(name));
        Assert.Contains(name, missing.Message, StringComparison.Ordinal);

        Environment.SetEnvironmentVariable(name, "c2VjcmV0LXZhbHVlLXRoYXQtaXMtdG9vLXNob3J0");
        try
        {
            var invalid = Assert.Throws<InvalidOperationException>(() => AesGcmSecretProtector.FromEnvironment(name));
            Assert.Contains(name, invalid.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("c2VjcmV0", invalid.ToString(), StringComparison.Ordinal);

            var key = AesGcmSecretProtector.GenerateKey();
            Environment.SetEnvironmentVariable(name, key);
            var fromEnv = AesGcmSecretProtector.FromEnvironment(name);
            Assert.Equal(Plain, AesGcmSecretProtector.FromBase64Key(key).Unprotect(fromEnv.Protect(Plain)));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void FromKeyFile_CreateIfMissing_CreatesPrivateFileAndReusesIt()
    {
        var dir = Path.Combine(Path.GetTempPath(), "connectors-key-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(dir, "nested", "secret.key");
        try
        {
            var first = AesGcmSecretProtector.FromKeyFile(path, createIfMissing: true);
            Assert.True(File.Exists(path));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }

            var second = AesGcmSecretProtector.FromKeyFile(path, createIfMissing: true);
            Assert.Equal(Plain, second.Unprotect(first.Protect(Plain)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void FromKeyFile_MissingWithoutCreate_ThrowsFileNotFound()
    {
        var path = Path.Combine(Path.GetTempPath(), "connectors-missing-" + Guid.NewGuid().ToString("N") + ".key");
        var ex = Assert.Throws<FileNotFoundException>(() => AesGcmSecretProtector.FromKeyFile(path, createIfMissing: false));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void FromKeyFile_InvalidContent_ThrowsWithoutQuotingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), "connectors-bad-" + Guid.NewGuid().ToString("N") + ".key");
        File.WriteAllText(path, "definitely-not-a-key");
        try
        {
            var ex = Assert.Throws<InvalidOperationException>(() => AesGcmSecretProtector.FromKeyFile(path, createIfMissing: true));
            Assert.DoesNotContain("definitely", ex.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
