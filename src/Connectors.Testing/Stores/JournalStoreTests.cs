using System.Diagnostics.CodeAnalysis;
using Connectors.Abstractions;
using Xunit;

namespace Connectors.Testing;

/// <summary>Conformance tests every <see cref="IJournalStore"/> passes.</summary>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names follow Method_Scenario_Expected.")]
public abstract class JournalStoreTests : StoreTestsBase<IJournalStore>
{
    /// <summary>Every field of a run comes back as recorded.</summary>
    [Fact]
    public async Task StartRunAsync_ThenGetRunAsync_ReturnsRunAsRecorded()
    {
        var store = await CreateStoreAsync();
        var run = NewRun("r1") with
        {
            Kind = RunKind.Backfill,
            Counts = new RunCounts { Read = 9, Created = 1, Updated = 2, Unchanged = 3, Skipped = 4, Waiting = 5, Failed = 6, Settled = 7, Submitted = 8 },
            PausedUntil = T0.AddDays(1),
            Error = "boom",
            EndedAt = T0.AddMinutes(3),
            Status = RunStatus.Paused,
        };
        await store.StartRunAsync(run, Ct);

        Assert.Equal(run, await store.GetRunAsync("t1", "r1", Ct));
        Assert.Null(await store.GetRunAsync("t2", "r1", Ct));
        Assert.Null(await store.GetRunAsync("t1", "nope", Ct));
    }

    /// <summary>Updating a run replaces its counts, status and end.</summary>
    [Fact]
    public async Task UpdateRunAsync_ReplacesRun()
    {
        var store = await CreateStoreAsync();
        var run = NewRun("r1");
        await store.StartRunAsync(run, Ct);
        var ended = run with { Status = RunStatus.CompletedWithErrors, Counts = new RunCounts { Read = 10, Failed = 1 }, EndedAt = T0.AddMinutes(1) };

        await store.UpdateRunAsync(ended, Ct);

        Assert.Equal(ended, await store.GetRunAsync("t1", "r1", Ct));
    }

    /// <summary>Runs list newest first, per tenant, optionally per flow, up to the limit.</summary>
    [Fact]
    public async Task ListRunsAsync_NewestFirstFilteredAndLimited()
    {
        var store = await CreateStoreAsync();
        await store.StartRunAsync(NewRun("r1") with { StartedAt = T0 }, Ct);
        await store.StartRunAsync(NewRun("r3") with { StartedAt = T0.AddMinutes(2) }, Ct);
        await store.StartRunAsync(NewRun("r2") with { StartedAt = T0.AddMinutes(1) }, Ct);
        await store.StartRunAsync(NewRun("p1") with { FlowId = "products", StartedAt = T0.AddMinutes(3) }, Ct);
        await store.StartRunAsync(NewRun("x1") with { TenantId = "t2", StartedAt = T0.AddMinutes(9) }, Ct);

        Assert.Equal(["r3", "r2", "r1"], (await store.ListRunsAsync("t1", "orders", 10, Ct)).Select(r => r.RunId));
        Assert.Equal(["p1", "r3"], (await store.ListRunsAsync("t1", null, 2, Ct)).Select(r => r.RunId));
        Assert.Empty(await store.ListRunsAsync("t3", null, 10, Ct));
    }

