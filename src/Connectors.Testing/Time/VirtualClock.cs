using System.Globalization;

namespace Connectors.Testing;

/// <summary>
/// A deterministic <see cref="TimeProvider"/> for tests: virtual time moves only when a test says so
/// (<see cref="Advance"/>, <see cref="AdvanceTo"/>, <see cref="AdvanceToNextTimer"/>) or, with
/// <see cref="AutoAdvance"/> on, when the code under test is waiting and nothing else is happening.
/// </summary>
/// <remarks>
/// <para>
/// Timers created through <see cref="CreateTimer"/> (and so <c>Task.Delay(delay, clock)</c>,
/// <c>new PeriodicTimer(period, clock)</c>, <c>new CancellationTokenSource(delay, clock)</c> and
/// <c>Task.WaitAsync(timeout, clock)</c>) fire when virtual time reaches their due time. An advance fires every timer
/// that falls due inside it in due-time order (ties in the order the timers were scheduled), with
/// <see cref="GetUtcNow"/> set to each timer's due time while its callback runs; timers scheduled by a callback fire
/// in the same advance when they fall due inside it. A periodic timer fires once for every period that elapses.
/// Callbacks run synchronously on the thread that advances the clock, outside the clock's lock, so the continuation of
/// an awaited <c>Task.Delay</c> usually runs on that thread too.
/// </para>
/// <para>
/// A timer scheduled with a due time of zero (or one already passed) fires at once, on the thread that schedules it,
/// as <c>Microsoft.Extensions.Time.Testing.FakeTimeProvider</c> does.
/// </para>
/// <para>All members are thread-safe. Virtual time never moves backwards.</para>
/// </remarks>
public sealed class VirtualClock : TimeProvider
{
    /// <summary>The start time of a clock built without one: 2026-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan s_idleLinger = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_busyPoolPatience = TimeSpan.FromMilliseconds(100);

    // One monitor guards every field below; the auto-advance thread waits on it.
    private readonly object _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _sequence;
    private long _activity;
    private bool _autoAdvance;
    private bool _loopRunning;
    private bool _loopIdle;
    private TimeSpan _quietPeriod = TimeSpan.FromMilliseconds(2);
    private Exception? _callbackException;

    /// <summary>Creates a clock that starts at <see cref="DefaultStart"/> (2026-01-01T00:00:00Z).</summary>
    public VirtualClock()
        : this(DefaultStart)
    {
    }

    /// <summary>Creates a clock that starts at <paramref name="start"/> (converted to UTC).</summary>
    /// <param name="start">The virtual time the clock starts at.</param>
    public VirtualClock(DateTimeOffset start)
    {
        _now = start.ToUniversalTime();
    }

