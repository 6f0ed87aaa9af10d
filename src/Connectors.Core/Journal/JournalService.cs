using System.Text.Json;
using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>
/// What a person does with the journal: read entries, correct a payload (validated again on save), replay it through
/// mapping and the idempotent write path, ignore it, or settle an intent that needs verification.
/// </summary>
public sealed class JournalService
{
    private readonly SyncEngine _engine;
    private readonly IJournalStore _journal;
    private readonly TimeProvider _time;

    /// <summary>Creates the service.</summary>
    /// <param name="engine">The engine replays go through.</param>
    /// <param name="journal">The journal store.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public JournalService(SyncEngine engine, IJournalStore journal, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(journal);
        _engine = engine;
        _journal = journal;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Lists entries.</summary>
    /// <param name="query">The query.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The entries.</returns>
    public Task<IReadOnlyList<JournalEntry>> QueryAsync(JournalQuery query, CancellationToken cancellationToken = default)
        => _journal.QueryEntriesAsync(query, cancellationToken);

    /// <summary>
    /// Replaces an entry's payload with a corrected one, after validating it as the flow's source record (canonical JSON
    /// of the source type, then the flow's validation rules).
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="entryId">The entry.</param>
    /// <param name="payloadJson">The corrected canonical JSON.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The entry as saved.</returns>
    /// <exception cref="KeyNotFoundException">No such entry.</exception>
    /// <exception cref="RecordValidationException">The payload is not valid; the message names the record and the field.</exception>
    public async Task<JournalEntry> EditPayloadAsync(
        string tenantId, string entryId, string payloadJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloadJson);
        var entry = await GetAsync(tenantId, entryId, cancellationToken).ConfigureAwait(false);
        var flow = _engine.Flows.Get(entry.FlowId);
        _ = Validate(flow, entry.SourceKey, payloadJson);
        return await _journal.SaveEntryAsync(
            entry with { PayloadJson = payloadJson, PayloadIsRaw = false, UpdatedAt = _time.GetUtcNow() },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replays one entry (open or waiting) through mapping and the idempotent write path.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="entryId">The entry.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The replay run's result; the entry is resolved when the record synced.</returns>
    /// <exception cref="KeyNotFoundException">No such entry.</exception>
    /// <exception cref="InvalidOperationException">The entry is not open or waiting, or holds a raw payload not yet corrected.</exception>
    /// <exception cref="RecordValidationException">The payload is not valid.</exception>
    public async Task<SyncRunResult> ReplayAsync(string tenantId, string entryId, CancellationToken cancellationToken = default)
    {
        var entry = await GetAsync(tenantId, entryId, cancellationToken).ConfigureAwait(false);
        var flow = _engine.Flows.Get(entry.FlowId);
        var record = ToReplayable(flow, entry);
        return await _engine.ReplayRecordsAsync(tenantId, flow, [record], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replays every open or waiting entry of a flow whose payload is canonical JSON.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="flowId">The flow.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The replay run's result.</returns>
    public async Task<SyncRunResult> ReplayAllAsync(string tenantId, string flowId, CancellationToken cancellationToken = default)
    {
        var flow = _engine.Flows.Get(flowId);
        var entries = await _journal.QueryEntriesAsync(
            new JournalQuery
            {
                TenantId = tenantId,
                FlowId = flowId,
                Statuses = [JournalEntryStatus.Open, JournalEntryStatus.WaitingForDependency],
                MaxCount = int.MaxValue,
            },
            cancellationToken).ConfigureAwait(false);
        var records = entries
            .Where(e => !e.PayloadIsRaw && e.PayloadJson is not null && e.Category != JournalCategory.Conflict)
            .Select(e => ToReplayable(flow, e))
            .ToList();
        return await _engine.ReplayRecordsAsync(tenantId, flow, records, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks an entry ignored: it is kept (until retention) but no longer counts as open.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="entryId">The entry.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The entry as saved.</returns>
    public async Task<JournalEntry> IgnoreAsync(string tenantId, string entryId, CancellationToken cancellationToken = default)
    {
        var entry = await GetAsync(tenantId, entryId, cancellationToken).ConfigureAwait(false);
        return await _journal.SaveEntryAsync(
            entry with { Status = JournalEntryStatus.Ignored, UpdatedAt = _time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Settles an entry that needs verification (or a correlation conflict) after a person checked the target: pass the
    /// key of the record they found to link it, or <see langword="null"/> when they found none, to create it now.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="entryId">The entry.</param>
    /// <param name="existingTargetKey">The target record found, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The run's result.</returns>
    /// <exception cref="InvalidOperationException">The entry concerns no intent.</exception>
    public async Task<SyncRunResult> ResolveVerificationAsync(
        string tenantId, string entryId, string? existingTargetKey, CancellationToken cancellationToken = default)
    {
        var entry = await GetAsync(tenantId, entryId, cancellationToken).ConfigureAwait(false);
        if (entry.IntentId is null)
        {
            throw new InvalidOperationException($"Journal entry '{entryId}' concerns no intent; replay it instead.");
        }

        var flow = _engine.Flows.Get(entry.FlowId);
        var result = await _engine.ResolveVerificationAsync(tenantId, flow, entry.IntentId, existingTargetKey, cancellationToken).ConfigureAwait(false);
        if (result.Status is RunStatus.Succeeded)
        {
            await _journal.SaveEntryAsync(
                entry with { Status = JournalEntryStatus.Resolved, UpdatedAt = _time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<JournalEntry> GetAsync(string tenantId, string entryId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(entryId);
        return await _journal.GetEntryAsync(tenantId, entryId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No journal entry '{entryId}' for tenant '{tenantId}'.");
    }

    private static ChangedRecord ToReplayable(FlowDefinition flow, JournalEntry entry)
    {
        if (entry.Status is not (JournalEntryStatus.Open or JournalEntryStatus.WaitingForDependency))
        {
            throw new InvalidOperationException($"Journal entry '{entry.EntryId}' is {entry.Status}; only open or waiting entries are replayed.");
        }

        if (entry.PayloadIsRaw || entry.PayloadJson is null)
        {
            throw new InvalidOperationException(
                $"Journal entry '{entry.EntryId}' holds the vendor's raw payload; correct it into canonical JSON with EditPayloadAsync first.");
        }

        return new ChangedRecord { Key = entry.SourceKey, Record = Validate(flow, entry.SourceKey, entry.PayloadJson) };
    }

    private static ICanonicalRecord Validate(FlowDefinition flow, string sourceKey, string payloadJson)
    {
        ICanonicalRecord record;
        try
        {
            record = CanonicalJson.Deserialize(payloadJson, flow.SourceType);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : string.Empty;
            throw new RecordValidationException(flow.SourceKind, sourceKey, field, $"the corrected payload is not a valid {flow.SourceType.Name}: {ex.Message}");
        }

        var errors = flow.Validate(record).ToList();
        if (errors.Count > 0)
        {
            throw new RecordValidationException(flow.SourceKind, sourceKey, errors[0].Field, errors[0].Problem);
        }

        return record;
    }
}
