using System.Diagnostics;
using System.Text.Json;
using Connectors.Abstractions;

namespace Connectors.Core;

public sealed partial class SyncEngine
{
    private sealed class Prepared
    {
        public required string SourceKey { get; init; }

        public required ICanonicalRecord Source { get; init; }

        public required HashVector SourceHashes { get; init; }

        public required ICanonicalRecord Target { get; set; }

        public IdMapEntry? Link { get; init; }
    }

    private async Task LoadOpenEntryKeysAsync(RunContext context)
    {
        var entries = await _stores.Journal.QueryEntriesAsync(
            new JournalQuery
            {
                TenantId = context.TenantId,
                FlowId = context.Flow.Id,
                Statuses = [JournalEntryStatus.Open, JournalEntryStatus.WaitingForDependency],
                MaxCount = int.MaxValue,
            },
            context.CancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            context.OpenEntryKeys.Add(entry.SourceKey);
        }
    }

    private async Task RetryWaitingAsync(RunContext context)
    {
        var entries = await _stores.Journal.QueryEntriesAsync(
            new JournalQuery
            {
                TenantId = context.TenantId,
                FlowId = context.Flow.Id,
                Statuses = [JournalEntryStatus.WaitingForDependency],
                MaxCount = _options.MaxWaitingRetriesPerRun,
            },
            context.CancellationToken).ConfigureAwait(false);
        var batch = new List<ChangedRecord>();
        foreach (var entry in entries)
        {
            if (entry.PayloadIsRaw || entry.PayloadJson is null)
            {
                continue;
            }

            ICanonicalRecord record;
            try
            {
                record = CanonicalJson.Deserialize(entry.PayloadJson, context.Flow.SourceType);
            }
            catch (JsonException)
            {
                continue;
            }

            batch.Add(new ChangedRecord { Key = entry.SourceKey, Record = record });
            if (batch.Count >= _options.DefaultPageSize)
            {
                await ProcessRecordsAsync(context, batch, midPageProbe: false).ConfigureAwait(false);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await ProcessRecordsAsync(context, batch, midPageProbe: false).ConfigureAwait(false);
        }

        await FlushOutcomesAsync(context).ConfigureAwait(false);
    }

    /// <summary>Processes a batch of changed records: the per-page pipeline with batched look-ups.</summary>
    internal async Task ProcessRecordsAsync(RunContext context, IReadOnlyList<ChangedRecord> records, bool midPageProbe)
    {
        var flow = context.Flow;

        // The same key may appear twice in a page (a record changed while paging): the last one wins.
        var latest = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            latest[records[i].Key] = i;
        }

        var keys = latest.Keys.ToArray();
        var links = await _stores.IdMap.GetManyAsync(
            context.TenantId, flow.SourceKind, flow.SourceConnection, keys, flow.TargetConnection, context.CancellationToken).ConfigureAwait(false);
        var blocking = await _stores.Intents.GetBlockingAsync(
            context.TenantId, flow.Id, keys, context.CancellationToken).ConfigureAwait(false);

        // Phase 1: checks, hashing, mapping and validation; no writes to the target.
        var prepared = new List<Prepared>();
        for (var i = 0; i < records.Count; i++)
        {
            var changed = records[i];
            if (latest[changed.Key] != i)
            {
                continue;
            }

            var item = await PrepareAsync(context, changed, links.GetValueOrDefault(changed.Key), blocking.GetValueOrDefault(changed.Key)).ConfigureAwait(false);
            if (item is not null)
            {
                prepared.Add(item);
            }
        }

        // Phase 2: resolve references through the ID map, one look-up per referenced kind.
        var resolved = await ResolveReferencesAsync(context, prepared).ConfigureAwait(false);

        // Phase 3: write. Policies other than SourceWins (and previews) need the target's current records: one batch read.
        var current = await ReadCurrentTargetsAsync(context, resolved).ConfigureAwait(false);
        var half = resolved.Count / 2;
        for (var i = 0; i < resolved.Count; i++)
        {
            if (midPageProbe && i == half)
            {
                _probe?.OnStep(SyncStep.MidPage, context.Step(resolved[i].SourceKey));
            }

            context.CancellationToken.ThrowIfCancellationRequested();
            var outcome = await WriteAsync(context, resolved[i], current).ConfigureAwait(false);
            if (outcome is RecordOutcomeKind.Created or RecordOutcomeKind.Updated or RecordOutcomeKind.Submitted)
            {
                await ResolveOpenEntriesAsync(context, resolved[i].SourceKey).ConfigureAwait(false);
            }
        }
    }

