using Connectors.Testing;

namespace Connectors.Core.Tests.Time;

public sealed class VirtualClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Constructor_NoStart_StartsAtFirstOfJanuary2026Utc()
    {
        var clock = new VirtualClock();

        Assert.Equal(Start, clock.GetUtcNow());
        Assert.Equal(TimeSpan.Zero, clock.GetUtcNow().Offset);
        Assert.Same(TimeZoneInfo.Utc, clock.LocalTimeZone);
    }

    [Fact]
    public void Constructor_StartWithOffset_KeepsTheInstantInUtc()
    {
        var clock = new VirtualClock(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.FromHours(2)));

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero), clock.GetUtcNow());
        Assert.Equal(TimeSpan.Zero, clock.GetUtcNow().Offset);
    }

    [Fact]
    public void GetElapsedTime_AfterAdvance_MeasuresVirtualTime()
    {
        var clock = new VirtualClock();
        var started = clock.GetTimestamp();

        clock.Advance(TimeSpan.FromMinutes(90));

        Assert.Equal(TimeSpan.FromMinutes(90), clock.GetElapsedTime(started));
    }

    [Fact]
    public void Advance_NegativeDelta_Throws()
    {
        var clock = new VirtualClock();

        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromTicks(-1)));
        Assert.Equal(Start, clock.GetUtcNow());
    }

    [Fact]
    public void AdvanceTo_EarlierInstant_ThrowsAndKeepsTime()
    {
        var clock = new VirtualClock();
        clock.Advance(TimeSpan.FromHours(1));

        Assert.Throws<ArgumentOutOfRangeException>(() => clock.AdvanceTo(Start));
        Assert.Equal(Start.AddHours(1), clock.GetUtcNow());
    }

    [Fact]
    public async Task TaskDelay_AdvancedPastDueTime_Completes()
    {
        var clock = new VirtualClock();
        var delay = Task.Delay(TimeSpan.FromSeconds(30), clock, TestContext.Current.CancellationToken);

        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(delay.IsCompleted);
        Assert.Equal(1, clock.PendingTimerCount);

        clock.Advance(TimeSpan.FromSeconds(1));
        await delay;
        Assert.Equal(0, clock.PendingTimerCount);
        Assert.Equal(Start.AddSeconds(30), clock.GetUtcNow());
    }

    [Fact]
    public async Task TaskDelay_Cancelled_RemovesItsTimer()
    {
        var clock = new VirtualClock();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var delay = Task.Delay(TimeSpan.FromSeconds(30), clock, cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delay);
        Assert.Equal(0, clock.PendingTimerCount);
    }

    [Fact]
    public void Advance_SeveralTimers_FiresInDueOrderAtEachDueTime()
    {
        var clock = new VirtualClock();
        var fired = new List<(string Name, DateTimeOffset At)>();
        using var late = clock.CreateTimer(_ => fired.Add(("late", clock.GetUtcNow())), null, TimeSpan.FromSeconds(30), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => fired.Add(("early", clock.GetUtcNow())), null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        using var tieFirst = clock.CreateTimer(_ => fired.Add(("tie-1", clock.GetUtcNow())), null, TimeSpan.FromSeconds(20), Timeout.InfiniteTimeSpan);
        using var tieSecond = clock.CreateTimer(_ => fired.Add(("tie-2", clock.GetUtcNow())), null, TimeSpan.FromSeconds(20), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(
            [("early", Start.AddSeconds(10)), ("tie-1", Start.AddSeconds(20)), ("tie-2", Start.AddSeconds(20)), ("late", Start.AddSeconds(30))],
            fired);
        Assert.Equal(Start.AddMinutes(1), clock.GetUtcNow());
    }

    [Fact]
    public void Advance_CallbackSchedulesTimerInsideWindow_FiresItInTheSameAdvance()
    {
        var clock = new VirtualClock();
        var fired = new List<DateTimeOffset>();
        ITimer? second = null;
        using var first = clock.CreateTimer(
            _ =>
            {
                fired.Add(clock.GetUtcNow());
                second = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow()), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
            },
            null,
            TimeSpan.FromSeconds(5),
            Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(12));

        Assert.Equal([Start.AddSeconds(5), Start.AddSeconds(10)], fired);
        second?.Dispose();
    }

    [Fact]
    public void Advance_PeriodicTimer_FiresOncePerElapsedPeriod()
    {
        var clock = new VirtualClock();
        var fired = new List<DateTimeOffset>();
        using var timer = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow()), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        clock.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal([Start.AddSeconds(1), Start.AddSeconds(3), Start.AddSeconds(5)], fired);
        Assert.Equal(1, clock.PendingTimerCount);
    }

    [Fact]
    public void Change_Rescheduled_FiresAtTheNewDueTimeOnly()
    {
        var clock = new VirtualClock();
        var fired = new List<DateTimeOffset>();
        using var timer = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow()), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan));
        clock.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal([Start.AddSeconds(12)], fired);
    }

    [Fact]
    public void Change_InfiniteDueTime_StopsTheTimer()
    {
        var clock = new VirtualClock();
        var count = 0;
        using var timer = clock.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        clock.Advance(TimeSpan.FromSeconds(3));
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(3, count);
        Assert.Equal(0, clock.PendingTimerCount);
    }

    [Fact]
    public void Dispose_PendingTimer_NeverFiresAndChangeReturnsFalse()
    {
        var clock = new VirtualClock();
        var count = 0;
        var timer = clock.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        timer.Dispose();
        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(0, count);
        Assert.False(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        Assert.Equal(0, clock.PendingTimerCount);
    }

    [Fact]
    public void CreateTimer_ZeroDueTime_FiresAtOnce()
    {
        var clock = new VirtualClock();
        var count = 0;

        using var timer = clock.CreateTimer(_ => count++, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);

        Assert.Equal(1, count);
        Assert.Equal(Start, clock.GetUtcNow());
    }

    [Fact]
    public void AdvanceToNextTimer_TimersPending_JumpsToEarliestAndFiresIt()
    {
        var clock = new VirtualClock();
        var fired = new List<string>();
        using var a = clock.CreateTimer(_ => fired.Add("a"), null, TimeSpan.FromMinutes(3), Timeout.InfiniteTimeSpan);
        using var b = clock.CreateTimer(_ => fired.Add("b"), null, TimeSpan.FromMinutes(1), Timeout.InfiniteTimeSpan);

        Assert.True(clock.AdvanceToNextTimer());
        Assert.Equal(["b"], fired);
        Assert.Equal(Start.AddMinutes(1), clock.GetUtcNow());

        Assert.True(clock.AdvanceToNextTimer());
        Assert.False(clock.AdvanceToNextTimer());
        Assert.Equal(["b", "a"], fired);
        Assert.Equal(Start.AddMinutes(3), clock.GetUtcNow());
    }

    [Fact]
    public async Task PeriodicTimer_WithClock_TicksOnVirtualTime()
    {
        var clock = new VirtualClock();
        using var periodic = new PeriodicTimer(TimeSpan.FromSeconds(10), clock);
        var ticks = new List<DateTimeOffset>();

        for (var i = 0; i < 3; i++)
        {
            var tick = periodic.WaitForNextTickAsync(TestContext.Current.CancellationToken);
            clock.Advance(TimeSpan.FromSeconds(10));
            Assert.True(await tick);
            ticks.Add(clock.GetUtcNow());
        }

        Assert.Equal([Start.AddSeconds(10), Start.AddSeconds(20), Start.AddSeconds(30)], ticks);
    }

    [Fact]
    public void CancellationTokenSource_WithClockDelay_CancelsOnVirtualTime()
    {
        var clock = new VirtualClock();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5), clock);

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.False(cts.IsCancellationRequested);
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.True(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task AutoAdvance_ThirtySecondDelay_CompletesWithVirtualTimeMoved()
    {
        var clock = new VirtualClock { AutoAdvance = true };

        await Task.Delay(TimeSpan.FromSeconds(30), clock, TestContext.Current.CancellationToken);
        clock.AutoAdvance = false;

        Assert.Equal(Start.AddSeconds(30), clock.GetUtcNow());
        Assert.Null(clock.AutoAdvanceCallbackException);
    }

    [Fact]
    public async Task AutoAdvance_SixtyCallsPerMinuteLoop_TakesOneVirtualMinute()
    {
        var clock = new VirtualClock().StartAutoAdvance();
        var ct = TestContext.Current.CancellationToken;
        var calls = new List<DateTimeOffset>();

        // A caller limited to 60 calls a minute: one call, then wait out the rest of its one-second slot. The hops to
        // the thread pool between calls are what auto-advance must wait for.
        var work = Task.Run(
            async () =>
            {
                for (var i = 0; i < 60; i++)
                {
                    var slot = clock.GetUtcNow();
                    calls.Add(slot);
                    await Task.Yield();
                    await Task.Delay(slot.AddSeconds(1) - clock.GetUtcNow(), clock, ct).ConfigureAwait(false);
                }
            },
            ct);
        await work;
        clock.StopAutoAdvance();

        Assert.Equal(60, calls.Count);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => Start.AddSeconds(i)), calls);
        Assert.Equal(Start.AddMinutes(1), clock.GetUtcNow());
    }

    [Fact]
    public async Task AutoAdvance_ConcurrentWaiters_WakeInDueOrder()
    {
        var clock = new VirtualClock();
        var ct = TestContext.Current.CancellationToken;
        var woke = new List<(int Seconds, DateTimeOffset At)>();
        var gate = new Lock();

        async Task WaitAsync(int seconds)
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), clock, ct).ConfigureAwait(false);
            lock (gate)
            {
                woke.Add((seconds, clock.GetUtcNow()));
            }
        }

        var waiters = new[] { WaitAsync(45), WaitAsync(5), WaitAsync(20) };
        clock.AutoAdvance = true;
        await Task.WhenAll(waiters);
        clock.AutoAdvance = false;

        Assert.Equal([(5, Start.AddSeconds(5)), (20, Start.AddSeconds(20)), (45, Start.AddSeconds(45))], woke);
    }

    [Fact]
    public async Task AutoAdvance_TurnedOff_LeavesTimersPending()
    {
        var clock = new VirtualClock { AutoAdvance = true };
        clock.AutoAdvance = false;
        var delay = Task.Delay(TimeSpan.FromSeconds(1), clock, TestContext.Current.CancellationToken);

        // Nothing moves the clock now; a manual advance still does.
        Assert.Equal(1, clock.PendingTimerCount);
        Assert.Equal(Start, clock.GetUtcNow());
        clock.Advance(TimeSpan.FromSeconds(1));
        await delay;
        Assert.Equal(Start.AddSeconds(1), clock.GetUtcNow());
    }
}