    /// <summary>Gets the time zone of this clock: always <see cref="TimeZoneInfo.Utc"/>, so tests do not depend on the machine.</summary>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Gets the frequency of <see cref="GetTimestamp"/>: one tick of virtual time (10,000,000 per second).</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Gets the number of timers that are scheduled to fire (created or changed with a finite due time and not yet fired or disposed).</summary>
    public int PendingTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    /// <summary>
    /// Gets or sets a value indicating whether the clock jumps to the next due timer by itself whenever the process is
    /// quiet — "a clock that jumps to the next due timer when every waiter is blocked".
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>
    /// <para>
    /// While it is on and timers are pending, a background thread watches the clock. When, for one
    /// <see cref="AutoAdvanceQuietPeriod"/> of real time, no timer was scheduled, changed or disposed and the clock was
    /// not advanced, <see cref="ThreadPool.PendingWorkItemCount"/> is zero and no thread-pool worker is running (or one has
    /// been running for more than 100 ms of real time, which is taken for unrelated work), it advances to the earliest due timer
    /// exactly as <see cref="AdvanceToNextTimer"/> does (the callbacks run on that background thread). So
    /// <c>await Task.Delay(TimeSpan.FromSeconds(30), clock, ct)</c> completes after a few milliseconds of real time with
    /// virtual time 30 s later, and a loop of sixty one-second waits takes a fraction of a second.
    /// </para>
    /// <para>
    /// It is a heuristic, not a proof that every waiter is blocked. Its limits: work on a thread outside the thread pool
    /// (a dedicated thread, a blocked test thread) that runs for longer than the quiet period without touching the clock,
    /// and thread-pool work that runs for longer than 100 ms, are not seen, and the clock may jump while that work is
    /// still on its way to its next wait. Work of other tests in the same process only delays a jump: queued items until
    /// the queue is empty, running items by up to 100 ms. Code that waits on something other than this clock (real I/O, a real timer, another
    /// process) never lets a jump happen "too early" but does not make one happen either. A timer callback that blocks
    /// stops auto-advance until it returns. When no timer is pending the background thread ends after a short idle
    /// time and starts again with the next timer; a periodic timer that is never disposed keeps it running, so dispose
    /// timers or set this property back to <see langword="false"/> at the end of a test. Assert on virtual time, not on
    /// real time.
    /// </para>
    /// </remarks>
    public bool AutoAdvance
    {
        get
        {
            lock (_gate)
            {
                return _autoAdvance;
            }
        }

        set
        {
            lock (_gate)
            {
                _autoAdvance = value;
                if (value)
                {
                    // A fresh quiet period starts now, whether the background thread is new or already waiting.
                    _activity++;
                    EnsureLoopLocked();
                }
                else
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    /// <summary>Gets or sets how long, in real time, the clock must see no activity before <see cref="AutoAdvance"/> jumps.</summary>
    /// <value>The default value is 2 milliseconds.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan AutoAdvanceQuietPeriod
    {
        get
        {
            lock (_gate)
            {
                return _quietPeriod;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            lock (_gate)
            {
                _quietPeriod = value;
            }
        }
    }

    /// <summary>
    /// Gets the first exception thrown by a timer callback on the <see cref="AutoAdvance"/> thread, or
    /// <see langword="null"/>. (A real timer's callback exception would end the process; auto-advance records it and
    /// goes on, so assert that this is <see langword="null"/> when it matters.)
    /// </summary>
    public Exception? AutoAdvanceCallbackException
    {
        get
        {
            lock (_gate)
            {
                return _callbackException;
            }
        }
    }

    /// <summary>Turns <see cref="AutoAdvance"/> on.</summary>
    /// <returns>This clock, for chaining.</returns>
    public VirtualClock StartAutoAdvance()
    {
        AutoAdvance = true;
        return this;
    }

    /// <summary>Turns <see cref="AutoAdvance"/> off; a jump already under way completes.</summary>
    public void StopAutoAdvance() => AutoAdvance = false;

    /// <summary>Gets the current virtual time, in UTC.</summary>
    /// <returns>The current virtual time.</returns>
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <summary>Gets a timestamp of virtual time (its UTC ticks), so <see cref="TimeProvider.GetElapsedTime(long)"/> measures virtual time.</summary>
    /// <returns>The current virtual time in ticks.</returns>
    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _now.UtcTicks;
        }
    }

    /// <summary>Creates a timer that fires on virtual time.</summary>
    /// <param name="callback">The callback to run when the timer fires.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="dueTime">The virtual delay before the first firing, or <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="period">The virtual interval between firings, or <see cref="Timeout.InfiniteTimeSpan"/> (or zero) for a one-shot timer.</param>
    /// <returns>The timer; <see cref="ITimer.Change"/> and <see cref="IDisposable.Dispose"/> reschedule and cancel it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dueTime"/> or <paramref name="period"/> is negative and not infinite.</exception>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves virtual time forward by <paramref name="delta"/>, firing every timer that falls due on the way.</summary>
    /// <param name="delta">How far to move; zero fires the timers already due.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative.</exception>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + delta;
        }

        RunUntil(target);
    }

