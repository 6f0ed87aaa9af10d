using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>
/// An <see cref="ICredentialStore"/> held in memory. Only the <see cref="ISecretProtector"/>'s protected bytes are kept;
/// secrets are decrypted on every read. Saves are compare-and-swap on the version (1 after the first save). Thread-safe.
/// </summary>
public sealed class InMemoryCredentialStore : ICredentialStore
{
    private readonly ISecretProtector _protector;
    private readonly Lock _lock = new();
    private readonly Dictionary<ConnectionId, Protected> _credentials = [];

    /// <summary>Creates a store.</summary>
    /// <param name="protector">The protector that encrypts secrets at rest.</param>
    /// <exception cref="ArgumentNullException"><paramref name="protector"/> is <see langword="null"/>.</exception>
    public InMemoryCredentialStore(ISecretProtector protector)
    {
        ArgumentNullException.ThrowIfNull(protector);
        _protector = protector;
    }

    /// <inheritdoc />
    public Task<StoredCredential?> GetAsync(ConnectionId connection, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Protected? stored;
        lock (_lock)
        {
            _credentials.TryGetValue(connection, out stored);
        }

        return Task.FromResult(stored is null ? null : new StoredCredential
        {
            Secrets = CredentialCodec.Unprotect(_protector, stored.Data),
            Version = stored.Version,
            UpdatedAt = stored.UpdatedAt,
        });
    }

    /// <inheritdoc />
    public Task<StoredCredential?> TrySaveAsync(
        ConnectionId connection, IReadOnlyDictionary<string, string> secrets, long expectedVersion, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentException.ThrowIfNullOrEmpty(connection.TenantId, nameof(connection));
        ArgumentException.ThrowIfNullOrEmpty(connection.Name, nameof(connection));
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();
        var data = CredentialCodec.Protect(_protector, secrets);
        lock (_lock)
        {
            var current = _credentials.TryGetValue(connection, out var stored) ? stored.Version : 0;
            if (current != expectedVersion)
            {
                return Task.FromResult<StoredCredential?>(null);
            }

            _credentials[connection] = new Protected(data, expectedVersion + 1, now);
        }

        return Task.FromResult<StoredCredential?>(new StoredCredential
        {
            Secrets = new Dictionary<string, string>(secrets, StringComparer.Ordinal).AsReadOnly(),
            Version = expectedVersion + 1,
            UpdatedAt = now,
        });
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(ConnectionId connection, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_credentials.Remove(connection));
        }
    }

    /// <inheritdoc />
    public Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var keys = _credentials.Keys.Where(k => string.Equals(k.TenantId, tenantId, StringComparison.Ordinal)).ToList();
            foreach (var key in keys)
            {
                _credentials.Remove(key);
            }

            return Task.FromResult((long)keys.Count);
        }
    }

    private sealed record Protected(byte[] Data, long Version, DateTimeOffset UpdatedAt);
}