    /// <summary>Outcomes added a page at a time list in the order recorded, per run and tenant.</summary>
    [Fact]
    public async Task AddOutcomesAsync_SeveralPages_ListInOrderRecorded()
    {
        var store = await CreateStoreAsync();
        await store.StartRunAsync(NewRun("r1"), Ct);
        await store.AddOutcomesAsync([Outcome("r1", "z", RecordOutcomeKind.Created, "e-z"), Outcome("r1", "a", RecordOutcomeKind.Failed, null)], Ct);
        await store.AddOutcomesAsync([Outcome("r1", "m", RecordOutcomeKind.Unchanged, "e-m")], Ct);
        await store.AddOutcomesAsync([Outcome("r2", "q", RecordOutcomeKind.Created, null)], Ct);
        await store.AddOutcomesAsync([Outcome("r1", "t2-only", RecordOutcomeKind.Created, null) with { TenantId = "t2" }], Ct);
        await store.AddOutcomesAsync([], Ct);

        var outcomes = await store.ListOutcomesAsync("t1", "r1", Ct);

        Assert.Equal(["z", "a", "m"], outcomes.Select(o => o.SourceKey));
        Assert.Equal(Outcome("r1", "z", RecordOutcomeKind.Created, "e-z"), outcomes[0]);
        Assert.Null(outcomes[1].TargetKey);
        Assert.Equal(RecordOutcomeKind.Failed, outcomes[1].Outcome);
        Assert.Empty(await store.ListOutcomesAsync("t1", "nope", Ct));
        Assert.Equal(["t2-only"], (await store.ListOutcomesAsync("t2", "r1", Ct)).Select(o => o.SourceKey));
    }

    /// <summary>A new entry gets an id; every field comes back as saved.</summary>
    [Fact]
    public async Task SaveEntryAsync_NewEntry_AssignsIdAndRoundTrips()
    {
        var store = await CreateStoreAsync();
        var entry = NewEntry("s1") with
        {
            RunId = "r1",
            Category = JournalCategory.Dependency,
            Status = JournalEntryStatus.WaitingForDependency,
            Field = "customer",
            PayloadJson = """{"number":"SO-1"}""",
            PayloadIsRaw = true,
            VendorAnswer = "422 nope",
            DependsOnKind = EntityKind.Customer,
            DependsOnKey = "c1",
            IntentId = "i1",
            Attempts = 2,
            UpdatedAt = T0.AddMinutes(1),
        };

        var saved = await store.SaveEntryAsync(entry, Ct);

        Assert.False(string.IsNullOrEmpty(saved.EntryId));
        Assert.Equal(entry with { EntryId = saved.EntryId }, saved);
        Assert.Equal(saved, await store.GetEntryAsync("t1", saved.EntryId, Ct));
        Assert.Null(await store.GetEntryAsync("t2", saved.EntryId, Ct));
    }

    /// <summary>An entry without an id for a record that has an entry not resolved or ignored replaces it, keeping its id and creation time.</summary>
    [Theory]
    [InlineData(JournalEntryStatus.Open)]
    [InlineData(JournalEntryStatus.WaitingForDependency)]
    [InlineData(JournalEntryStatus.NeedsVerification)]
    public async Task SaveEntryAsync_NoIdWhileUnresolvedEntryExists_ReplacesKeepingIdAndCreatedAt(JournalEntryStatus existingStatus)
    {
        var store = await CreateStoreAsync();
        var first = await store.SaveEntryAsync(NewEntry("s1") with { Status = existingStatus, Attempts = 1 }, Ct);

        var second = await store.SaveEntryAsync(
            NewEntry("s1") with { Message = "second", Attempts = 2, CreatedAt = T0.AddHours(1), UpdatedAt = T0.AddHours(1) }, Ct);

        Assert.Equal(first.EntryId, second.EntryId);
        Assert.Equal(T0, second.CreatedAt);
        Assert.Equal(T0.AddHours(1), second.UpdatedAt);
        var all = await store.QueryEntriesAsync(new JournalQuery { TenantId = "t1" }, Ct);
        var only = Assert.Single(all);
        Assert.Equal("second", only.Message);
        Assert.Equal(2, only.Attempts);
    }