    /// <summary>Moves virtual time forward to <paramref name="instant"/>, firing every timer that falls due on the way.</summary>
    /// <param name="instant">The time to move to; it may equal the current time but not precede it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="instant"/> is earlier than the current virtual time.</exception>
    public void AdvanceTo(DateTimeOffset instant)
    {
        lock (_gate)
        {
            if (instant < _now)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(instant),
                    instant,
                    string.Create(CultureInfo.InvariantCulture, $"Virtual time cannot move backwards: it is {_now:O} and {instant.ToUniversalTime():O} was asked for."));
            }
        }

        RunUntil(instant.ToUniversalTime());
    }

    /// <summary>Moves virtual time to the earliest due timer and fires every timer due at that instant.</summary>
    /// <returns><see langword="true"/> when a timer was pending (and fired); <see langword="false"/> when none was, and time did not move.</returns>
    public bool AdvanceToNextTimer()
    {
        DateTimeOffset target;
        lock (_gate)
        {
            if (_timers.Count == 0)
            {
                return false;
            }

            target = _timers.Min(t => t.Due);
            if (target < _now)
            {
                target = _now;
            }
        }

        RunUntil(target);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private void RunUntil(DateTimeOffset target)
    {
        while (true)
        {
            VirtualTimer? next = null;
            lock (_gate)
            {
                _activity++;
                foreach (var timer in _timers)
                {
                    if (timer.Due <= target && (next is null || timer.Due < next.Due || (timer.Due == next.Due && timer.Sequence < next.Sequence)))
                    {
                        next = timer;
                    }
                }

                if (next is null)
                {
                    // Never backwards: a callback may have advanced the clock further on a nested call.
                    if (target > _now)
                    {
                        _now = target;
                    }

                    return;
                }

                if (next.Due > _now)
                {
                    _now = next.Due;
                }

                next.OnFiringLocked();
            }

            next.Invoke();
        }
    }

    private void EnsureLoopLocked()
    {
        if (_loopIdle)
        {
            Monitor.PulseAll(_gate);
        }

        if (!_autoAdvance || _loopRunning || _timers.Count == 0)
        {
            return;
        }

        _loopRunning = true;
        var thread = new Thread(AutoAdvanceLoop)
        {
            IsBackground = true,
            Name = "VirtualClock auto-advance",
        };
        thread.Start();
    }

    private void AutoAdvanceLoop()
    {
        // Real time (ms) since when the only thing holding a jump back has been a busy thread-pool thread.
        long? busySince = null;
        while (true)
        {
            lock (_gate)
            {
                if (_autoAdvance && _timers.Count == 0)
                {
                    // Linger a little: the code under test often schedules its next timer right away.
                    _loopIdle = true;
                    Monitor.Wait(_gate, s_idleLinger);
                    _loopIdle = false;
                }

                if (!_autoAdvance || _timers.Count == 0)
                {
                    _loopRunning = false;
                    return;
                }

                var seen = _activity;
                Monitor.Wait(_gate, _quietPeriod);
                if (!_autoAdvance || _activity != seen || _timers.Count == 0)
                {
                    busySince = null;
                    continue;
                }
            }

            if (ThreadPool.PendingWorkItemCount != 0)
            {
                continue;
            }

            // A thread-pool thread that is running (a continuation being JIT-compiled or computing) is not blocked. Other
            // tests in the process may keep pool threads busy for long, so this holds a jump back for a bounded time only.
            if (BusyPoolThreads() > 0)
            {
                var now = Environment.TickCount64;
                busySince ??= now;
                if (now - busySince.Value < (long)s_busyPoolPatience.TotalMilliseconds)
                {
                    continue;
                }
            }

            busySince = null;

            try
            {
                AdvanceToNextTimer();
            }
#pragma warning disable CA1031 // A callback's exception must not end the test process from a background thread; it is reported instead.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                lock (_gate)
                {
                    _callbackException ??= ex;
                }
            }
        }
    }

    private static int BusyPoolThreads()
    {
        ThreadPool.GetMaxThreads(out var maxWorkers, out _);
        ThreadPool.GetAvailableThreads(out var availableWorkers, out _);
        return maxWorkers - availableWorkers;
    }

    private sealed class VirtualTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period;
        private bool _disposed;
        private bool _scheduled;

        // Read and written under the clock's lock.
        public DateTimeOffset Due { get; private set; }

        public long Sequence { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, "The due time must be zero or more, or Timeout.InfiniteTimeSpan.");
            }

            if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(period), period, "The period must be zero or more, or Timeout.InfiniteTimeSpan.");
            }

            bool fireNow;
            lock (clock._gate)
            {
                if (_disposed)
                {
                    return false;
                }

                clock._activity++;
                Unschedule();
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                Due = clock._now + dueTime;
                Sequence = ++clock._sequence;
                _scheduled = true;
                clock._timers.Add(this);
                fireNow = dueTime == TimeSpan.Zero;
                clock.EnsureLoopLocked();
            }

            if (fireNow)
            {
                // Fire what is already due (this timer and any other timer due now), as a real timer would at once.
                clock.RunUntil(clock.GetUtcNow());
            }

            return true;
        }

        // Called under the clock's lock, just before the callback runs.
        public void OnFiringLocked()
        {
            if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
            {
                Due += _period;
                Sequence = ++clock._sequence;
            }
            else
            {
                Unschedule();
            }
        }

        public void Invoke() => callback(state);

        public void Dispose()
        {
            lock (clock._gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                clock._activity++;
                Unschedule();
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }

        private void Unschedule()
        {
            if (_scheduled)
            {
                _scheduled = false;
                clock._timers.Remove(this);
            }
        }
    }
}
