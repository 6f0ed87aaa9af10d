using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Connectors.Abstractions;
using Connectors.Testing;

namespace Connectors.Core.Tests.Engine;

public sealed class ChaosTests
{
    /// <summary>
    /// Seeded runs mixing transient faults, 429s, crashes at every named step, and writes whose answer is lost after the
    /// target applied them. Scale with CONNECTORS_CHAOS_RUNS and CONNECTORS_CHAOS_RECORDS.
    /// </summary>
    [Fact]
    public async Task SeededChaos_FaultsCrashesAndLostAnswers_ConvergeToExactCopy()
    {
        var runs = Setting("CONNECTORS_CHAOS_RUNS", 200);
        var records = Setting("CONNECTORS_CHAOS_RECORDS", 40);
        var modes = new[] { SettlementMode.IdempotencyKey, SettlementMode.CorrelationField, SettlementMode.RejectsDuplicates };
        var crashes = Enum.GetValues<SyncStep>().ToDictionary(s => s, _ => 0);
        var faults = Enum.GetValues<FaultKind>().Where(f => f != FaultKind.MalformedRecord).ToDictionary(f => f, _ => 0);
        var writes = 0;
        for (var seed = 1; seed <= runs; seed++)
        {
            try
            {
                var (stepCrashes, faultCounts, applied) = await RunScenarioAsync(seed, records, modes[seed % modes.Length]);
                foreach (var (step, count) in stepCrashes)
                {
                    crashes[step] += count;
                }

                foreach (var (fault, count) in faultCounts)
                {
                    if (faults.ContainsKey(fault))
                    {
                        faults[fault] += count;
                    }
                }

                writes += applied;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new InvalidOperationException($"Chaos run with seed {seed} ({modes[seed % modes.Length]}) failed: {ex.Message}", ex);
            }
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"{runs} seeded runs of {records} orders; {writes} writes applied by the target.");
        foreach (var (step, count) in crashes)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"  crash at {step}: {count}");
        }

        foreach (var (fault, count) in faults)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"  fault {fault}: {count}");
        }

        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        Console.WriteLine(report.ToString());
        Assert.True(faults[FaultKind.LostWriteAnswer] * 10 >= writes, $"Lost answers on fewer than 10 % of writes.\n{report}");
        if (runs >= 200)
        {
            Assert.All(crashes, c => Assert.True(c.Value >= 20, $"Crash at {c.Key} fired {c.Value} times (< 20).\n{report}"));
            Assert.All(faults, f => Assert.True(f.Value >= 20, $"Fault {f.Key} fired {f.Value} times (< 20).\n{report}"));
        }
    }

    private static async Task<(Dictionary<SyncStep, int> Crashes, IReadOnlyDictionary<FaultKind, int> Faults, int Applied)> RunScenarioAsync(
        int seed, int records, SettlementMode mode)
    {
        var harness = new Harness(mode, seed) { TransientRetries = 2 };
        harness.Flows.Add(Flow.Create<Order>("orders").From("shop", EntityKind.Order).To("erp", EntityKind.Order).PageSize(10).Build());
        var faulty = new FaultInjectingConnector(harness.Erp, new FaultInjectionOptions
        {
            Seed = seed,
            TransientWriteFailureRate = 0.05,
            LostWriteAnswerRate = 0.15,
            TransientReadFailureRate = 0.05,
            RateLimitRate = 0.03,
            RetryAfter = TimeSpan.Zero,
        });
        var faultySource = new FaultInjectingConnector(harness.Shop, new FaultInjectionOptions
        {
            Seed = seed + 100_000,
            TransientReadFailureRate = 0.05,
            RetryAfter = TimeSpan.Zero,
        });
        harness.Connections.Register(new ConnectionId(Harness.Tenant, "erp"), faulty);
        harness.Connections.Register(new ConnectionId(Harness.Tenant, "shop"), faultySource);
        // Record-level steps occur once per record, page-level steps once per page: crash them at different rates.
        var probe = new RandomCrashProbe(
            new Random(seed),
            step => step is SyncStep.AfterRead or SyncStep.MidPage or SyncStep.BeforeCheckpoint ? 0.08 : 0.01);

        // 30 % of the records were synced before and then change.
        var initial = harness.SeedOrders(1, records * 3 / 10, seed);
        await harness.RunUntilDoneAsync("orders", probe, maxRuns: 2000);
        foreach (var key in initial)
        {
            harness.Clock.Advance(TimeSpan.FromSeconds(1));
            harness.Shop.Mutate(EntityKind.Order, key, r => TestData.Change((Order)r, 1));
        }

        harness.SeedOrders(1 + initial.Count, records - initial.Count, seed);
        await harness.RunUntilDoneAsync("orders", probe, maxRuns: 2000);

        // Faults off: one clean run settles what the last chaotic run left, and the copy must be exact.
        faulty.Enabled = false;
        faultySource.Enabled = false;
        probe.Enabled = false;
        await harness.RunUntilDoneAsync("orders");
        await harness.AssertErpEqualsShopAsync(EntityKind.Order, "orders");
        return (probe.Crashes, faulty.FaultCounts, harness.Erp.WriteCount);
    }

    private static int Setting(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : fallback;
}

