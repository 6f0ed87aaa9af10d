using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Connectors.Core;

/// <summary>
/// The names under which Connectors publishes traces and metrics; OpenTelemetry picks them up by name with no package
/// dependency (<c>AddSource("Connectors")</c>, <c>AddMeter("Connectors")</c>).
/// </summary>
public static class ConnectorsTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> and of the <see cref="Meter"/>.</summary>
    public const string Name = "Connectors";

    internal static readonly ActivitySource ActivitySource = new(Name, "1.0.0");

    internal static readonly Meter Meter = new(Name, "1.0.0");

    internal static readonly Counter<long> Records = Meter.CreateCounter<long>(
        "connectors.sync.records", "{record}", "Records processed by the sync engine, by flow and outcome.");

    internal static readonly Counter<long> Runs = Meter.CreateCounter<long>(
        "connectors.sync.runs", "{run}", "Runs ended, by flow and status.");

    internal static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>(
        "connectors.sync.run.duration", "s", "Duration of runs, by flow and status.");
}
