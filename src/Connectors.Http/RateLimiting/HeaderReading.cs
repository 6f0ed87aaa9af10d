using System.Globalization;
using System.Net;

namespace Connectors.Http;

/// <summary>The vendor's view of a budget, read from response headers.</summary>
internal readonly record struct HeaderReading(
    (double Used, double Max)? CallLimit,
    WindowReading? Minutely,
    WindowReading? Daily,
    DateTimeOffset? BlockedUntil)
{
    public const string ShopifyCallLimit = "X-Shopify-Shop-Api-Call-Limit";

    public bool IsEmpty => CallLimit is null && Minutely is null && Daily is null && BlockedUntil is null;

    public static HeaderReading Read(HttpResponseMessage response, TimeProvider time)
    {
        var now = time.GetUtcNow();
        (double, double)? callLimit = null;
        if (First(response, ShopifyCallLimit) is { } text)
        {
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0
                && double.TryParse(text.AsSpan(0, slash), NumberStyles.Float, CultureInfo.InvariantCulture, out var used)
                && double.TryParse(text.AsSpan(slash + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var max)
                && max > 0)
            {
                callLimit = (used, max);
            }
        }

        DateTimeOffset? blocked = null;
        if (response.StatusCode == HttpStatusCode.TooManyRequests && RetryAfterReader.Read(response, time) is { } wait)
        {
            blocked = now + wait;
        }

        return new HeaderReading(
            callLimit,
            Window(response, "X-RateLimit-Minutely-", now),
            Window(response, "X-RateLimit-", now),
            blocked);
    }

    public void Apply(BudgetState state, DateTimeOffset now)
    {
        if (CallLimit is { } limit)
        {
            var bucket = state.Limiters.OfType<LeakyBucketLimiter>().FirstOrDefault();
            if (bucket is null)
            {
                // Shopify's bucket empties in 20 s on every plan (40 at 2/s, 400 at 20/s).
                bucket = new LeakyBucketLimiter(limit.Max, limit.Max / 20, now);
                state.Limiters.Add(bucket);
            }

            bucket.Observe(now, limit.Used, limit.Max);
        }

        ApplyWindow(state, Minutely, TimeSpan.FromMinutes(1), now);
        ApplyWindow(state, Daily, TimeSpan.FromDays(1), now);
        if (BlockedUntil is { } until && until > state.BlockedUntil)
        {
            state.BlockedUntil = until;
        }
    }

    private static void ApplyWindow(BudgetState state, WindowReading? reading, TimeSpan window, DateTimeOffset now)
    {
        if (reading is not { } r)
        {
            return;
        }

        var limiter = state.Limiters.OfType<FixedWindowLimiter>().FirstOrDefault(l => l.Window == window);
        if (limiter is null)
        {
            if (r.Limit is not { } known)
            {
                return;
            }

            limiter = new FixedWindowLimiter(known, window);
            state.Limiters.Add(limiter);
        }

        limiter.Observe(now, r.Limit, r.Remaining, r.Reset);
    }

    private static WindowReading? Window(HttpResponseMessage response, string prefix, DateTimeOffset now)
    {
        if (!TryNumber(First(response, prefix + "Remaining"), out var remaining))
        {
            return null;
        }

        double? limit = TryNumber(First(response, prefix + "Limit"), out var l) ? l : null;
        DateTimeOffset? reset = null;
        if (TryNumber(First(response, prefix + "Reset"), out var r))
        {
            // Exact sends epoch milliseconds; others send epoch seconds or seconds from now.
            reset = r switch
            {
                > 100_000_000_000 => DateTimeOffset.FromUnixTimeMilliseconds((long)r),
                > 1_000_000_000 => DateTimeOffset.FromUnixTimeSeconds((long)r),
                _ => now + TimeSpan.FromSeconds(r),
            };
        }

        return new WindowReading(limit, remaining, reset);
    }

    private static bool TryNumber(string? text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static string? First(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values) ? values.FirstOrDefault()?.Trim() : null;
}

internal readonly record struct WindowReading(double? Limit, double Remaining, DateTimeOffset? Reset);
