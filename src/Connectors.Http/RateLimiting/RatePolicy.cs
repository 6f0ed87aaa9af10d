using System.Globalization;

namespace Connectors.Http;

/// <summary>
/// One limit of a rate budget: a token bucket, a leaky bucket or a fixed window. A budget may hold several (Exact
/// Online: 60 a minute and 5,000 a day).
/// </summary>
public abstract class RatePolicy
{
    private protected RatePolicy()
    {
    }

    /// <summary>A token bucket: bursts up to <paramref name="capacity"/>, refilled at <paramref name="tokensPerSecond"/>.</summary>
    /// <param name="capacity">The bucket's size.</param>
    /// <param name="tokensPerSecond">The refill rate.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive.</exception>
    public static RatePolicy TokenBucket(int capacity, double tokensPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerSecond);
        return new TokenBucketPolicy(capacity, tokensPerSecond);
    }

    /// <summary>
    /// A leaky bucket (Shopify REST): each call adds to a bucket of <paramref name="capacity"/> that leaks at
    /// <paramref name="leakPerSecond"/>; a call waits while the bucket is full.
    /// </summary>
    /// <param name="capacity">The bucket's size.</param>
    /// <param name="leakPerSecond">The leak rate.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive.</exception>
    public static RatePolicy LeakyBucket(int capacity, double leakPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(leakPerSecond);
        return new LeakyBucketPolicy(capacity, leakPerSecond);
    }

    /// <summary>A fixed window: at most <paramref name="limit"/> units per <paramref name="window"/>, the window starting at first use.</summary>
    /// <param name="limit">The units per window.</param>
    /// <param name="window">The window's length.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive.</exception>
    public static RatePolicy FixedWindow(int limit, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        return new FixedWindowPolicy(limit, window);
    }

    /// <summary>A fixed window of one minute.</summary>
    /// <param name="limit">The units per minute.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not positive.</exception>
    public static RatePolicy PerMinute(int limit) => FixedWindow(limit, TimeSpan.FromMinutes(1));

    /// <summary>A fixed window of one day; when it is spent, a wait ends as "paused until" instead of waiting.</summary>
    /// <param name="limit">The units per day.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not positive.</exception>
    public static RatePolicy PerDay(int limit) => FixedWindow(limit, TimeSpan.FromDays(1));

    internal abstract Limiter CreateLimiter(DateTimeOffset now);

    private sealed class TokenBucketPolicy(int capacity, double rate) : RatePolicy
    {
        internal override Limiter CreateLimiter(DateTimeOffset now) => new TokenBucketLimiter(capacity, rate, now);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"token bucket {capacity} at {rate}/s");
    }

    private sealed class LeakyBucketPolicy(int capacity, double rate) : RatePolicy
    {
        internal override Limiter CreateLimiter(DateTimeOffset now) => new LeakyBucketLimiter(capacity, rate, now);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"leaky bucket {capacity} at {rate}/s");
    }

    private sealed class FixedWindowPolicy(int limit, TimeSpan window) : RatePolicy
    {
        internal override Limiter CreateLimiter(DateTimeOffset now) => new FixedWindowLimiter(limit, window);

        public override string ToString() =>
            window == TimeSpan.FromMinutes(1) ? string.Create(CultureInfo.InvariantCulture, $"{limit} per minute")
            : window == TimeSpan.FromDays(1) ? string.Create(CultureInfo.InvariantCulture, $"{limit} per day")
            : string.Create(CultureInfo.InvariantCulture, $"{limit} per {window}");
    }
}