    private async Task<Prepared?> PrepareAsync(RunContext context, ChangedRecord changed, IdMapEntry? link, Intent? blocking)
    {
        var flow = context.Flow;
        if (changed.Problem is { } problem)
        {
            await JournalAsync(
                context, changed.Key, JournalCategory.Mapping, JournalEntryStatus.Open,
                RecordMessage.Format(flow.SourceKind, changed.Key, problem.Field, problem.Message), problem.Field,
                problem.RawPayload, payloadIsRaw: true).ConfigureAwait(false);
            Count(context, changed.Key, RecordOutcomeKind.Failed, null);
            return null;
        }

        if (changed.Deleted || changed.Record is null)
        {
            await HandleDeleteAsync(context, changed.Key, link).ConfigureAwait(false);
            return null;
        }

        if (blocking is not null)
        {
            if (blocking.IsUnsettled)
            {
                // Another worker holds the intent, or an asynchronous job is still running: wait for it to settle.
                await JournalAsync(
                    context, changed.Key, JournalCategory.Dependency, JournalEntryStatus.WaitingForDependency,
                    RecordMessage.Format(flow.SourceKind, changed.Key, string.Empty, $"waits for intent '{blocking.IntentId}' ({blocking.State}) to settle"),
                    null, CanonicalJson.Serialize(changed.Record), payloadIsRaw: false,
                    dependsOnKind: flow.TargetKind, dependsOnKey: "intent:" + blocking.IntentId).ConfigureAwait(false);
                Count(context, changed.Key, RecordOutcomeKind.Waiting, null);
            }
            else
            {
                // Needs verification or a conflict: a person decides; never written again automatically.
                Count(context, changed.Key, RecordOutcomeKind.Skipped, null);
            }

            return null;
        }

        var record = changed.Record;
        var sourceHashes = RecordHasher.Compute(record, flow.HashExclusions);
        if (link?.HashesA is { } known && known.Equals(sourceHashes))
        {
            Count(context, changed.Key, RecordOutcomeKind.Unchanged, link.KeyB);
            if (context.OpenEntryKeys.Contains(changed.Key))
            {
                await ResolveOpenEntriesAsync(context, changed.Key).ConfigureAwait(false);
            }

            return null;
        }

        var errors = flow.Validate(record).ToList();
        if (errors.Count > 0)
        {
            var first = errors[0];
            var message = RecordMessage.Format(flow.SourceKind, changed.Key, first.Field, first.Problem);
            if (errors.Count > 1)
            {
                message += $" (and {errors.Count - 1} more: {string.Join("; ", errors.Skip(1).Select(e => $"'{e.Field}': {e.Problem}"))})";
            }

            await JournalAsync(
                context, changed.Key, JournalCategory.Validation, JournalEntryStatus.Open, message, first.Field,
                CanonicalJson.Serialize(record), payloadIsRaw: false).ConfigureAwait(false);
            Count(context, changed.Key, RecordOutcomeKind.Failed, null);
            return null;
        }

        ICanonicalRecord? target;
        try
        {
            target = flow.Map(record, new MappingContext(context.TenantId, flow.Id, flow.SourceKind, changed.Key, context.Tables));
        }
        catch (RecordValidationException ex)
        {
            var message = ex.Field is not null
                ? RecordMessage.Format(flow.SourceKind, changed.Key, ex.Field, ex.Problem ?? ex.Message)
                : RecordMessage.Format(flow.SourceKind, changed.Key, string.Empty, ex.Message);
            await JournalAsync(
                context, changed.Key, JournalCategory.Mapping, JournalEntryStatus.Open, message, ex.Field,
                CanonicalJson.Serialize(record), payloadIsRaw: false).ConfigureAwait(false);
            Count(context, changed.Key, RecordOutcomeKind.Failed, null);
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or NullReferenceException or InvalidCastException or KeyNotFoundException or OverflowException)
        {
            await JournalAsync(
                context, changed.Key, JournalCategory.Mapping, JournalEntryStatus.Open,
                RecordMessage.Format(flow.SourceKind, changed.Key, string.Empty, $"mapping failed: {ex.Message}"), null,
                CanonicalJson.Serialize(record), payloadIsRaw: false).ConfigureAwait(false);
            Count(context, changed.Key, RecordOutcomeKind.Failed, null);
            return null;
        }

        if (target is null)
        {
            if (context.DryRun)
            {
                context.Preview.Add(new PreviewRecord { SourceKey = changed.Key, Action = PreviewAction.Skip, Message = "the mapping's condition skips it" });
            }

            Count(context, changed.Key, RecordOutcomeKind.Skipped, null);
            return null;
        }

        return new Prepared { SourceKey = changed.Key, Source = record, SourceHashes = sourceHashes, Target = target, Link = link };
    }

