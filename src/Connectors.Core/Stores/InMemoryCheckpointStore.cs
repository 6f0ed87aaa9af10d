using System.Collections.Concurrent;
using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>An <see cref="ICheckpointStore"/> held in memory. Thread-safe.</summary>
public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly ConcurrentDictionary<(string TenantId, string FlowId), Checkpoint> _checkpoints = new();

    /// <inheritdoc />
    public Task<Checkpoint?> GetAsync(string tenantId, string flowId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(flowId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_checkpoints.TryGetValue((tenantId, flowId), out var checkpoint) ? checkpoint : null);
    }

    /// <inheritdoc />
    public Task SetAsync(string tenantId, string flowId, Checkpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(flowId);
        ArgumentNullException.ThrowIfNull(checkpoint);
        cancellationToken.ThrowIfCancellationRequested();
        _checkpoints[(tenantId, flowId)] = checkpoint;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string tenantId, string flowId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(flowId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_checkpoints.TryRemove((tenantId, flowId), out _));
    }

    /// <inheritdoc />
    public Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        cancellationToken.ThrowIfCancellationRequested();
        long removed = 0;
        foreach (var key in _checkpoints.Keys)
        {
            if (string.Equals(key.TenantId, tenantId, StringComparison.Ordinal) && _checkpoints.TryRemove(key, out _))
            {
                removed++;
            }
        }

        return Task.FromResult(removed);
    }
}
