namespace Connectors.Abstractions;

/// <summary>How a run was started.</summary>
public enum RunKind
{
    /// <summary>By the scheduler.</summary>
    Scheduled,

    /// <summary>By a person or the application.</summary>
    Manual,

    /// <summary>A backfill over a time window; never moves the normal checkpoint.</summary>
    Backfill,

    /// <summary>A replay of journal entries.</summary>
    Replay,
}

/// <summary>How a run ended.</summary>
public enum RunStatus
{
    /// <summary>Still running (or the process died while it ran).</summary>
    Running,

    /// <summary>Every record was synced.</summary>
    Succeeded,

    /// <summary>The run finished; some records are in the journal.</summary>
    CompletedWithErrors,

    /// <summary>The run stopped on an error that is not about one record (the vendor is down); it resumes next time.</summary>
    Failed,

    /// <summary>The run was cancelled.</summary>
    Cancelled,

    /// <summary>A long rate budget (daily) is spent: the run stopped cleanly until <see cref="RunRecord.PausedUntil"/>.</summary>
    Paused,

    /// <summary>Another worker holds the flow's lease; this run did nothing.</summary>
    Skipped,
}

/// <summary>Counts of what a run did with the records it saw.</summary>
public sealed record RunCounts
{
    /// <summary>Gets the number of records read from the source.</summary>
    public int Read { get; init; }

    /// <summary>Gets the number of records created in the target.</summary>
    public int Created { get; init; }

    /// <summary>Gets the number of records updated in the target.</summary>
    public int Updated { get; init; }

    /// <summary>Gets the number of records unchanged since the last sync (skipped by hash).</summary>
    public int Unchanged { get; init; }

    /// <summary>Gets the number of records skipped by rule (deletes not propagated, blocked by an unsettled intent).</summary>
    public int Skipped { get; init; }

    /// <summary>Gets the number of records waiting for a dependency.</summary>
    public int Waiting { get; init; }

    /// <summary>Gets the number of records that went to the journal as errors.</summary>
    public int Failed { get; init; }

    /// <summary>Gets the number of pending intents settled.</summary>
    public int Settled { get; init; }

    /// <summary>Gets the number of writes submitted as asynchronous jobs.</summary>
    public int Submitted { get; init; }

    /// <summary>Adds two counts.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>The sum.</returns>
    public static RunCounts operator +(RunCounts left, RunCounts right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new RunCounts
        {
            Read = left.Read + right.Read,
            Created = left.Created + right.Created,
            Updated = left.Updated + right.Updated,
            Unchanged = left.Unchanged + right.Unchanged,
            Skipped = left.Skipped + right.Skipped,
            Waiting = left.Waiting + right.Waiting,
            Failed = left.Failed + right.Failed,
            Settled = left.Settled + right.Settled,
            Submitted = left.Submitted + right.Submitted,
        };
    }

    /// <summary>Adds two counts.</summary>
    /// <param name="other">The other counts.</param>
    /// <returns>The sum.</returns>
    public RunCounts Add(RunCounts other) => this + other;
}

/// <summary>A run of a flow, as the journal keeps it.</summary>
public sealed record RunRecord
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the flow.</summary>
    public required string FlowId { get; init; }

    /// <summary>Gets how the run was started.</summary>
    public RunKind Kind { get; init; }

    /// <summary>Gets how the run ended.</summary>
    public RunStatus Status { get; init; }

    /// <summary>Gets what the run did.</summary>
    public RunCounts Counts { get; init; } = new();

    /// <summary>Gets when the run started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets when the run ended.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Gets until when the run is paused, for <see cref="RunStatus.Paused"/>.</summary>
    public DateTimeOffset? PausedUntil { get; init; }

    /// <summary>Gets the error that stopped the run, for <see cref="RunStatus.Failed"/>.</summary>
    public string? Error { get; init; }
}

/// <summary>What happened to one record in a run.</summary>
public enum RecordOutcomeKind
{
    /// <summary>Created in the target.</summary>
    Created,

    /// <summary>Updated in the target.</summary>
    Updated,

    /// <summary>Unchanged since the last sync.</summary>
    Unchanged,

    /// <summary>Skipped by rule.</summary>
    Skipped,

    /// <summary>Waiting for a dependency.</summary>
    Waiting,

    /// <summary>Went to the journal as an error.</summary>
    Failed,

    /// <summary>Submitted as an asynchronous job.</summary>
    Submitted,
}

/// <summary>What happened to one record in a run.</summary>
public sealed record RecordOutcome
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the run.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the flow.</summary>
    public required string FlowId { get; init; }

    /// <summary>Gets the source record's key.</summary>
    public required string SourceKey { get; init; }

    /// <summary>Gets what happened.</summary>
    public RecordOutcomeKind Outcome { get; init; }

    /// <summary>Gets the target key, when there is one.</summary>
    public string? TargetKey { get; init; }

    /// <summary>Gets when it happened.</summary>
    public DateTimeOffset At { get; init; }
}

/// <summary>The life of a journal entry.</summary>
public enum JournalEntryStatus
{
    /// <summary>Needs a person: correct and replay, or ignore.</summary>
    Open,

    /// <summary>Replayed successfully, or superseded by a later successful sync.</summary>
    Resolved,

    /// <summary>A person chose to ignore it.</summary>
    Ignored,

    /// <summary>Waits for a referenced record to be mapped; retried automatically.</summary>
    WaitingForDependency,

    /// <summary>An intent that cannot be settled automatically; a person must check the target.</summary>
    NeedsVerification,
}

/// <summary>Why a record is in the journal.</summary>
public enum JournalCategory
{
    /// <summary>The source record could not be read or mapped.</summary>
    Mapping,

    /// <summary>The record failed validation.</summary>
    Validation,