    private async Task<List<Prepared>> ResolveReferencesAsync(RunContext context, List<Prepared> prepared)
    {
        var flow = context.Flow;
        if (flow.References.Count == 0 || prepared.Count == 0)
        {
            return prepared;
        }

        var maps = new Dictionary<EntityKind, IReadOnlyDictionary<string, IdMapEntry>>();
        foreach (var group in flow.References.GroupBy(r => r.Kind))
        {
            var keys = prepared.SelectMany(p => group.SelectMany(r => r.GetKeys(p.Target))).Distinct(StringComparer.Ordinal).ToArray();
            maps[group.Key] = keys.Length == 0
                ? new Dictionary<string, IdMapEntry>()
                : await _stores.IdMap.GetManyAsync(
                    context.TenantId, group.Key, flow.SourceConnection, keys, flow.TargetConnection, context.CancellationToken).ConfigureAwait(false);
        }

        var ready = new List<Prepared>(prepared.Count);
        foreach (var item in prepared)
        {
            (FlowReference Reference, string Key)? missing = null;
            var target = item.Target;
            foreach (var reference in flow.References)
            {
                var map = maps[reference.Kind];
                var translated = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var key in reference.GetKeys(target))
                {
                    if (map.TryGetValue(key, out var entry))
                    {
                        translated[key] = entry.KeyB;
                    }
                    else
                    {
                        missing ??= (reference, key);
                    }
                }

                if (missing is null)
                {
                    target = reference.SetKeys(target, translated);
                }
            }

            if (missing is { } m)
            {
                await JournalAsync(
                    context, item.SourceKey, JournalCategory.Dependency, JournalEntryStatus.WaitingForDependency,
                    RecordMessage.Format(flow.SourceKind, item.SourceKey, m.Reference.Field, $"{CanonicalRecords.Display(m.Reference.Kind)} '{m.Key}' is not synced yet"),
                    m.Reference.Field, CanonicalJson.Serialize(item.Source), payloadIsRaw: false,
                    dependsOnKind: m.Reference.Kind, dependsOnKey: m.Key).ConfigureAwait(false);
                Count(context, item.SourceKey, RecordOutcomeKind.Waiting, null);
                continue;
            }

            item.Target = target;
            ready.Add(item);
        }

