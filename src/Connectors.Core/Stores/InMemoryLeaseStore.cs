using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>
/// An <see cref="ILeaseStore"/> held in memory, for the workers of one process. Thread-safe. A lease is held until its
/// <see cref="Lease.ExpiresAt"/> (exclusive). Every acquisition of a resource that is not an extension by its current,
/// unexpired holder takes a new, larger fencing number; numbers keep growing after a release.
/// </summary>
public sealed class InMemoryLeaseStore : ILeaseStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string TenantId, string Resource), Slot> _leases = [];

    /// <inheritdoc />
    public Task<Lease?> TryAcquireAsync(
        string tenantId, string resource, string owner, DateTimeOffset now, TimeSpan duration,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(resource);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _leases.TryGetValue((tenantId, resource), out var slot);
            var held = slot.Owner is not null && slot.ExpiresAt > now;
            if (held && !string.Equals(slot.Owner, owner, StringComparison.Ordinal))
            {
                return Task.FromResult<Lease?>(null);
            }

            var fence = held ? slot.Fence : slot.Fence + 1;
            _leases[(tenantId, resource)] = new Slot(owner, now + duration, fence);
            return Task.FromResult<Lease?>(new Lease { TenantId = tenantId, Resource = resource, Owner = owner, ExpiresAt = now + duration, Fence = fence });
        }
    }

    /// <inheritdoc />
    public Task<Lease?> RenewAsync(Lease lease, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_leases.TryGetValue((lease.TenantId, lease.Resource), out var slot) || !IsSame(slot, lease) || slot.ExpiresAt <= now)
            {
                return Task.FromResult<Lease?>(null);
            }

            _leases[(lease.TenantId, lease.Resource)] = slot with { ExpiresAt = now + duration };
            return Task.FromResult<Lease?>(lease with { ExpiresAt = now + duration });
        }
    }

    /// <summary>
    /// Releases a lease if its owner still holds it: the owner and fencing number must match (an expired lease nobody took
    /// since can still be released).
    /// </summary>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns><see langword="true"/> when released.</returns>
    public Task<bool> ReleaseAsync(Lease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_leases.TryGetValue((lease.TenantId, lease.Resource), out var slot) || !IsSame(slot, lease))
            {
                return Task.FromResult(false);
            }

            // Keep the fencing number so the next acquisition still gets a larger one.
            _leases[(lease.TenantId, lease.Resource)] = new Slot(null, default, slot.Fence);
            return Task.FromResult(true);
        }
    }

    private static bool IsSame(Slot slot, Lease lease)
        => slot.Owner is not null && string.Equals(slot.Owner, lease.Owner, StringComparison.Ordinal) && slot.Fence == lease.Fence;

    private readonly record struct Slot(string? Owner, DateTimeOffset ExpiresAt, long Fence);
}
