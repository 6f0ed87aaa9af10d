using Microsoft.Extensions.Logging;

namespace Connectors.Core;

internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Run {RunId} of flow {FlowId} for tenant {TenantId} started ({Kind}).")]
    public static partial void RunStarted(ILogger logger, string runId, string flowId, string tenantId, Connectors.Abstractions.RunKind kind);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Run {RunId} of flow {FlowId} ended {Status}: read {Read}, created {Created}, updated {Updated}, unchanged {Unchanged}, waiting {Waiting}, failed {Failed}.")]
    public static partial void RunEnded(ILogger logger, string runId, string flowId, Connectors.Abstractions.RunStatus status, int read, int created, int updated, int unchanged, int waiting, int failed);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Flow {FlowId} for tenant {TenantId} is leased by another worker; run skipped.")]
    public static partial void RunSkippedLeased(ILogger logger, string flowId, string tenantId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Run {RunId} of flow {FlowId} stopped: {Error}")]
    public static partial void RunFailed(ILogger logger, Exception exception, string runId, string flowId, string error);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Record {SourceKey} of flow {FlowId} went to the journal: {Message}")]
    public static partial void RecordJournaled(ILogger logger, string flowId, string sourceKey, string message);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Transient failure in flow {FlowId} ({Operation}), attempt {Attempt}; retrying in {Delay}.")]
    public static partial void TransientRetry(ILogger logger, Exception exception, string flowId, string operation, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Intent {IntentId} of flow {FlowId} settled as {State}.")]
    public static partial void IntentSettled(ILogger logger, string intentId, string flowId, string state);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Intent {IntentId} of flow {FlowId} needs verification by a person: {Reason}")]
    public static partial void IntentNeedsVerification(ILogger logger, string intentId, string flowId, string reason);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Run {RunId} of flow {FlowId} paused until {PausedUntil}.")]
    public static partial void RunPaused(ILogger logger, string runId, string flowId, DateTimeOffset pausedUntil);
}
