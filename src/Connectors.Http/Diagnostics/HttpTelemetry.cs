using System.Diagnostics.Metrics;

namespace Connectors.Http;

internal static class HttpTelemetry
{
    internal static readonly Meter Meter = new("Connectors", "1.0.0");

    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "connectors.http.retries", "{retry}", "HTTP attempts retried by the Connectors resilience handler, by vendor.");

    internal static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "connectors.http.failures", "{request}", "HTTP requests that failed after the last attempt, by vendor and status code.");

    internal static readonly Histogram<double> GovernorWait = Meter.CreateHistogram<double>(
        "connectors.http.rate_governor.wait", "s", "Time a request waited for its rate budget before being sent, by vendor.");

    internal static readonly Counter<long> GovernorPauses = Meter.CreateCounter<long>(
        "connectors.http.rate_governor.pauses", "{pause}", "Calls refused because a long (daily) budget was spent, by vendor.");
}
