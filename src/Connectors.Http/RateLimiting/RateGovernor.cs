using System.Collections.Concurrent;
using System.Globalization;
using Connectors.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Connectors.Http;

/// <summary>
/// The in-process <see cref="IRateGovernor"/>: one state per key (its limits, the vendor's last reading and a fair
/// queue of waiters), timed on a <see cref="TimeProvider"/>, evicted when idle. Thread-safe; no lock is held across an
/// await. Budgets shared by several processes need a store-backed governor or a tenant leased to one worker.
/// </summary>
public sealed class RateGovernor : IRateGovernor, IDisposable
{
    private readonly ConcurrentDictionary<RateBudgetKey, BudgetState> _states = new();
    private readonly RateGovernorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _lastSweepTicks;

    /// <summary>Creates a governor.</summary>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid; the message lists each problem.</exception>
    public RateGovernor(RateGovernorOptions options, TimeProvider? timeProvider = null, ILogger<RateGovernor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid RateGovernorOptions: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _lastSweepTicks = _time.GetUtcNow().UtcTicks;
    }

    internal int StateCount => _states.Count;

    /// <inheritdoc/>
    public ValueTask WaitAsync(RateBudgetKey key, int cost = 1, CancellationToken cancellationToken = default) =>
        WaitAsync(key, null, cost, cancellationToken);

    /// <inheritdoc/>
    public ValueTask WaitAsync(RateBudgetKey key, string? tenantId, int cost = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 1);
        ArgumentException.ThrowIfNullOrEmpty(key.Vendor, nameof(key));
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        Sweep();
        while (true)
        {
            var state = GetState(key);
            Waiter? waiter;
            lock (state.Gate)
            {
                if (state.Evicted)
                {
                    continue;
                }

                var now = _time.GetUtcNow();
                state.LastUsed = now;
                var tooBig = state.Limiters.FirstOrDefault(l => l.Capacity < cost);
                if (tooBig is not null)
                {
                    throw new ArgumentOutOfRangeException(
                        nameof(cost), cost, string.Create(CultureInfo.InvariantCulture, $"A call of {cost} units can never fit the budget {key}, whose limit is {tooBig.Capacity}."));
                }

                if (state.Ring.Count == 0)
                {
                    var wait = state.WaitFor(now, cost);
                    if (wait <= TimeSpan.Zero)
                    {
                        state.Take(now, cost);
                        return default;
                    }

                    if (wait > _options.MaxWait)
                    {
                        throw Paused(key, now, wait);
                    }

                    if (_logger.IsEnabled(LogLevel.Debug))
                    {
                        var budgetName = key.ToString();
                        Log.GovernorWaiting(_logger, budgetName, wait);
                    }
                }

                waiter = new Waiter(tenantId ?? string.Empty, cost, now);
                state.Enqueue(waiter);
                Pump(state, now);
            }

            return AwaitAsync(state, waiter, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public void Observe(RateBudgetKey key, HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var reading = HeaderReading.Read(response, _time);
        if (reading.IsEmpty)
        {
            return;
        }

        Sweep();
        Update(key, (state, now) => reading.Apply(state, now));
    }

    /// <inheritdoc/>
    public void ObserveCost(RateBudgetKey key, double available, double maximum, double restoreRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maximum);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(restoreRate);
        Update(key, (state, now) =>
        {
            var bucket = state.Limiters.OfType<TokenBucketLimiter>().FirstOrDefault();
            if (bucket is null)
            {
                bucket = new TokenBucketLimiter(maximum, restoreRate, now);
                state.Limiters.Add(bucket);
            }

            bucket.Observe(now, available, maximum, restoreRate);
        });
    }

    /// <summary>Stops the timers of every budget; waiters still queued are cancelled.</summary>
    public void Dispose()
    {
        foreach (var pair in _states)
        {
            lock (pair.Value.Gate)
            {
                pair.Value.Evicted = true;
                pair.Value.CancelAll();
            }
        }

        _states.Clear();
    }

    private void Update(RateBudgetKey key, Action<BudgetState, DateTimeOffset> update)
    {
        while (true)
        {
            var state = GetState(key);
            lock (state.Gate)
            {
                if (state.Evicted)
                {
                    continue;
                }

                var now = _time.GetUtcNow();
                state.LastUsed = now;
                update(state, now);
                Pump(state, now);
                return;
            }
        }
    }

    private async ValueTask AwaitAsync(BudgetState state, Waiter waiter, CancellationToken cancellationToken)
    {
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static s => ((WaiterCancel)s!).Cancel(), new WaiterCancel(this, state, waiter, cancellationToken))
            : default;
        try
        {
            await waiter.Completion.Task.ConfigureAwait(false);
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
        }

        HttpTelemetry.GovernorWait.Record(
            (_time.GetUtcNow() - waiter.Since).TotalSeconds, new KeyValuePair<string, object?>("vendor", state.Key.Vendor));
    }

