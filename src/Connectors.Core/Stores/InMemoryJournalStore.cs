using System.Globalization;
using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>
/// An <see cref="IJournalStore"/> held in memory. Thread-safe. Starting a run that exists replaces it. Retention removes runs that ended (or, when they never
/// recorded an end, started) before the cut-off with their outcomes, outcomes recorded before it, and resolved or ignored
/// entries last changed before it.
/// </summary>
public sealed class InMemoryJournalStore : IJournalStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string TenantId, string RunId), RunSlot> _runs = [];
    private readonly Dictionary<(string TenantId, string RunId), List<RecordOutcome>> _outcomes = [];
    private readonly Dictionary<(string TenantId, string EntryId), EntrySlot> _entries = [];
    private long _sequence;

    /// <inheritdoc />
    public Task StartRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.TenantId, nameof(run));
        ArgumentException.ThrowIfNullOrEmpty(run.RunId, nameof(run));
        cancellationToken.ThrowIfCancellationRequested();
        PutRun(run);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task UpdateRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.TenantId, nameof(run));
        ArgumentException.ThrowIfNullOrEmpty(run.RunId, nameof(run));
        cancellationToken.ThrowIfCancellationRequested();
        PutRun(run);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<RunRecord?> GetRunAsync(string tenantId, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_runs.TryGetValue((tenantId, runId), out var slot) ? slot.Run : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(
        string tenantId, string? flowId, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            IReadOnlyList<RunRecord> result = [.. _runs.Values
                .Where(s => string.Equals(s.Run.TenantId, tenantId, StringComparison.Ordinal)
                    && (flowId is null || string.Equals(s.Run.FlowId, flowId, StringComparison.Ordinal)))
                .OrderByDescending(s => s.Run.StartedAt)
                .ThenByDescending(s => s.Sequence)
                .Take(maxCount)
                .Select(s => s.Run)];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task AddOutcomesAsync(IReadOnlyList<RecordOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var outcome in outcomes)
        {
            ArgumentNullException.ThrowIfNull(outcome, nameof(outcomes));
        }

        lock (_lock)
        {
            foreach (var outcome in outcomes)
            {
                if (!_outcomes.TryGetValue((outcome.TenantId, outcome.RunId), out var list))
                {
                    list = [];
                    _outcomes[(outcome.TenantId, outcome.RunId)] = list;
                }

                list.Add(outcome);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RecordOutcome>> ListOutcomesAsync(
        string tenantId, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            IReadOnlyList<RecordOutcome> result = _outcomes.TryGetValue((tenantId, runId), out var list) ? [.. list] : [];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<JournalEntry> SaveEntryAsync(JournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.TenantId, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.FlowId, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.SourceKey, nameof(entry));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            JournalEntry stored;
            long sequence;
            if (!string.IsNullOrEmpty(entry.EntryId))
            {
                stored = entry;
                sequence = _entries.TryGetValue((entry.TenantId, entry.EntryId), out var existing) ? existing.Sequence : ++_sequence;
            }
            else
            {
                var open = _entries.Values
                    .Where(s => string.Equals(s.Entry.TenantId, entry.TenantId, StringComparison.Ordinal)
                        && string.Equals(s.Entry.FlowId, entry.FlowId, StringComparison.Ordinal)
                        && string.Equals(s.Entry.SourceKey, entry.SourceKey, StringComparison.Ordinal)
                        && s.Entry.Status is not (JournalEntryStatus.Resolved or JournalEntryStatus.Ignored))
                    .OrderByDescending(s => s.Sequence)
                    .FirstOrDefault();
                if (open.Entry is not null)
                {
                    stored = entry with { EntryId = open.Entry.EntryId, CreatedAt = open.Entry.CreatedAt };
                    sequence = open.Sequence;
                }
                else
                {
                    stored = entry with { EntryId = NewId() };
                    sequence = ++_sequence;
                }
            }

            _entries[(stored.TenantId, stored.EntryId)] = new EntrySlot(stored, sequence);
            return Task.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public Task<JournalEntry?> GetEntryAsync(string tenantId, string entryId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(entryId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_entries.TryGetValue((tenantId, entryId), out var slot) ? slot.Entry : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JournalEntry>> QueryEntriesAsync(JournalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.TenantId, nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegative(query.MaxCount, nameof(query));
        cancellationToken.ThrowIfCancellationRequested();
        var statuses = query.Statuses is null ? null : new HashSet<JournalEntryStatus>(query.Statuses);
        lock (_lock)
        {
            IReadOnlyList<JournalEntry> result = [.. _entries.Values
                .Where(s => string.Equals(s.Entry.TenantId, query.TenantId, StringComparison.Ordinal)
                    && (query.FlowId is null || string.Equals(s.Entry.FlowId, query.FlowId, StringComparison.Ordinal))
                    && (query.SourceKey is null || string.Equals(s.Entry.SourceKey, query.SourceKey, StringComparison.Ordinal))
                    && (statuses is null || statuses.Contains(s.Entry.Status)))
                .OrderBy(s => s.Entry.CreatedAt)
                .ThenBy(s => s.Sequence)
                .Take(query.MaxCount)
                .Select(s => s.Entry)];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<long> ApplyRetentionAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long removed = 0;
        lock (_lock)
        {
            foreach (var (key, slot) in _runs.Where(p => (p.Value.Run.EndedAt ?? p.Value.Run.StartedAt) < olderThan).ToList())
            {
                _runs.Remove(key);
                removed++;
                if (_outcomes.Remove(key, out var list))
                {
                    removed += list.Count;
                }
            }

            foreach (var (key, list) in _outcomes.ToList())
            {
                removed += list.RemoveAll(o => o.At < olderThan);
                if (list.Count == 0)
                {
                    _outcomes.Remove(key);
                }
            }

            foreach (var key in _entries
                .Where(p => p.Value.Entry.Status is JournalEntryStatus.Resolved or JournalEntryStatus.Ignored && p.Value.Entry.UpdatedAt < olderThan)
                .Select(p => p.Key)
                .ToList())
            {
                _entries.Remove(key);
                removed++;
            }
        }

        return Task.FromResult(removed);
    }

    /// <inheritdoc />
    public Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        cancellationToken.ThrowIfCancellationRequested();
        long removed = 0;
        lock (_lock)
        {
            foreach (var key in _runs.Keys.Where(k => string.Equals(k.TenantId, tenantId, StringComparison.Ordinal)).ToList())
            {
                _runs.Remove(key);
                removed++;
            }

            foreach (var key in _outcomes.Keys.Where(k => string.Equals(k.TenantId, tenantId, StringComparison.Ordinal)).ToList())
            {
                removed += _outcomes[key].Count;
                _outcomes.Remove(key);
            }

            foreach (var key in _entries.Keys.Where(k => string.Equals(k.TenantId, tenantId, StringComparison.Ordinal)).ToList())
            {
                _entries.Remove(key);
                removed++;
            }
        }

        return Task.FromResult(removed);
    }

    private static string NewId() => Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);

    private void PutRun(RunRecord run)
    {
        lock (_lock)
        {
            var sequence = _runs.TryGetValue((run.TenantId, run.RunId), out var existing) ? existing.Sequence : ++_sequence;
            _runs[(run.TenantId, run.RunId)] = new RunSlot(run, sequence);
        }
    }

    private readonly record struct RunSlot(RunRecord Run, long Sequence);

    private readonly record struct EntrySlot(JournalEntry Entry, long Sequence);
}