        return ready;
    }

    private async Task<IReadOnlyDictionary<string, ICanonicalRecord>> ReadCurrentTargetsAsync(RunContext context, List<Prepared> items)
    {
        if (!(context.Flow.ReadsTargetBeforeUpdate || context.DryRun) || context.TargetReader is null)
        {
            return new Dictionary<string, ICanonicalRecord>();
        }

        var keys = items.Where(i => i.Link is not null).Select(i => i.Link!.KeyB).Distinct(StringComparer.Ordinal).ToArray();
        if (keys.Length == 0)
        {
            return new Dictionary<string, ICanonicalRecord>();
        }

        return await WithRetryAsync(
            context, "read-current", ct => context.TargetReader.GetManyAsync(context.Flow.TargetKind, keys, ct)).ConfigureAwait(false);
    }

    private async Task<RecordOutcomeKind> WriteAsync(RunContext context, Prepared item, IReadOnlyDictionary<string, ICanonicalRecord> current)
    {
        if (item.Link is { } link)
        {
            return await UpdateAsync(context, item, link, current.GetValueOrDefault(link.KeyB)).ConfigureAwait(false);
        }

        var flow = context.Flow;
        if (flow.MatchKey is not null && context.TargetFinder is not null && context.TargetCapabilities.Supports(EntityOperations.FindByNaturalKey)
            && flow.MatchKey(item.Target) is { Length: > 0 } naturalKey)
        {
            var matches = await WithRetryAsync(
                context, "match", ct => context.TargetFinder.FindByNaturalKeyAsync(flow.TargetKind, naturalKey, ct)).ConfigureAwait(false);
            if (matches.Count == 1)
            {
                var match = matches[0];
                var matched = new IdMapEntry
                {
                    TenantId = context.TenantId,
                    Kind = flow.SourceKind,
                    ConnectionA = flow.SourceConnection,
                    KeyA = item.SourceKey,
                    ConnectionB = flow.TargetConnection,
                    KeyB = match.RecordKey,
                    HashesB = RecordHasher.Compute(match, flow.HashExclusions),
                    UpdatedAt = _time.GetUtcNow(),
                };
                return await UpdateAsync(context, item, matched, match).ConfigureAwait(false);
            }

            if (matches.Count > 1)
            {
                var keys = string.Join(", ", matches.Select(m => $"'{m.RecordKey}'"));
                await JournalAsync(
                    context, item.SourceKey, JournalCategory.Conflict, JournalEntryStatus.Open,
                    RecordMessage.Format(flow.SourceKind, item.SourceKey, string.Empty, $"{matches.Count} records in '{flow.TargetConnection}' match natural key \"{naturalKey}\": {keys}; a person must choose"),
                    null, CanonicalJson.Serialize(item.Source), payloadIsRaw: false).ConfigureAwait(false);
                Count(context, item.SourceKey, RecordOutcomeKind.Failed, null);
                return RecordOutcomeKind.Failed;
            }
        }

        if (!context.TargetCapabilities.Supports(EntityOperations.Create))
        {
            await JournalAsync(
                context, item.SourceKey, JournalCategory.Target, JournalEntryStatus.Open,
                RecordMessage.Format(flow.SourceKind, item.SourceKey, string.Empty, $"no linked record in '{flow.TargetConnection}' and the '{context.Target.VendorId}' connector cannot create '{flow.TargetKind}'"),
                null, CanonicalJson.Serialize(item.Source), payloadIsRaw: false).ConfigureAwait(false);
            Count(context, item.SourceKey, RecordOutcomeKind.Failed, null);
            return RecordOutcomeKind.Failed;
        }

        if (context.DryRun)
        {
            var created = RecordHasher.Compute(item.Target, flow.HashExclusions).Groups.Keys
                .Select(g => new FieldDecision(g, null, NormalisedGroup(item.Target, g), "create", Written: true))
                .ToList();
            context.Preview.Add(new PreviewRecord { SourceKey = item.SourceKey, Action = PreviewAction.Create, Fields = created });
            Count(context, item.SourceKey, RecordOutcomeKind.Created, null);
            return RecordOutcomeKind.Created;
        }

        return await CreateAsync(context, item).ConfigureAwait(false);
    }

    private static string? NormalisedGroup(ICanonicalRecord record, string group)
        => System.Text.Json.JsonSerializer.SerializeToNode(record, CanonicalJson.GetTypeInfo(record.GetType()))?[group]?.ToJsonString(ConflictResolver.Display);

    private async Task<RecordOutcomeKind> UpdateAsync(RunContext context, Prepared item, IdMapEntry link, ICanonicalRecord? current)
    {
        var flow = context.Flow;
        var record = item.Target;
        ConflictDecision? decision = null;
        if (current is not null && (flow.ReadsTargetBeforeUpdate || context.DryRun))
        {
            decision = ConflictResolver.Decide(flow, item.Source, item.SourceHashes, link, CanonicalRecords.WithExternalId(item.Target, link.KeyB), current);
            if (context.DryRun)
            {
                var action = decision.Conflicts.Count > 0 ? PreviewAction.Journal : decision.Merged is null ? PreviewAction.NoChange : PreviewAction.Update;
                context.Preview.Add(new PreviewRecord
                {
                    SourceKey = item.SourceKey,
                    Action = action,
                    TargetKey = link.KeyB,
                    Fields = decision.Fields,
                    Message = decision.Conflicts.Count > 0 ? ConflictMessage(flow, item.SourceKey, decision) : null,
                });
                var outcome = action switch
                {
                    PreviewAction.Journal => RecordOutcomeKind.Failed,
                    PreviewAction.NoChange => RecordOutcomeKind.Unchanged,
                    _ => RecordOutcomeKind.Updated,
                };
                Count(context, item.SourceKey, outcome, link.KeyB);
                return outcome;
            }

            if (decision.Conflicts.Count > 0)
            {
                await JournalAsync(
                    context, item.SourceKey, JournalCategory.Conflict, JournalEntryStatus.Open, ConflictMessage(flow, item.SourceKey, decision),
                    decision.Conflicts[0], CanonicalJson.Serialize(item.Source), payloadIsRaw: false).ConfigureAwait(false);
                Count(context, item.SourceKey, RecordOutcomeKind.Failed, link.KeyB);
                return RecordOutcomeKind.Failed;
            }

            if (decision.Merged is null)
            {
                // The policies keep every target value: remember the source as seen, keep the target's base so the
                // reverse flow still sees the target's own changes.
                await _stores.IdMap.UpsertAsync(link with { HashesA = item.SourceHashes, UpdatedAt = _time.GetUtcNow() }, context.CancellationToken).ConfigureAwait(false);
                Count(context, item.SourceKey, RecordOutcomeKind.Unchanged, link.KeyB);
                return RecordOutcomeKind.Unchanged;
            }

            record = decision.Merged;
        }
        else if (context.DryRun)
        {
            context.Preview.Add(new PreviewRecord
            {
                SourceKey = item.SourceKey,
                Action = PreviewAction.Update,
                TargetKey = link.KeyB,
                Message = "the linked target record could not be read",
            });
            Count(context, item.SourceKey, RecordOutcomeKind.Updated, link.KeyB);
            return RecordOutcomeKind.Updated;
        }

        var request = new WriteRequest
        {
            Kind = flow.TargetKind,
            Operation = context.TargetCapabilities.Supports(EntityOperations.Update) ? WriteOperation.Update : WriteOperation.Set,
            TargetKey = link.KeyB,
            Record = CanonicalRecords.WithExternalId(record, link.KeyB),
            SourceKey = item.SourceKey,
        };
        WriteResult result;
        try
        {
            result = await WithRetryAsync(context, "update", ct => context.Writer.WriteAsync(request, ct)).ConfigureAwait(false);
        }
        catch (ConnectorException ex) when (!IsTransientFailure(ex))
        {
            await JournalTargetRefusalAsync(context, item, ex).ConfigureAwait(false);
            return RecordOutcomeKind.Failed;
        }

        _probe?.OnStep(SyncStep.AfterTargetWrite, context.Step(item.SourceKey));
        var readBack = result.ReadBack ?? await ReadBackAsync(context, link.KeyB).ConfigureAwait(false);
        var targetHashes = readBack is null ? HashVector.Empty : RecordHasher.Compute(readBack, flow.HashExclusions);
        if (decision is not null)
        {
            targetHashes = ConflictResolver.NewTargetBase(targetHashes, link.HashesB, decision.KeptTargetChanges);
        }

        var now = _time.GetUtcNow();
        await _stores.IdMap.UpsertAsync(
            link with
            {
                HashesA = item.SourceHashes,
                HashesB = targetHashes,
                Lineage = Lineage.Merge(link.Lineage, new Lineage
                {
                    FlowId = flow.Id,
                    RunId = context.RunId,
                    SourceKey = item.SourceKey,
                    ChangedGroups = decision is null
                        ? targetHashes.DifferingGroups(link.HashesB)
                        : [.. decision.Fields.Where(f => f.Written).Select(f => f.Field)],
                    At = now,
                }),
                UpdatedAt = now,
            },
            context.CancellationToken).ConfigureAwait(false);
        _probe?.OnStep(SyncStep.AfterIdMapCommit, context.Step(item.SourceKey));
        Count(context, item.SourceKey, RecordOutcomeKind.Updated, link.KeyB);
        return RecordOutcomeKind.Updated;
    }

    private static bool IsTransientFailure(ConnectorException ex) => ex.IsTransient;

    private static string ConflictMessage(FlowDefinition flow, string sourceKey, ConflictDecision decision)
    {
        var first = decision.Fields.First(f => f.Field == decision.Conflicts[0]);
        var message = RecordMessage.Format(
            flow.SourceKind, sourceKey, first.Field,
            $"changed on both sides (target {first.OldJson ?? "empty"}, source {first.NewJson ?? "empty"}); policy Manual leaves it to a person");
        return decision.Conflicts.Count > 1
            ? message + $" (and {decision.Conflicts.Count - 1} more: {string.Join(", ", decision.Conflicts.Skip(1))})"
            : message;
    }

    private async Task<ICanonicalRecord?> ReadBackAsync(RunContext context, string targetKey)
    {
        if (context.TargetReader is null || !context.TargetCapabilities.Supports(EntityOperations.ReadByKey))
        {
            return null;
        }

        var found = await WithRetryAsync(
            context, "read-back", ct => context.TargetReader.GetManyAsync(context.Flow.TargetKind, [targetKey], ct)).ConfigureAwait(false);
        return found.GetValueOrDefault(targetKey);
    }

    private async Task HandleDeleteAsync(RunContext context, string sourceKey, IdMapEntry? link)
    {
        var flow = context.Flow;
        if (flow.OnDelete != DeletePolicy.Propagate || link is null || !context.TargetCapabilities.Supports(EntityOperations.Delete))
        {
            Count(context, sourceKey, RecordOutcomeKind.Skipped, link?.KeyB);
            return;
        }

        if (context.DryRun)
        {
            context.Preview.Add(new PreviewRecord { SourceKey = sourceKey, Action = PreviewAction.Delete, TargetKey = link.KeyB });
            Count(context, sourceKey, RecordOutcomeKind.Updated, link.KeyB);
            return;
        }

        var request = new WriteRequest { Kind = flow.TargetKind, Operation = WriteOperation.Delete, TargetKey = link.KeyB, SourceKey = sourceKey };
        try
        {
            await WithRetryAsync(context, "delete", ct => context.Writer.WriteAsync(request, ct)).ConfigureAwait(false);
        }
        catch (RecordNotFoundException)
        {
            // Already gone: the effect is the same.
        }

        await _stores.IdMap.RemoveAsync(
            context.TenantId, flow.SourceKind, flow.SourceConnection, sourceKey, flow.TargetConnection, context.CancellationToken).ConfigureAwait(false);
        Count(context, sourceKey, RecordOutcomeKind.Updated, link.KeyB);
    }

    private async Task JournalTargetRefusalAsync(RunContext context, Prepared item, ConnectorException ex)
    {
        var flow = context.Flow;
        var message = ex is RecordValidationException { Field: { } field } validation
            ? RecordMessage.Format(flow.SourceKind, item.SourceKey, field, validation.Problem ?? ex.Message)
            : RecordMessage.Format(flow.SourceKind, item.SourceKey, string.Empty, $"'{flow.TargetConnection}' refused the write: {ex.Message}");
        await JournalAsync(
            context, item.SourceKey, JournalCategory.Target, JournalEntryStatus.Open, message,
            (ex as RecordValidationException)?.Field, CanonicalJson.Serialize(item.Source), payloadIsRaw: false,
            vendorAnswer: ex.VendorAnswer).ConfigureAwait(false);
        Count(context, item.SourceKey, RecordOutcomeKind.Failed, null);
    }

    private async Task JournalAsync(
        RunContext context,
        string sourceKey,
        JournalCategory category,
        JournalEntryStatus status,
        string message,
        string? field,
        string? payload,
        bool payloadIsRaw,
        string? vendorAnswer = null,
        EntityKind? dependsOnKind = null,
        string? dependsOnKey = null,
        string? intentId = null)
    {
        if (context.DryRun)
        {
            context.Preview.Add(new PreviewRecord { SourceKey = sourceKey, Action = PreviewAction.Journal, Message = message });
            return;
        }

        var now = _time.GetUtcNow();
        await _stores.Journal.SaveEntryAsync(
            new JournalEntry
            {
                TenantId = context.TenantId,
                FlowId = context.Flow.Id,
                RunId = context.RunId,
                Kind = context.Flow.SourceKind,
                SourceKey = sourceKey,
                Category = category,
                Status = status,
                Message = message,
                Field = field,
                PayloadJson = payload,
                PayloadIsRaw = payloadIsRaw,
                VendorAnswer = vendorAnswer,
                DependsOnKind = dependsOnKind,
                DependsOnKey = dependsOnKey,
                IntentId = intentId,
                Attempts = 1,
                CreatedAt = now,
                UpdatedAt = now,
            },
            context.CancellationToken).ConfigureAwait(false);
        if (status is JournalEntryStatus.Open or JournalEntryStatus.WaitingForDependency)
        {
            context.OpenEntryKeys.Add(sourceKey);
        }

        Log.RecordJournaled(_logger, context.Flow.Id, sourceKey, message);
    }

    private async Task ResolveOpenEntriesAsync(RunContext context, string sourceKey)
    {
        if (context.DryRun || !context.OpenEntryKeys.Remove(sourceKey))
        {
            return;
        }

        var entries = await _stores.Journal.QueryEntriesAsync(
            new JournalQuery
            {
                TenantId = context.TenantId,
                FlowId = context.Flow.Id,
                SourceKey = sourceKey,
                Statuses = [JournalEntryStatus.Open, JournalEntryStatus.WaitingForDependency],
            },
            context.CancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            await _stores.Journal.SaveEntryAsync(
                entry with { Status = JournalEntryStatus.Resolved, RunId = context.RunId, UpdatedAt = _time.GetUtcNow() },
                context.CancellationToken).ConfigureAwait(false);
        }
    }

    private void Count(RunContext context, string sourceKey, RecordOutcomeKind outcome, string? targetKey)
    {
        switch (outcome)
        {
            case RecordOutcomeKind.Created: context.Created++; break;
            case RecordOutcomeKind.Updated: context.Updated++; break;
            case RecordOutcomeKind.Unchanged: context.Unchanged++; break;
            case RecordOutcomeKind.Skipped: context.Skipped++; break;
            case RecordOutcomeKind.Waiting: context.Waiting++; break;
            case RecordOutcomeKind.Failed: context.Failed++; break;
            case RecordOutcomeKind.Submitted: context.Submitted++; break;
        }

        if (context.DryRun)
        {
            return;
        }

        context.Outcomes.Add(new RecordOutcome
        {
            TenantId = context.TenantId,
            RunId = context.RunId,
            FlowId = context.Flow.Id,
            SourceKey = sourceKey,
            Outcome = outcome,
            TargetKey = targetKey,
            At = _time.GetUtcNow(),
        });
        var tags = new TagList { { "connectors.flow", context.Flow.Id }, { "connectors.outcome", outcome.ToString() } };
        if (_options.TenantInMetrics)
        {
            tags.Add("connectors.tenant", context.TenantId);
        }

        ConnectorsTelemetry.Records.Add(1, tags);
    }
}
