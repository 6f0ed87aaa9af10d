namespace Connectors.Http;

/// <summary>The mutable state of one limit; used only under its budget's lock.</summary>
internal abstract class Limiter
{
    protected const double Epsilon = 1e-9;

    public abstract double Capacity { get; }

    /// <summary>How long until <paramref name="cost"/> units may be taken (zero: now).</summary>
    public abstract TimeSpan TimeUntil(DateTimeOffset now, double cost);

    public abstract void Take(DateTimeOffset now, double cost);

    protected static TimeSpan Seconds(double seconds) => TimeSpan.FromTicks((long)Math.Ceiling(seconds * TimeSpan.TicksPerSecond));
}

internal sealed class TokenBucketLimiter : Limiter
{
    private double capacity;
    private double rate;
    private double _tokens;
    private DateTimeOffset _last;

    public TokenBucketLimiter(double capacity, double rate, DateTimeOffset now)
    {
        this.capacity = capacity;
        this.rate = rate;
        _tokens = capacity;
        _last = now;
    }

    public override double Capacity => capacity;

    public override TimeSpan TimeUntil(DateTimeOffset now, double cost)
    {
        Refill(now);
        return _tokens + Epsilon >= cost ? TimeSpan.Zero : Seconds((cost - _tokens) / rate);
    }

    public override void Take(DateTimeOffset now, double cost)
    {
        Refill(now);
        _tokens -= cost;
    }

    /// <summary>The vendor's own reading (GraphQL cost: available, maximum, restore rate).</summary>
    public void Observe(DateTimeOffset now, double available, double maximum, double restoreRate)
    {
        capacity = maximum;
        rate = restoreRate;
        _tokens = Math.Clamp(available, 0, maximum);
        _last = now;
    }

    private void Refill(DateTimeOffset now)
    {
        if (now > _last)
        {
            _tokens = Math.Min(capacity, _tokens + ((now - _last).TotalSeconds * rate));
            _last = now;
        }
    }
}

internal sealed class LeakyBucketLimiter(double capacity, double rate, DateTimeOffset now) : Limiter
{
    private double _level;
    private DateTimeOffset _last = now;

    public override double Capacity => capacity;

    public double Level => _level;

    public override TimeSpan TimeUntil(DateTimeOffset now, double cost)
    {
        Leak(now);
        return _level + cost <= capacity + Epsilon ? TimeSpan.Zero : Seconds((_level + cost - capacity) / rate);
    }

    public override void Take(DateTimeOffset now, double cost)
    {
        Leak(now);
        _level += cost;
    }

    /// <summary>The vendor's own reading (Shopify <c>12/40</c>).</summary>
    public void Observe(DateTimeOffset now, double level, double maximum)
    {
        Leak(now);
        capacity = maximum;
        _level = Math.Clamp(level, 0, maximum);
    }

    private void Leak(DateTimeOffset now)
    {
        if (now > _last)
        {
            _level = Math.Max(0, _level - ((now - _last).TotalSeconds * rate));
            _last = now;
        }
    }
}

internal sealed class FixedWindowLimiter(double limit, TimeSpan window) : Limiter
{
    private double _used;
    private DateTimeOffset? _windowEnd;

    public override double Capacity => limit;

    public TimeSpan Window => window;

    public override TimeSpan TimeUntil(DateTimeOffset now, double cost)
    {
        Roll(now);
        return _used + cost <= limit + Epsilon ? TimeSpan.Zero : (_windowEnd ?? (now + window)) - now;
    }

    public override void Take(DateTimeOffset now, double cost)
    {
        Roll(now);
        _windowEnd ??= now + window;
        _used += cost;
    }

    /// <summary>The vendor's own reading (Exact <c>X-RateLimit-*</c>): limit, remaining and when the window resets.</summary>
    public void Observe(DateTimeOffset now, double? newLimit, double remaining, DateTimeOffset? reset)
    {
        if (newLimit is > 0)
        {
            limit = newLimit.Value;
        }

        _used = Math.Clamp(limit - remaining, 0, limit);
        if (reset is { } r && r > now)
        {
            _windowEnd = r;
        }
        else
        {
            Roll(now);
            _windowEnd ??= now + window;
        }
    }

    private void Roll(DateTimeOffset now)
    {
        if (_windowEnd is { } end && now >= end)
        {
            _used = 0;
            _windowEnd = null;
        }
    }
}
