using System.Diagnostics;
using Connectors.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Connectors.Core;

/// <summary>
/// The sync engine: runs flows for tenants with at-least-once delivery and idempotent effect. See
/// <c>docs/sync-engine.md</c> for the guarantees and what happens on a crash at any step.
/// </summary>
public sealed partial class SyncEngine
{
    private readonly FlowRegistry _flows;
    private readonly IConnectionResolver _connections;
    private readonly SyncStores _stores;
    private readonly TimeProvider _time;
    private readonly SyncEngineOptions _options;
    private readonly ILogger _logger;
    private readonly ISyncProbe? _probe;

    /// <summary>Creates an engine.</summary>
    /// <param name="flows">The flows it can run.</param>
    /// <param name="connections">Resolves tenants' connections.</param>
    /// <param name="stores">The stores.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="probe">An observer of the engine's steps (crash tests), or <see langword="null"/>.</param>
    public SyncEngine(
        FlowRegistry flows,
        IConnectionResolver connections,
        SyncStores stores,
        TimeProvider? timeProvider = null,
        SyncEngineOptions? options = null,
        ILogger<SyncEngine>? logger = null,
        ISyncProbe? probe = null)
    {
        ArgumentNullException.ThrowIfNull(flows);
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(stores);
        _flows = flows;
        _connections = connections;
        _stores = stores;
        _time = timeProvider ?? TimeProvider.System;
        _options = options ?? new SyncEngineOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _probe = probe;
        if (_options.LeaseDuration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"LeaseDuration must be positive; it is {_options.LeaseDuration}.", nameof(options));
        }

