namespace Connectors.Http.Tests;

/// <summary>
/// A minimal timer-capable fake <see cref="TimeProvider"/> for these tests (the shared Connectors.Testing.VirtualClock
/// was not in the tree). Time moves only through <see cref="Advance"/>, <see cref="AdvanceToNextTimer"/> or
/// <see cref="RunAsync{T}"/>, which jumps to the next due timer whenever the work under test is blocked.
/// </summary>
internal sealed class HttpTestClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _now;
    private long _activity;

    public HttpTestClock(DateTimeOffset? start = null)
    {
        _now = start ?? new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    }

    public override DateTimeOffset GetUtcNow()
    {
        Interlocked.Increment(ref _activity);
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public int PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.Due is not null);
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _activity);
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            FakeTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due is { } d && d <= target).OrderBy(t => t.Due).ThenBy(t => t.Sequence).FirstOrDefault();
                if (next is null)
                {
                    _now = target;
                    return;
                }

                if (next.Due > _now)
                {
                    _now = next.Due!.Value;
                }

                next.Fired();
            }

            next.Invoke();
        }
    }

    /// <summary>Moves time to the earliest due timer and fires it; false when no timer is pending.</summary>
    public bool AdvanceToNextTimer()
    {
        DateTimeOffset? due;
        lock (_gate)
        {
            due = _timers.Where(t => t.Due is not null).Select(t => t.Due).Min();
        }

        if (due is null)
        {
            return false;
        }

        var now = GetUtcNow();
        Advance(due.Value > now ? due.Value - now : TimeSpan.Zero);
        return true;
    }

    /// <summary>
    /// Runs the work, jumping to the next due timer whenever it makes no progress for a short real moment — the
    /// virtual-clock behaviour "when every waiter is blocked, jump to the next due timer".
    /// </summary>
    public async Task<T> RunAsync<T>(Task<T> work)
    {
        await DriveAsync(work);
        return await work;
    }

    public async Task RunAsync(Task work)
    {
        await DriveAsync(work);
        await work;
    }

    private async Task DriveAsync(Task work)
    {
        var idleRounds = 0;
        var quietPolls = 0;
        var lastActivity = Interlocked.Read(ref _activity);
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(1, TestContext.Current.CancellationToken));
            if (work.IsCompleted)
            {
                break;
            }

            // Blocked = no clock activity for three polls in a row.
            var activity = Interlocked.Read(ref _activity);
            if (activity != lastActivity)
            {
                lastActivity = activity;
                quietPolls = 0;
                continue;
            }

            if (++quietPolls < 3)
            {
                continue;
            }

            quietPolls = 0;
            if (AdvanceToNextTimer())
            {
                idleRounds = 0;
                lastActivity = Interlocked.Read(ref _activity);
            }
            else if (++idleRounds > 2000)
            {
                throw new TimeoutException("The work under test is blocked and no timer is pending.");
            }
        }
    }

    private sealed class FakeTimer(HttpTestClock clock, TimerCallback callback, object? state) : ITimer
    {
        private static long s_sequence;
        private TimeSpan _period;

        public DateTimeOffset? Due { get; private set; }

        public long Sequence { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref clock._activity);
            lock (clock._gate)
            {
                if (!clock._timers.Contains(this))
                {
                    clock._timers.Add(this);
                }

                _period = period;
                Sequence = Interlocked.Increment(ref s_sequence);
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
            }

            return true;
        }

        // Called under the clock's lock.
        public void Fired()
        {
            Due = _period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero ? null : Due + _period;
        }

        public void Invoke() => callback(state);

        public void Dispose()
        {
            lock (clock._gate)
            {
                Due = null;
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