public sealed partial class BadRecordTests
{
    [Fact]
    public async Task Run_OnePercentMalformed_JournaledInFixedFormatThenReplayedOnce()
    {
        var harness = new Harness(SettlementMode.CorrelationField);
        harness.Flows.Add(Harness.OrderFlow());
        harness.SeedOrders(1, 1000);
        var source = new FaultInjectingConnector(harness.Shop, new FaultInjectionOptions { Seed = 11, MalformedRecordRate = 0.01 });
        harness.Connections.Register(new ConnectionId(Harness.Tenant, "shop"), source);

        var result = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);

        var malformed = harness.Shop.Snapshot(EntityKind.Order).Where(o => source.IsMalformed(EntityKind.Order, o.RecordKey)).Select(o => o.RecordKey).ToHashSet();
        Assert.InRange(malformed.Count, 3, 25);
        Assert.Equal(RunStatus.CompletedWithErrors, result.Status);
        Assert.Equal(malformed.Count, result.Counts.Failed);
        Assert.Equal(1000 - malformed.Count, result.Counts.Created);
        var entries = await harness.Stores.Journal.QueryEntriesAsync(
            new JournalQuery { TenantId = Harness.Tenant, FlowId = "orders", Statuses = [JournalEntryStatus.Open] }, TestContext.Current.CancellationToken);
        Assert.Equal(malformed, entries.Select(e => e.SourceKey).ToHashSet());
        Assert.All(entries, e =>
        {
            Assert.Matches(MessageFormat(), e.Message);
            Assert.StartsWith($"Order '{e.SourceKey}' field '{e.Field}': ", e.Message, StringComparison.Ordinal);
            Assert.True(e.PayloadIsRaw);
            Assert.False(string.IsNullOrEmpty(e.PayloadJson));
        });

        // A person corrects each entry (validated on save) and replays it.
        var journal = new JournalService(harness.Engine(), harness.Stores.Journal, harness.Clock);
        var invalid = await Assert.ThrowsAsync<RecordValidationException>(() =>
            journal.EditPayloadAsync(Harness.Tenant, entries[0].EntryId, """{"externalId":"x","lines":[{"quantity":"abc"}]}""", TestContext.Current.CancellationToken));
        Assert.Matches(MessageFormat(), invalid.Message);
        foreach (var entry in entries)
        {
            var corrected = CanonicalJson.Serialize(harness.Shop.Get(EntityKind.Order, entry.SourceKey)!);
            await journal.EditPayloadAsync(Harness.Tenant, entry.EntryId, corrected, TestContext.Current.CancellationToken);
            var replay = await journal.ReplayAsync(Harness.Tenant, entry.EntryId, TestContext.Current.CancellationToken);
            Assert.Equal(1, replay.Counts.Created);
        }

        // All synced, none twice; the source is fixed too and a further run writes nothing.
        foreach (var key in malformed)
        {
            source.FixMalformed(EntityKind.Order, key);
        }

        var again = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, again.Counts.Created + again.Counts.Updated + again.Counts.Failed);
        await harness.AssertErpEqualsShopAsync(EntityKind.Order, "orders");
        var open = await harness.Stores.Journal.QueryEntriesAsync(
            new JournalQuery { TenantId = Harness.Tenant, FlowId = "orders", Statuses = [JournalEntryStatus.Open] }, TestContext.Current.CancellationToken);
        Assert.Empty(open);
    }

    [Fact]
    public async Task Run_ValidationFails_JournalNamesRecordAndFieldAndRunGoesOn()
    {
        var harness = new Harness(SettlementMode.CorrelationField);
        harness.Flows.Add(Flow.Create<Order>("orders").From("shop", EntityKind.Order).To("erp", EntityKind.Order)
            .Validate(o => o.Lines.Select((l, i) => (l, i)).Where(x => x.l.Quantity <= 0).Select(x => new FieldError($"lines[{x.i}].quantity", $"must be positive, not {x.l.Quantity}")))
            .Build());
        var keys = harness.SeedOrders(1, 10);
        harness.Shop.Mutate(EntityKind.Order, keys[4], r => ((Order)r) with { Lines = [((Order)r).Lines[0] with { Quantity = -2 }] });

        var result = await harness.Engine().RunAsync(Harness.Tenant, "orders", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(9, result.Counts.Created);
        var entry = Assert.Single(await harness.Stores.Journal.QueryEntriesAsync(
            new JournalQuery { TenantId = Harness.Tenant, Statuses = [JournalEntryStatus.Open] }, TestContext.Current.CancellationToken));
        Assert.Equal($"Order '{keys[4]}' field 'lines[0].quantity': must be positive, not -2", entry.Message);
        Assert.Equal(JournalCategory.Validation, entry.Category);

        var journal = new JournalService(harness.Engine(), harness.Stores.Journal, harness.Clock);
        var stillBad = await Assert.ThrowsAsync<RecordValidationException>(() =>
            journal.EditPayloadAsync(Harness.Tenant, entry.EntryId, entry.PayloadJson!, TestContext.Current.CancellationToken));
        Assert.Equal(entry.Message, stillBad.Message);
    }

    [GeneratedRegex("^[A-Z][A-Za-z]* '[^']+' field '[^']*': .+$", RegexOptions.Singleline)]
    private static partial Regex MessageFormat();
}