        if (_options.DefaultPageSize < 1)
        {
            throw new ArgumentException($"DefaultPageSize must be at least 1; it is {_options.DefaultPageSize}.", nameof(options));
        }
    }

    /// <summary>Gets the flows the engine can run.</summary>
    public FlowRegistry Flows => _flows;

    /// <summary>
    /// Runs a flow for a tenant: settles pending intents, retries records waiting for a dependency, then reads changes
    /// since the checkpoint and syncs them.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="flowId">The flow.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="cancellationToken">A token that cancels the run; a cancelled run resumes next time.</param>
    /// <returns>The result: counts, status, duration.</returns>
    /// <exception cref="KeyNotFoundException">The flow or a connection is unknown.</exception>
    /// <exception cref="NotSupportedException">A connector does not support what the flow needs.</exception>
    public Task<SyncRunResult> RunAsync(
        string tenantId, string flowId, SyncRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(flowId);
        options ??= new SyncRunOptions();
        if (options.Kind == RunKind.Backfill && (options.From is null || options.To is null))
        {
            throw new ArgumentException("A backfill needs both From and To; use BackfillAsync.", nameof(options));
        }

        return RunCoreAsync(tenantId, _flows.Get(flowId), options, cancellationToken);
    }

    /// <summary>
    /// Runs a flow over the changes of a time window [<paramref name="from"/>, <paramref name="to"/>). A backfill never
    /// moves the flow's normal checkpoint.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="flowId">The flow.</param>
    /// <param name="from">The inclusive start.</param>
    /// <param name="to">The exclusive end.</param>
    /// <param name="progress">A receiver of progress reports.</param>
    /// <param name="cancellationToken">A token that cancels the run.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not after <paramref name="from"/>.</exception>
    public Task<SyncRunResult> BackfillAsync(
        string tenantId, string flowId, DateTimeOffset from, DateTimeOffset to, IProgress<SyncProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (to <= from)
        {
            throw new ArgumentException($"The backfill window must end after it starts: from {from:O} to {to:O}.", nameof(to));
        }

        return RunAsync(
            tenantId,
            flowId,
            new SyncRunOptions { Kind = RunKind.Backfill, From = from, To = to, Progress = progress },
            cancellationToken);
    }

    /// <summary>
    /// Previews a run (dry run): reads the changes since the checkpoint, the ID map and the target's current records, and
    /// says per record and per field group what would be created or updated, old → new, and which rule or policy decided.
    /// Nothing is written to any connector or store — not even a lease, a run record or a checkpoint.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="flowId">The flow.</param>
    /// <param name="cancellationToken">A token that cancels the preview.</param>
    /// <returns>The preview.</returns>
    /// <exception cref="KeyNotFoundException">The flow or a connection is unknown.</exception>
    public async Task<SyncPreview> PreviewAsync(string tenantId, string flowId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(flowId);
        var flow = _flows.Get(flowId);
        var context = await CreateContextAsync(tenantId, flow, "preview", RunKind.Manual, cancellationToken, dryRun: true).ConfigureAwait(false);
        await ReadAndSyncAsync(context, new SyncRunOptions()).ConfigureAwait(false);
        return new SyncPreview { TenantId = tenantId, FlowId = flow.Id, Records = [.. context.Preview], Counts = context.Counts };
    }

    private async Task<SyncRunResult> RunCoreAsync(
        string tenantId, FlowDefinition flow, SyncRunOptions options, CancellationToken cancellationToken)
    {
        var runId = _options.NewId();
        var started = _time.GetUtcNow();
        var startedTimestamp = _time.GetTimestamp();
        using var activity = ConnectorsTelemetry.ActivitySource.StartActivity("connectors.sync.run");
        activity?.SetTag("connectors.flow", flow.Id);
        activity?.SetTag("connectors.run", runId);
        activity?.SetTag("connectors.run.kind", options.Kind.ToString());

        var lease = await _stores.Leases.TryAcquireAsync(
            tenantId, "flow:" + flow.Id, _options.WorkerId, started, _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            Log.RunSkippedLeased(_logger, flow.Id, tenantId);
            return new SyncRunResult { TenantId = tenantId, FlowId = flow.Id, RunId = runId, Status = RunStatus.Skipped };
        }

        RunContext context;
        try
        {
            context = await CreateContextAsync(tenantId, flow, runId, options.Kind, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _stores.Leases.ReleaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        context.Lease = lease;
        var run = new RunRecord
        {
            TenantId = tenantId,
            RunId = runId,
            FlowId = flow.Id,
            Kind = options.Kind,
            Status = RunStatus.Running,
            StartedAt = started,
        };
        await _stores.Journal.StartRunAsync(run, cancellationToken).ConfigureAwait(false);
        Log.RunStarted(_logger, runId, flow.Id, tenantId, options.Kind);

        RunStatus status;
        string? error = null;
        DateTimeOffset? pausedUntil = null;
        try
        {
            await LoadOpenEntryKeysAsync(context).ConfigureAwait(false);
            await SettlePendingIntentsAsync(context).ConfigureAwait(false);
            if (options.Kind != RunKind.Backfill)
            {
                await RetryWaitingAsync(context).ConfigureAwait(false);
            }

            await ReadAndSyncAsync(context, options).ConfigureAwait(false);
            status = context.Failed > 0 ? RunStatus.CompletedWithErrors : RunStatus.Succeeded;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            status = RunStatus.Cancelled;
        }
        catch (RateLimitException ex) when (ex.PausedUntil is not null)
        {
            status = RunStatus.Paused;
            pausedUntil = ex.PausedUntil;
            error = ex.Message;
            Log.RunPaused(_logger, runId, flow.Id, ex.PausedUntil.Value);
        }
        catch (ConnectorException ex)
        {
            status = RunStatus.Failed;
            error = ex.Message;
            Log.RunFailed(_logger, ex, runId, flow.Id, ex.Message);
        }
        catch (LeaseLostException ex)
        {
            status = RunStatus.Failed;
            error = ex.Message;
            Log.RunFailed(_logger, ex, runId, flow.Id, ex.Message);
        }

        // Anything else (a bug, or a crash injected by a test) propagates: like a process crash, it leaves the run
        // record "running" and the leases to expire, and the next run resumes from the stores.
        var ended = _time.GetUtcNow();
        var duration = _time.GetElapsedTime(startedTimestamp);
        run = run with { Status = status, Counts = context.Counts, EndedAt = ended, Error = error, PausedUntil = pausedUntil };
        await FlushOutcomesAsync(context).ConfigureAwait(false);
        await _stores.Journal.UpdateRunAsync(run, CancellationToken.None).ConfigureAwait(false);
        await _stores.Leases.ReleaseAsync(context.Lease ?? lease, CancellationToken.None).ConfigureAwait(false);

        var tags = RunTags(context, status);
        ConnectorsTelemetry.Runs.Add(1, tags);
        ConnectorsTelemetry.RunDuration.Record(duration.TotalSeconds, tags);
        activity?.SetTag("connectors.run.status", status.ToString());
        if (status == RunStatus.Failed)
        {
            activity?.SetStatus(ActivityStatusCode.Error, error);
        }

        Log.RunEnded(
            _logger, runId, flow.Id, status, context.Read, context.Created, context.Updated, context.Unchanged,
            context.Waiting, context.Failed);
        return new SyncRunResult
        {
            TenantId = tenantId,
            FlowId = flow.Id,
            RunId = runId,
            Status = status,
            Counts = context.Counts,
            Duration = duration,
            PausedUntil = pausedUntil,
            Error = error,
        };
    }

    private TagList RunTags(RunContext context, RunStatus status)
    {
        var tags = new TagList { { "connectors.flow", context.Flow.Id }, { "connectors.run.status", status.ToString() } };
        if (_options.TenantInMetrics)
        {
            tags.Add("connectors.tenant", context.TenantId);
        }

        return tags;
    }

    internal async Task<RunContext> CreateContextAsync(
        string tenantId, FlowDefinition flow, string runId, RunKind kind, CancellationToken cancellationToken, bool dryRun = false)
    {
        var source = await _connections.ResolveAsync(new ConnectionId(tenantId, flow.SourceConnection), cancellationToken).ConfigureAwait(false);
        var target = await _connections.ResolveAsync(new ConnectionId(tenantId, flow.TargetConnection), cancellationToken).ConfigureAwait(false);
        var sourceCaps = source.Capabilities.Require(flow.SourceKind, source.VendorId);
        var targetCaps = target.Capabilities.Require(flow.TargetKind, target.VendorId);
        if (!sourceCaps.Supports(EntityOperations.ReadChanges))
        {
            throw new NotSupportedException(
                $"Flow '{flow.Id}': the '{source.VendorId}' connector cannot read changes of '{flow.SourceKind}'.");
        }

        if (!targetCaps.Supports(EntityOperations.Create) && !targetCaps.Supports(EntityOperations.Update) && !targetCaps.Supports(EntityOperations.Set))
        {
            throw new NotSupportedException(
                $"Flow '{flow.Id}': the '{target.VendorId}' connector cannot write '{flow.TargetKind}'.");
        }

        var tables = TranslationTables.Empty;
        if (flow.Tables.Count > 0)
        {
            var store = _stores.TranslationTables ?? throw new InvalidOperationException(
                $"Flow '{flow.Id}' uses translation tables ({string.Join(", ", flow.Tables)}) but no ITranslationTableStore is configured in SyncStores.");
            tables = await TranslationTables.LoadAsync(store, tenantId, flow.Tables, cancellationToken).ConfigureAwait(false);
        }

        if ((flow.ReadsTargetBeforeUpdate || dryRun) && (target.GetService<IRecordReader>() is null || !targetCaps.Supports(EntityOperations.ReadByKey)))
        {
            throw new NotSupportedException(
                $"Flow '{flow.Id}' needs the target's current records (conflict policies or a preview), but the '{target.VendorId}' connector cannot read '{flow.TargetKind}' by key.");
        }

        return new RunContext
        {
            DryRun = dryRun,
            Tables = tables,
            TenantId = tenantId,
            Flow = flow,
            RunId = runId,
            Kind = kind,
            Source = source,
            SourceCapabilities = sourceCaps,
            Target = target,
            TargetCapabilities = targetCaps,
            Writer = target.GetRequiredService<IRecordWriter>(),
            TargetReader = target.GetService<IRecordReader>(),
            TargetFinder = target.GetService<IRecordFinder>(),
            JobTracker = target.GetService<IWriteJobTracker>(),
            CancellationToken = cancellationToken,
        };
    }

    private async Task ReadAndSyncAsync(RunContext context, SyncRunOptions options)
    {
        var flow = context.Flow;
        var reader = context.Source.GetRequiredService<IChangeReader>();
        var backfill = options.Kind == RunKind.Backfill;
        var lag = context.SourceCapabilities.SettleLag;
        var checkpoint = backfill
            ? null
            : await _stores.Checkpoints.GetAsync(context.TenantId, flow.Id, context.CancellationToken).ConfigureAwait(false);
        DateTimeOffset? since = backfill ? options.From : checkpoint?.Cursor is { } cursor ? cursor - lag : null;
        var cursorToken = backfill ? null : checkpoint?.CursorToken;
        var maxSeen = checkpoint?.Cursor;
        var pageSize = Math.Min(flow.PageSize ?? _options.DefaultPageSize, context.SourceCapabilities.MaxPageSize);
        string? continuation = null;
        do
        {
            var query = new ChangeQuery
            {
                Kind = flow.SourceKind,
                Since = since,
                Until = backfill ? options.To : null,
                CursorToken = cursorToken,
                ContinuationToken = continuation,
                PageSizeHint = pageSize,
            };
            var page = await WithRetryAsync(context, "read", ct => reader.ReadChangesAsync(query, ct)).ConfigureAwait(false);
            _probe?.OnStep(SyncStep.AfterRead, context.Step(null));
            context.Read += page.Records.Count;
            await ProcessRecordsAsync(context, page.Records, midPageProbe: true).ConfigureAwait(false);
            foreach (var record in page.Records)
            {
                if (record.ModifiedAt is { } modified && (maxSeen is null || modified > maxSeen))
                {
                    maxSeen = modified;
                }
            }

            await FlushOutcomesAsync(context).ConfigureAwait(false);
            _probe?.OnStep(SyncStep.BeforeCheckpoint, context.Step(null));
            var now = _time.GetUtcNow();
            cursorToken = page.CursorToken ?? cursorToken;
            if (!backfill && !context.DryRun)
            {
                DateTimeOffset? newCursor = maxSeen is { } seen ? Min(seen, now - lag) : null;
                if (checkpoint?.Cursor is { } old && (newCursor is null || newCursor < old))
                {
                    newCursor = old;
                }

                await _stores.Checkpoints.SetAsync(
                    context.TenantId,
                    flow.Id,
                    new Checkpoint { Cursor = newCursor, CursorToken = cursorToken, UpdatedAt = now },
                    context.CancellationToken).ConfigureAwait(false);
            }

            context.Pages++;
            await RenewLeaseAsync(context).ConfigureAwait(false);
            options.Progress?.Report(new SyncProgress { FlowId = flow.Id, RunId = context.RunId, Pages = context.Pages, Counts = context.Counts });
            continuation = page.ContinuationToken;
        }
        while (continuation is not null);
    }

    private async Task RenewLeaseAsync(RunContext context)
    {
        if (context.Lease is null)
        {
            return;
        }

        var renewed = await _stores.Leases.RenewAsync(
            context.Lease, _time.GetUtcNow(), _options.LeaseDuration, context.CancellationToken).ConfigureAwait(false);
        context.Lease = renewed ?? throw new LeaseLostException(
            $"Flow '{context.Flow.Id}' of tenant '{context.TenantId}': this worker lost the flow's lease; another worker carries on.");
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private async Task FlushOutcomesAsync(RunContext context)
    {
        if (context.Outcomes.Count == 0 || context.DryRun)
        {
            return;
        }

        var batch = context.Outcomes.ToArray();
        context.Outcomes.Clear();
        await _stores.Journal.AddOutcomesAsync(batch, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<T> WithRetryAsync<T>(RunContext context, string operation, Func<CancellationToken, Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(context.CancellationToken).ConfigureAwait(false);
            }
            catch (ConnectorException ex) when (IsRetryable(ex, attempt))
            {
                await DelayBeforeRetryAsync(context, operation, ex, attempt).ConfigureAwait(false);
            }
        }
    }

    private bool IsRetryable(ConnectorException ex, int attempt)
        => ex.IsTransient && attempt <= _options.TransientRetries && ex is not RateLimitException { PausedUntil: not null };

    private async Task DelayBeforeRetryAsync(RunContext context, string operation, ConnectorException ex, int attempt)
    {
        var delay = _options.RetryBaseDelay * Math.Pow(2, attempt - 1);
        if (ex.RetryAfter is { } retryAfter && retryAfter > delay)
        {
            delay = retryAfter;
        }

        Log.TransientRetry(_logger, ex, context.Flow.Id, operation, attempt, delay);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time, context.CancellationToken).ConfigureAwait(false);
        }
    }
}