    private BudgetState GetState(RateBudgetKey key) =>
        _states.GetOrAdd(key, static (k, self) => self.CreateState(k), this);

    private BudgetState CreateState(RateBudgetKey key)
    {
        var now = _time.GetUtcNow();
        var budget = _options.Budgets
            .Where(b => string.Equals(b.Vendor, key.Vendor, StringComparison.OrdinalIgnoreCase) && b.Scope == key.Scope
                && (b.Endpoint is null || string.Equals(b.Endpoint, key.Endpoint, StringComparison.OrdinalIgnoreCase)))
            .OrderByDescending(b => b.Endpoint is not null)
            .FirstOrDefault();
        var state = new BudgetState(key, now);
        if (budget is not null)
        {
            state.Limiters.AddRange(budget.Policies.Select(p => p.CreateLimiter(now)));
        }

        return state;
    }

    // Called under state.Gate: grants queued waiters in round-robin order of tenants while the budget allows, fails
    // those whose wait would exceed MaxWait, and arms the timer for the next one.
    private void Pump(BudgetState state, DateTimeOffset now)
    {
        while (state.TryPeek(out var waiter))
        {
            var wait = state.WaitFor(now, waiter.Cost);
            if (wait <= TimeSpan.Zero)
            {
                state.Take(now, waiter.Cost);
                state.DequeueHead();
                waiter.Completion.TrySetResult();
                continue;
            }

            if (wait > _options.MaxWait)
            {
                state.DequeueHead();
                waiter.Completion.TrySetException(Paused(state.Key, now, wait));
                continue;
            }

            state.Timer ??= _time.CreateTimer(static s => ((Tick)s!).Fire(), new Tick(this, state), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            state.Timer.Change(wait, Timeout.InfiniteTimeSpan);
            return;
        }

        state.Timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private RateLimitException Paused(RateBudgetKey key, DateTimeOffset now, TimeSpan wait)
    {
        var until = now + wait;
        HttpTelemetry.GovernorPauses.Add(1, new KeyValuePair<string, object?>("vendor", key.Vendor));
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            var budgetName = key.ToString();
            Log.GovernorPaused(_logger, budgetName, until);
        }

        return new RateLimitException(string.Create(
            CultureInfo.InvariantCulture,
            $"The rate budget {key} is spent until {until:O}; the call is paused rather than waiting {wait}."))
        {
            Connector = key.Vendor,
            IsTransient = true,
            RetryAfter = wait,
            PausedUntil = until,
        };
    }

    private void Sweep()
    {
        var now = _time.GetUtcNow();
        var idle = _options.IdleTimeout;
        var last = Volatile.Read(ref _lastSweepTicks);
        if (now.UtcTicks - last < idle.Ticks / 4 || Interlocked.CompareExchange(ref _lastSweepTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        var evicted = 0;
        foreach (var pair in _states)
        {
            var state = pair.Value;
            lock (state.Gate)
            {
                if (state.Ring.Count == 0 && now - state.LastUsed > idle)
                {
                    state.Evicted = true;
                    state.Timer?.Dispose();
                    _states.TryRemove(pair);
                    evicted++;
                }
            }
        }

        if (evicted > 0 && _logger.IsEnabled(LogLevel.Debug))
        {
            Log.GovernorEvicted(_logger, evicted);
        }
    }

    private sealed class Tick(RateGovernor governor, BudgetState state)
    {
        public void Fire()
        {
            lock (state.Gate)
            {
                if (!state.Evicted)
                {
                    governor.Pump(state, governor._time.GetUtcNow());
                }
            }
        }
    }

    private sealed class WaiterCancel(RateGovernor governor, BudgetState state, Waiter waiter, CancellationToken token)
    {
        public void Cancel()
        {
            lock (state.Gate)
            {
                if (waiter.Completion.TrySetCanceled(token))
                {
                    governor.Pump(state, governor._time.GetUtcNow());
                }
            }
        }
    }
}