    /// <summary>Once the record's entry is resolved or ignored, a new entry without an id is added beside it.</summary>
    [Theory]
    [InlineData(JournalEntryStatus.Resolved)]
    [InlineData(JournalEntryStatus.Ignored)]
    public async Task SaveEntryAsync_NoIdAfterEntryClosed_AddsNewEntry(JournalEntryStatus closedStatus)
    {
        var store = await CreateStoreAsync();
        var first = await store.SaveEntryAsync(NewEntry("s1"), Ct);
        await store.SaveEntryAsync(first with { Status = closedStatus }, Ct);

        var second = await store.SaveEntryAsync(NewEntry("s1") with { Message = "again" }, Ct);

        Assert.NotEqual(first.EntryId, second.EntryId);
        Assert.Equal(closedStatus, (await store.GetEntryAsync("t1", first.EntryId, Ct))!.Status);
        Assert.Equal(2, (await store.QueryEntriesAsync(new JournalQuery { TenantId = "t1" }, Ct)).Count);
    }

    /// <summary>Entries of another flow, source key or tenant are never replaced by an entry without an id.</summary>
    [Fact]
    public async Task SaveEntryAsync_NoIdOtherFlowKeyOrTenant_AddsNewEntries()
    {
        var store = await CreateStoreAsync();
        var ids = new HashSet<string>(StringComparer.Ordinal)
        {
            (await store.SaveEntryAsync(NewEntry("s1"), Ct)).EntryId,
            (await store.SaveEntryAsync(NewEntry("s2"), Ct)).EntryId,
            (await store.SaveEntryAsync(NewEntry("s1") with { FlowId = "products" }, Ct)).EntryId,
            (await store.SaveEntryAsync(NewEntry("s1") with { TenantId = "t2" }, Ct)).EntryId,
        };
        Assert.Equal(4, ids.Count);
    }

    /// <summary>An entry with an id replaces the stored entry of that id (a person resolving or editing it).</summary>
    [Fact]
    public async Task SaveEntryAsync_WithId_ReplacesThatEntry()
    {
        var store = await CreateStoreAsync();
        var saved = await store.SaveEntryAsync(NewEntry("s1"), Ct);
        var edited = saved with { Status = JournalEntryStatus.Resolved, PayloadJson = "{\"fixed\":true}", UpdatedAt = T0.AddDays(1) };

        var stored = await store.SaveEntryAsync(edited, Ct);

        Assert.Equal(edited, stored);
        Assert.Equal(edited, await store.GetEntryAsync("t1", saved.EntryId, Ct));
        Assert.Single(await store.QueryEntriesAsync(new JournalQuery { TenantId = "t1" }, Ct));
    }

    /// <summary>Queries filter by flow, statuses and source key, list oldest first and stop at the limit.</summary>
    [Fact]
    public async Task QueryEntriesAsync_Filters_ReturnOldestFirstUpToMax()
    {
        var store = await CreateStoreAsync();
        await store.SaveEntryAsync(NewEntry("c") with { CreatedAt = T0.AddMinutes(2) }, Ct);
        await store.SaveEntryAsync(NewEntry("a") with { CreatedAt = T0 }, Ct);
        await store.SaveEntryAsync(NewEntry("b") with { CreatedAt = T0.AddMinutes(1), Status = JournalEntryStatus.WaitingForDependency }, Ct);
        await store.SaveEntryAsync(NewEntry("p") with { FlowId = "products" }, Ct);
        await store.SaveEntryAsync(NewEntry("x") with { TenantId = "t2" }, Ct);

        static IEnumerable<string> Keys(IReadOnlyList<JournalEntry> entries) => entries.Select(e => e.SourceKey);
        Assert.Equal(["a", "b", "c"], Keys(await store.QueryEntriesAsync(new JournalQuery { TenantId = "t1", FlowId = "orders" }, Ct)));
        Assert.Equal(["a", "p", "b", "c"], Keys(await store.QueryEntriesAsync(new JournalQuery { TenantId = "t1" }, Ct)));
        Assert.Equal(["b"], Keys(await store.QueryEntriesAsync(new JournalQuery { TenantId = "t1", Statuses = [JournalEntryStatus.WaitingForDependency] }, Ct)));
        Assert.Equal(
            ["a", "b", "c"],
            Keys(await store.QueryEntriesAsync(new JournalQuery { TenantId = "t1", FlowId = "orders", Statuses = [JournalEntryStatus.Open, JournalEntryStatus.WaitingForDependency] }, Ct)));
        Assert.Empty(await store.QueryEntriesAsync(new JournalQuery { TenantId = "t1", Statuses = [] }, Ct));
        Assert.Equal(["c"], Keys(await store.QueryEntriesAsync(new JournalQuery { TenantId = "t1", SourceKey = "c" }, Ct)));
        Assert.Equal(["a", "p"], Keys(await store.QueryEntriesAsync(new JournalQuery { TenantId = "t1", MaxCount = 2 }, Ct)));
        Assert.Equal(["x"], Keys(await store.QueryEntriesAsync(new JournalQuery { TenantId = "t2" }, Ct)));
    }

