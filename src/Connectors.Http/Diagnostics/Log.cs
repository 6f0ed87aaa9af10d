using Microsoft.Extensions.Logging;

namespace Connectors.Http;

internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "{Method} {Url} ({Partition}) attempt {Attempt} failed ({Outcome}); retrying in {Delay}.")]
    public static partial void RetryScheduled(ILogger logger, string method, string url, string partition, int attempt, string outcome, TimeSpan delay);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Circuit breaker of {Partition} opened for {BreakDuration}.")]
    public static partial void BreakerOpened(ILogger logger, string partition, TimeSpan breakDuration);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Circuit breaker of {Partition} half-open: trying one call.")]
    public static partial void BreakerHalfOpened(ILogger logger, string partition);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Circuit breaker of {Partition} closed.")]
    public static partial void BreakerClosed(ILogger logger, string partition);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "{Method} {Url} failed after {Attempts} attempt(s): {Message}")]
    public static partial void RequestFailed(ILogger logger, string method, string url, int attempts, string message);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "Rate budget {Budget} is spent for now; waiting {Wait} before sending.")]
    public static partial void GovernorWaiting(ILogger logger, string budget, TimeSpan wait);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Rate budget {Budget} is spent until {PausedUntil}; the call pauses instead of waiting.")]
    public static partial void GovernorPaused(ILogger logger, string budget, DateTimeOffset pausedUntil);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Debug, Message = "Evicted {Count} idle rate budget(s).")]
    public static partial void GovernorEvicted(ILogger logger, int count);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} for connection {Connection} of tenant {TenantId} has an invalid signature; rejected.")]
    public static partial void WebhookRejected(ILogger logger, string deliveryId, string connection, string tenantId);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Debug, Message = "Webhook delivery {DeliveryId} for connection {Connection} of tenant {TenantId}: {Result}.")]
    public static partial void WebhookAccepted(ILogger logger, string deliveryId, string connection, string tenantId, WebhookAcceptResult result);
}