    /// <summary>The target refused the write.</summary>
    Target,

    /// <summary>A referenced record is not mapped yet.</summary>
    Dependency,

    /// <summary>An unsettled intent needs a person.</summary>
    Verification,

    /// <summary>More than one candidate, or a conflict a policy left to a person.</summary>
    Conflict,
}

/// <summary>
/// A record the engine could not sync, kept with its canonical payload, the vendor's answer and a message in the one
/// fixed format, so a person can correct it and replay it.
/// </summary>
public sealed record JournalEntry
{
    /// <summary>Gets the entry's id, assigned by the store on first save.</summary>
    public string EntryId { get; init; } = string.Empty;

    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the flow.</summary>
    public required string FlowId { get; init; }

    /// <summary>Gets the run that last touched the entry.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the source entity kind.</summary>
    public required EntityKind Kind { get; init; }

    /// <summary>Gets the source record's key.</summary>
    public required string SourceKey { get; init; }

    /// <summary>Gets why the record is here.</summary>
    public JournalCategory Category { get; init; }

    /// <summary>Gets the status.</summary>
    public JournalEntryStatus Status { get; init; }

    /// <summary>Gets the message, in the fixed format <c>Order 'sales/1042' field 'lines[2].unitPrice': "abc" is not a decimal</c>.</summary>
    public required string Message { get; init; }

    /// <summary>Gets the canonical path of the offending field, when one is at fault.</summary>
    public string? Field { get; init; }

    /// <summary>Gets the source record in canonical JSON (editable), or the raw vendor payload when it could not be read.</summary>
    public string? PayloadJson { get; init; }

    /// <summary>Gets whether <see cref="PayloadJson"/> holds the raw vendor payload rather than canonical JSON.</summary>
    public bool PayloadIsRaw { get; init; }

    /// <summary>Gets the vendor's answer, when the target refused.</summary>
    public string? VendorAnswer { get; init; }

    /// <summary>Gets the kind of the record waited for, for <see cref="JournalEntryStatus.WaitingForDependency"/>.</summary>
    public EntityKind? DependsOnKind { get; init; }

    /// <summary>Gets the key of the record waited for.</summary>
    public string? DependsOnKey { get; init; }

    /// <summary>Gets the intent concerned, for verification entries.</summary>
    public string? IntentId { get; init; }

    /// <summary>Gets how many times the record was attempted.</summary>
    public int Attempts { get; init; }

    /// <summary>Gets when the entry was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the entry last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A filter over journal entries.</summary>
public sealed record JournalQuery
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the flow, or <see langword="null"/> for every flow.</summary>
    public string? FlowId { get; init; }

    /// <summary>Gets the statuses wanted, or <see langword="null"/> for all.</summary>
    public IReadOnlyCollection<JournalEntryStatus>? Statuses { get; init; }

    /// <summary>Gets the source key, or <see langword="null"/> for all.</summary>
    public string? SourceKey { get; init; }

    /// <summary>Gets the most entries to return.</summary>
    /// <value>The default value is 1000.</value>
    public int MaxCount { get; init; } = 1000;
}

/// <summary>
/// The journal: runs with their counts, per-record outcomes, and errors to correct and replay. Holds personal data, so
/// it supports retention and per-tenant purge.
/// </summary>
public interface IJournalStore
{
    /// <summary>Records the start of a run.</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>A task that completes when stored.</returns>
    Task StartRunAsync(RunRecord run, CancellationToken cancellationToken = default);

    /// <summary>Replaces a run's record (counts, status, end).</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>A task that completes when stored.</returns>
    Task UpdateRunAsync(RunRecord run, CancellationToken cancellationToken = default);

    /// <summary>Gets a run.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The run, or <see langword="null"/>.</returns>
    Task<RunRecord?> GetRunAsync(string tenantId, string runId, CancellationToken cancellationToken = default);

    /// <summary>Lists runs, newest first.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="flowId">The flow, or <see langword="null"/> for all.</param>
    /// <param name="maxCount">The most to return.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The runs.</returns>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(
        string tenantId, string? flowId, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Records per-record outcomes (a page at a time).</summary>
    /// <param name="outcomes">The outcomes.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>A task that completes when stored.</returns>
    Task AddOutcomesAsync(IReadOnlyList<RecordOutcome> outcomes, CancellationToken cancellationToken = default);

    /// <summary>Lists a run's per-record outcomes in the order recorded.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The outcomes.</returns>
    Task<IReadOnlyList<RecordOutcome>> ListOutcomesAsync(
        string tenantId, string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves an entry. An entry with an empty <see cref="JournalEntry.EntryId"/> for a (tenant, flow, source key) that has
    /// an entry not yet resolved or ignored replaces that entry (keeping its id and creation time); otherwise it is
    /// added with a new id. An entry with an id replaces the stored entry of that id.
    /// </summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The entry as stored, with its id.</returns>
    Task<JournalEntry> SaveEntryAsync(JournalEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Gets an entry.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="entryId">The entry's id.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    Task<JournalEntry?> GetEntryAsync(string tenantId, string entryId, CancellationToken cancellationToken = default);

    /// <summary>Lists entries matching a query, oldest first.</summary>
    /// <param name="query">The query.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<JournalEntry>> QueryEntriesAsync(JournalQuery query, CancellationToken cancellationToken = default);

    /// <summary>Removes runs, outcomes, and resolved or ignored entries that ended before a time.</summary>
    /// <param name="olderThan">The cut-off.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The number of rows removed.</returns>
    Task<long> ApplyRetentionAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default);

    /// <summary>Removes everything the journal holds for a tenant.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The number of rows removed.</returns>
    Task<long> PurgeTenantAsync(string tenantId, CancellationToken cancellationToken = default);
}