    /// <summary>Retention removes old runs with their outcomes and old resolved or ignored entries; open entries and recent rows stay.</summary>
    [Fact]
    public async Task ApplyRetentionAsync_RemovesOnlyOldEndedRowsAndClosedEntries()
    {
        var store = await CreateStoreAsync();
        var cutoff = T0.AddDays(30);
        await store.StartRunAsync(NewRun("old") with { EndedAt = T0.AddMinutes(1), Status = RunStatus.Succeeded }, Ct);
        await store.AddOutcomesAsync([Outcome("old", "s1", RecordOutcomeKind.Created, "e1"), Outcome("old", "s2", RecordOutcomeKind.Created, "e2")], Ct);
        await store.StartRunAsync(NewRun("new") with { StartedAt = cutoff.AddMinutes(1), EndedAt = cutoff.AddMinutes(2) }, Ct);
        await store.AddOutcomesAsync([Outcome("new", "s3", RecordOutcomeKind.Created, "e3") with { At = cutoff.AddMinutes(1) }], Ct);
        var resolvedOld = await store.SaveEntryAsync(NewEntry("r") with { Status = JournalEntryStatus.Resolved }, Ct);
        var ignoredOld = await store.SaveEntryAsync(NewEntry("i") with { Status = JournalEntryStatus.Ignored }, Ct);
        var openOld = await store.SaveEntryAsync(NewEntry("o"), Ct);
        var waitingOld = await store.SaveEntryAsync(NewEntry("w") with { Status = JournalEntryStatus.WaitingForDependency }, Ct);
        var resolvedNew = await store.SaveEntryAsync(NewEntry("n") with { Status = JournalEntryStatus.Resolved, UpdatedAt = cutoff.AddSeconds(1) }, Ct);

        var removed = await store.ApplyRetentionAsync(cutoff, Ct);

        Assert.Equal(5, removed); // 1 run + 2 outcomes + 2 entries
        Assert.Null(await store.GetRunAsync("t1", "old", Ct));
        Assert.Empty(await store.ListOutcomesAsync("t1", "old", Ct));
        Assert.NotNull(await store.GetRunAsync("t1", "new", Ct));
        Assert.Single(await store.ListOutcomesAsync("t1", "new", Ct));
        Assert.Null(await store.GetEntryAsync("t1", resolvedOld.EntryId, Ct));
        Assert.Null(await store.GetEntryAsync("t1", ignoredOld.EntryId, Ct));
        Assert.NotNull(await store.GetEntryAsync("t1", openOld.EntryId, Ct));
        Assert.NotNull(await store.GetEntryAsync("t1", waitingOld.EntryId, Ct));
        Assert.NotNull(await store.GetEntryAsync("t1", resolvedNew.EntryId, Ct));
        Assert.Equal(0, await store.ApplyRetentionAsync(cutoff, Ct));
    }

