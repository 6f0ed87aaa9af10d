using Connectors.Abstractions;

namespace Connectors.Core;

public sealed partial class SyncEngine
{
    private enum Decision
    {
        Resend,
        Found,
        Conflict,
        NeedsVerification,
    }

    private async Task<RecordOutcomeKind> CreateAsync(RunContext context, Prepared item)
    {
        var flow = context.Flow;
        var now = _time.GetUtcNow();
        var intent = new Intent
        {
            TenantId = context.TenantId,
            IntentId = _options.NewId(),
            FlowId = flow.Id,
            RunId = context.RunId,
            Kind = flow.TargetKind,
            SourceKey = item.SourceKey,
            SourceHashes = item.SourceHashes,
            Token = _options.NewId(),
            Operation = WriteOperation.Create,
            State = IntentState.Pending,
            PayloadJson = CanonicalJson.Serialize(CanonicalRecords.WithExternalId(item.Target, null)),
            LeaseOwner = _options.WorkerId,
            LeaseUntil = now + _options.LeaseDuration,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await _stores.Intents.AddAsync(intent, context.CancellationToken).ConfigureAwait(false);
        _probe?.OnStep(SyncStep.AfterIntentWritten, context.Step(item.SourceKey));
        var outcome = await ExecuteIntentAsync(context, intent, fateUnknown: false, item.Source).ConfigureAwait(false);
        if (outcome is RecordOutcomeKind.Created or RecordOutcomeKind.Submitted)
        {
            Count(context, item.SourceKey, outcome, null);
        }

        return outcome;
    }

    /// <summary>
    /// Sends an intent's write — or, when its fate is unknown (a crash or a lost answer after sending), first decides by
    /// the target's settlement mode whether it happened — and records the answer.
    /// </summary>
    private async Task<RecordOutcomeKind> ExecuteIntentAsync(RunContext context, Intent intent, bool fateUnknown, ICanonicalRecord? source)
    {
        var flow = context.Flow;
        var payload = CanonicalJson.Deserialize(intent.PayloadJson ?? "{}", flow.TargetType);
        for (var attempt = 1; ; attempt++)
        {
            if (fateUnknown)
            {
                var (decision, found, reason) = await DecideAsync(context, intent).ConfigureAwait(false);
                switch (decision)
                {
                    case Decision.Found:
                        return await CommitAsync(context, intent, found!.RecordKey, found, null).ConfigureAwait(false);
                    case Decision.Conflict:
                        await ParkIntentAsync(context, intent, IntentState.Conflict, JournalCategory.Conflict, JournalEntryStatus.Open, reason, source).ConfigureAwait(false);
                        return RecordOutcomeKind.Failed;
                    case Decision.NeedsVerification:
                        await ParkIntentAsync(context, intent, IntentState.NeedsVerification, JournalCategory.Verification, JournalEntryStatus.NeedsVerification, reason, source).ConfigureAwait(false);
                        return RecordOutcomeKind.Failed;
                }
            }

            var request = new WriteRequest
            {
                Kind = flow.TargetKind,
                Operation = intent.Operation,
                TargetKey = intent.TargetKey,
                Record = payload,
                IdempotencyToken = intent.Token,
                SourceKey = intent.SourceKey,
            };
            WriteResult result;
            try
            {
                result = await context.Writer.WriteAsync(request, context.CancellationToken).ConfigureAwait(false);
            }
            catch (DuplicateRecordException duplicate) when (duplicate.ExistingKey is not null)
            {
                _probe?.OnStep(SyncStep.AfterTargetWrite, context.Step(intent.SourceKey));
                var existing = await ReadBackAsync(context, duplicate.ExistingKey).ConfigureAwait(false);
                return await CommitAsync(context, intent, duplicate.ExistingKey, existing, null).ConfigureAwait(false);
            }
            catch (ConnectorException ex) when (IsRetryable(ex, attempt))
            {
                // The write may or may not have reached the target: settle before sending it again.
                fateUnknown = true;
                await DelayBeforeRetryAsync(context, "create", ex, attempt).ConfigureAwait(false);
                continue;
            }
            catch (ConnectorException ex) when (!ex.IsTransient)
            {
                await UpdateIntentAsync(context, intent with { State = IntentState.Failed, LeaseOwner = null, LeaseUntil = null }).ConfigureAwait(false);
                if (source is not null)
                {
                    await JournalTargetRefusalAsync(
                        context,
                        new Prepared { SourceKey = intent.SourceKey, Source = source, SourceHashes = intent.SourceHashes ?? HashVector.Empty, Target = payload },
                        ex).ConfigureAwait(false);
                }
                else
                {
                    await JournalAsync(
                        context, intent.SourceKey, JournalCategory.Target, JournalEntryStatus.Open,
                        RecordMessage.Format(flow.SourceKind, intent.SourceKey, string.Empty, $"'{flow.TargetConnection}' refused the write: {ex.Message}"),
                        null, intent.PayloadJson, payloadIsRaw: false, vendorAnswer: ex.VendorAnswer).ConfigureAwait(false);
                    Count(context, intent.SourceKey, RecordOutcomeKind.Failed, null);
                }

                return RecordOutcomeKind.Failed;
            }

            _probe?.OnStep(SyncStep.AfterTargetWrite, context.Step(intent.SourceKey));
            if (result.Status == WriteStatus.Submitted)
            {
                await UpdateIntentAsync(context, intent with
                {
                    State = IntentState.Submitted,
                    JobId = result.JobId,
                    LeaseOwner = null,
                    LeaseUntil = null,
                    UpdatedAt = _time.GetUtcNow(),
                }).ConfigureAwait(false);
                return RecordOutcomeKind.Submitted;
            }

            if (result.TargetKey is null)
            {
                throw new ConnectorException($"The '{context.Target.VendorId}' connector applied a create of '{flow.TargetKind}' but returned no target key.")
                {
                    Connector = context.Target.VendorId,
                    Operation = "create",
                };
            }

            return await CommitAsync(context, intent, result.TargetKey, result.ReadBack, null).ConfigureAwait(false);
        }
    }

    private async Task<(Decision Decision, ICanonicalRecord? Found, string Reason)> DecideAsync(RunContext context, Intent intent)
    {
        var mode = context.TargetCapabilities.Settlement;
        var flow = context.Flow;
        var canProbe = context.TargetFinder is not null && context.TargetCapabilities.Supports(EntityOperations.FindByCorrelation);
        switch (mode)
        {
            case SettlementMode.IdempotencyKey:
            case SettlementMode.RejectsDuplicates:
                return (Decision.Resend, null, string.Empty);
            case SettlementMode.CorrelationField:
            case SettlementMode.AsyncJob when canProbe:
                if (!canProbe)
                {
                    return (Decision.NeedsVerification, null, $"the '{context.Target.VendorId}' connector declares a correlation field but offers no correlation look-up");
                }

                var matches = await WithRetryAsync(
                    context, "settle", ct => context.TargetFinder!.FindByCorrelationAsync(flow.TargetKind, intent.Token, ct)).ConfigureAwait(false);
                return matches.Count switch
                {
                    0 => (Decision.Resend, null, string.Empty),
                    1 => (Decision.Found, matches[0], string.Empty),
                    _ => (Decision.Conflict, null,
                        $"{matches.Count} records in '{flow.TargetConnection}' carry intent token '{intent.Token}': {string.Join(", ", matches.Select(m => $"'{m.RecordKey}'"))}; a person must choose"),
                };
            default:
                return (Decision.NeedsVerification, null,
                    $"a create in '{flow.TargetConnection}' may or may not have happened (intent '{intent.IntentId}', token '{intent.Token}') and the '{context.Target.VendorId}' connector offers no way to tell; check the target, then resolve this entry");
        }
    }

    private async Task<RecordOutcomeKind> CommitAsync(
        RunContext context, Intent intent, string targetKey, ICanonicalRecord? readBack, HashVector? knownHashes)
    {
        var flow = context.Flow;
        readBack ??= knownHashes is null ? await ReadBackAsync(context, targetKey).ConfigureAwait(false) : null;
        var targetHashes = knownHashes ?? (readBack is null ? HashVector.Empty : RecordHasher.Compute(readBack, flow.HashExclusions));
        var now = _time.GetUtcNow();
        var written = intent with { State = IntentState.Written, TargetKey = targetKey, TargetHashes = targetHashes, UpdatedAt = now };
        if (intent.State != IntentState.Written)
        {
            await UpdateIntentAsync(context, written).ConfigureAwait(false);
        }

        await _stores.IdMap.UpsertAsync(
            new IdMapEntry
            {
                TenantId = context.TenantId,
                Kind = flow.SourceKind,
                ConnectionA = flow.SourceConnection,
                KeyA = intent.SourceKey,
                HashesA = intent.SourceHashes,
                ConnectionB = flow.TargetConnection,
                KeyB = targetKey,
                HashesB = targetHashes,
                Lineage = new Lineage
                {
                    FlowId = flow.Id,
                    RunId = context.RunId,
                    SourceKey = intent.SourceKey,
                    ChangedGroups = [.. targetHashes.Groups.Keys],
                    At = now,
                },
                UpdatedAt = now,
            },
            context.CancellationToken).ConfigureAwait(false);
        _probe?.OnStep(SyncStep.AfterIdMapCommit, context.Step(intent.SourceKey));
        await UpdateIntentAsync(context, written with { State = IntentState.Committed, LeaseOwner = null, LeaseUntil = null, UpdatedAt = _time.GetUtcNow() }).ConfigureAwait(false);
        Log.IntentSettled(_logger, intent.IntentId, flow.Id, nameof(IntentState.Committed));
        return RecordOutcomeKind.Created;
    }

    private async Task ParkIntentAsync(
        RunContext context, Intent intent, IntentState state, JournalCategory category, JournalEntryStatus status, string reason,
        ICanonicalRecord? source)
    {
        var flow = context.Flow;
        await UpdateIntentAsync(context, intent with { State = state, LeaseOwner = null, LeaseUntil = null, UpdatedAt = _time.GetUtcNow() }).ConfigureAwait(false);
        Log.IntentNeedsVerification(_logger, intent.IntentId, flow.Id, reason);
        await JournalAsync(
            context, intent.SourceKey, category, status,
            RecordMessage.Format(flow.SourceKind, intent.SourceKey, string.Empty, reason), null,
            source is null ? intent.PayloadJson : CanonicalJson.Serialize(source), payloadIsRaw: false, intentId: intent.IntentId).ConfigureAwait(false);
        Count(context, intent.SourceKey, RecordOutcomeKind.Failed, null);
    }

    private async Task UpdateIntentAsync(RunContext context, Intent intent)
    {
        var updated = await _stores.Intents.TryUpdateAsync(intent, _options.WorkerId, _time.GetUtcNow(), context.CancellationToken).ConfigureAwait(false);
        if (!updated)
        {
            throw new LeaseLostException(
                $"Flow '{context.Flow.Id}' of tenant '{context.TenantId}': this worker lost the lease of intent '{intent.IntentId}'.");
        }
    }

    /// <summary>Settles every unsettled intent of the flow left by an earlier run (a crash, a lost answer, an async job).</summary>
    private async Task SettlePendingIntentsAsync(RunContext context)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var batch = await _stores.Intents.ListUnsettledAsync(
                context.TenantId, context.Flow.Id, 200, context.CancellationToken).ConfigureAwait(false);
            var fresh = batch.Where(i => seen.Add(i.IntentId)).ToList();
            if (fresh.Count == 0)
            {
                return;
            }

            foreach (var candidate in fresh)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var now = _time.GetUtcNow();
                var intent = await _stores.Intents.TryClaimAsync(
                    context.TenantId, candidate.IntentId, _options.WorkerId, now, now + _options.LeaseDuration, context.CancellationToken).ConfigureAwait(false);
                if (intent is null || !intent.IsUnsettled)
                {
                    continue;
                }

                intent = intent with { Attempts = intent.Attempts + 1 };
                var outcome = await SettleAsync(context, intent).ConfigureAwait(false);
                if (outcome is RecordOutcomeKind.Created)
                {
                    context.Settled++;
                    Count(context, intent.SourceKey, RecordOutcomeKind.Created, intent.TargetKey);
                    await ResolveOpenEntriesAsync(context, intent.SourceKey).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task<RecordOutcomeKind> SettleAsync(RunContext context, Intent intent)
    {
        switch (intent.State)
        {
            case IntentState.Written:
                return await CommitAsync(context, intent, intent.TargetKey!, null, intent.TargetHashes ?? HashVector.Empty).ConfigureAwait(false);
            case IntentState.Submitted when context.JobTracker is not null && intent.JobId is not null:
                var status = await WithRetryAsync(
                    context, "job-status", ct => context.JobTracker.GetJobStatusAsync(context.Flow.TargetKind, intent.JobId, ct)).ConfigureAwait(false);
                switch (status.State)
                {
                    case WriteJobState.Succeeded when status.TargetKey is not null:
                        return await CommitAsync(context, intent, status.TargetKey, status.ReadBack, null).ConfigureAwait(false);
                    case WriteJobState.Failed:
                        await UpdateIntentAsync(context, intent with { State = IntentState.Failed, LeaseOwner = null, LeaseUntil = null }).ConfigureAwait(false);
                        await JournalAsync(
                            context, intent.SourceKey, JournalCategory.Target, JournalEntryStatus.Open,
                            RecordMessage.Format(context.Flow.SourceKind, intent.SourceKey, string.Empty, $"import job '{intent.JobId}' failed: {status.Error}"),
                            null, intent.PayloadJson, payloadIsRaw: false, vendorAnswer: status.Error).ConfigureAwait(false);
                        Count(context, intent.SourceKey, RecordOutcomeKind.Failed, null);
                        return RecordOutcomeKind.Failed;
                    default:
                        await UpdateIntentAsync(context, intent with { LeaseOwner = null, LeaseUntil = null }).ConfigureAwait(false);
                        return RecordOutcomeKind.Submitted;
                }

            case IntentState.Submitted:
                await ParkIntentAsync(
                    context, intent, IntentState.NeedsVerification, JournalCategory.Verification, JournalEntryStatus.NeedsVerification,
                    $"import job '{intent.JobId}' cannot be polled: the '{context.Target.VendorId}' connector offers no job tracker", null).ConfigureAwait(false);
                return RecordOutcomeKind.Failed;
            default:
                return await ExecuteIntentAsync(context, intent, fateUnknown: true, null).ConfigureAwait(false);
        }
    }
}
