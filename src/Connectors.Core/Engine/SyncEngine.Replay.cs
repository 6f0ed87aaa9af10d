using Connectors.Abstractions;

namespace Connectors.Core;

public sealed partial class SyncEngine
{
    /// <summary>Runs records taken from the journal through mapping and the idempotent write path, as a replay run.</summary>
    internal Task<SyncRunResult> ReplayRecordsAsync(
        string tenantId, FlowDefinition flow, IReadOnlyList<ChangedRecord> records, CancellationToken cancellationToken)
        => RunExclusiveAsync(tenantId, flow, RunKind.Replay, context => ProcessRecordsAsync(context, records, midPageProbe: false), cancellationToken);

    /// <summary>Settles an intent a person has verified: linked to the record they found, or created anew when they found none.</summary>
    internal Task<SyncRunResult> ResolveVerificationAsync(
        string tenantId, FlowDefinition flow, string intentId, string? existingTargetKey, CancellationToken cancellationToken)
        => RunExclusiveAsync(
            tenantId,
            flow,
            RunKind.Replay,
            async context =>
            {
                var now = _time.GetUtcNow();
                var intent = await _stores.Intents.TryClaimAsync(
                    tenantId, intentId, _options.WorkerId, now, now + _options.LeaseDuration, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Intent '{intentId}' does not exist or another worker holds it.");
                if (intent.State is not (IntentState.NeedsVerification or IntentState.Conflict))
                {
                    throw new InvalidOperationException($"Intent '{intentId}' is {intent.State}, not awaiting verification.");
                }

                if (existingTargetKey is not null)
                {
                    var existing = await ReadBackAsync(context, existingTargetKey).ConfigureAwait(false);
                    await CommitAsync(context, intent, existingTargetKey, existing, existing is null ? HashVector.Empty : null).ConfigureAwait(false);
                    context.Settled++;
                    Count(context, intent.SourceKey, RecordOutcomeKind.Updated, existingTargetKey);
                    return;
                }

                await UpdateIntentAsync(context, intent with { State = IntentState.Abandoned, LeaseOwner = null, LeaseUntil = null, UpdatedAt = now }).ConfigureAwait(false);
                var payload = CanonicalJson.Deserialize(intent.PayloadJson ?? "{}", flow.TargetType);
                await CreateAsync(
                    context,
                    new Prepared { SourceKey = intent.SourceKey, Source = payload, SourceHashes = intent.SourceHashes ?? HashVector.Empty, Target = payload }).ConfigureAwait(false);
            },
            cancellationToken);

    private async Task<SyncRunResult> RunExclusiveAsync(
        string tenantId, FlowDefinition flow, RunKind kind, Func<RunContext, Task> body, CancellationToken cancellationToken)
    {
        var runId = _options.NewId();
        var started = _time.GetUtcNow();
        var startedTimestamp = _time.GetTimestamp();
        var lease = await _stores.Leases.TryAcquireAsync(
            tenantId, "flow:" + flow.Id, _options.WorkerId, started, _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            Log.RunSkippedLeased(_logger, flow.Id, tenantId);
            return new SyncRunResult { TenantId = tenantId, FlowId = flow.Id, RunId = runId, Status = RunStatus.Skipped };
        }

        try
        {
            var context = await CreateContextAsync(tenantId, flow, runId, kind, cancellationToken).ConfigureAwait(false);
            context.Lease = lease;
            var run = new RunRecord { TenantId = tenantId, RunId = runId, FlowId = flow.Id, Kind = kind, Status = RunStatus.Running, StartedAt = started };
            await _stores.Journal.StartRunAsync(run, cancellationToken).ConfigureAwait(false);
            await LoadOpenEntryKeysAsync(context).ConfigureAwait(false);
            RunStatus status;
            string? error = null;
            try
            {
                await body(context).ConfigureAwait(false);
                status = context.Failed > 0 ? RunStatus.CompletedWithErrors : RunStatus.Succeeded;
            }
            catch (ConnectorException ex)
            {
                status = RunStatus.Failed;
                error = ex.Message;
                Log.RunFailed(_logger, ex, runId, flow.Id, ex.Message);
            }

            await FlushOutcomesAsync(context).ConfigureAwait(false);
            await _stores.Journal.UpdateRunAsync(
                run with { Status = status, Counts = context.Counts, EndedAt = _time.GetUtcNow(), Error = error },
                CancellationToken.None).ConfigureAwait(false);
            return new SyncRunResult
            {
                TenantId = tenantId,
                FlowId = flow.Id,
                RunId = runId,
                Status = status,
                Counts = context.Counts,
                Duration = _time.GetElapsedTime(startedTimestamp),
                Error = error,
            };
        }
        finally
        {
            await _stores.Leases.ReleaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