    /// <summary>Purging a tenant removes its runs, outcomes and entries, only its own, and counts them.</summary>
    [Fact]
    public async Task PurgeTenantAsync_RemovesEverythingOfThatTenantOnly()
    {
        var store = await CreateStoreAsync();
        await store.StartRunAsync(NewRun("r1"), Ct);
        await store.AddOutcomesAsync([Outcome("r1", "s1", RecordOutcomeKind.Created, null)], Ct);
        await store.SaveEntryAsync(NewEntry("s1"), Ct);
        await store.StartRunAsync(NewRun("r1") with { TenantId = "t2" }, Ct);
        await store.SaveEntryAsync(NewEntry("s1") with { TenantId = "t2" }, Ct);

        Assert.Equal(3, await store.PurgeTenantAsync("t1", Ct));

        Assert.Null(await store.GetRunAsync("t1", "r1", Ct));
        Assert.Empty(await store.ListOutcomesAsync("t1", "r1", Ct));
        Assert.Empty(await store.QueryEntriesAsync(new JournalQuery { TenantId = "t1" }, Ct));
        Assert.NotNull(await store.GetRunAsync("t2", "r1", Ct));
        Assert.Single(await store.QueryEntriesAsync(new JournalQuery { TenantId = "t2" }, Ct));
    }

    /// <summary>Racing saves without an id for one record leave exactly one entry for it.</summary>
    [Fact]
    public async Task SaveEntryAsync_ParallelSavesSameRecord_LeaveOneEntry()
    {
        var store = await CreateStoreAsync();
        var saved = await RunInParallelAsync(12, i => store.SaveEntryAsync(NewEntry("s1") with { Attempts = i }, Ct));

        Assert.Single(saved.Select(e => e.EntryId).Distinct());
        Assert.Single(await store.QueryEntriesAsync(new JournalQuery { TenantId = "t1" }, Ct));
    }

    /// <summary>A durable store keeps runs, outcomes and entries across reopening.</summary>
    [Fact]
    public async Task Reopen_DurableStore_KeepsRunsOutcomesAndEntries()
    {
        var store = await CreateStoreAsync();
        var run = NewRun("r1") with { Counts = new RunCounts { Read = 3 } };
        await store.StartRunAsync(run, Ct);
        await store.AddOutcomesAsync([Outcome("r1", "s1", RecordOutcomeKind.Created, "e1")], Ct);
        var entry = await store.SaveEntryAsync(NewEntry("s1"), Ct);

        var reopened = await ReopenOrSkipAsync(store);

        Assert.Equal(run, await reopened.GetRunAsync("t1", "r1", Ct));
        Assert.Single(await reopened.ListOutcomesAsync("t1", "r1", Ct));
        Assert.Equal(entry, await reopened.GetEntryAsync("t1", entry.EntryId, Ct));
        Assert.Equal(entry.EntryId, (await reopened.SaveEntryAsync(NewEntry("s1"), Ct)).EntryId);
    }

    /// <summary>Creates a running run of tenant <c>t1</c>, flow <c>orders</c>.</summary>
    /// <param name="runId">The run's id.</param>
    /// <returns>The run.</returns>
    protected RunRecord NewRun(string runId)
        => new() { TenantId = "t1", RunId = runId, FlowId = "orders", Kind = RunKind.Scheduled, Status = RunStatus.Running, StartedAt = T0 };

    /// <summary>Creates an open mapping entry of tenant <c>t1</c>, flow <c>orders</c>, without an id.</summary>
    /// <param name="sourceKey">The source key.</param>
    /// <returns>The entry.</returns>
    protected JournalEntry NewEntry(string sourceKey)
        => new()
        {
            TenantId = "t1",
            FlowId = "orders",
            Kind = EntityKind.Order,
            SourceKey = sourceKey,
            Category = JournalCategory.Validation,
            Status = JournalEntryStatus.Open,
            Message = RecordMessage.Format(EntityKind.Order, sourceKey, "lines[2].unitPrice", "\"abc\" is not a decimal"),
            Field = "lines[2].unitPrice",
            CreatedAt = T0,
            UpdatedAt = T0,
        };

    private RecordOutcome Outcome(string runId, string sourceKey, RecordOutcomeKind kind, string? targetKey)
        => new() { TenantId = "t1", RunId = runId, FlowId = "orders", SourceKey = sourceKey, Outcome = kind, TargetKey = targetKey, At = T0 };
}
