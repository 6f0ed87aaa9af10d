using System.Diagnostics;
using Connectors.Abstractions;
using Connectors.Core.InMemory;
using Connectors.Core.Tests.Model;
using Connectors.Storage.Sqlite;

namespace Connectors.Core.Tests.Engine;

/// <summary>
/// The kill-point tests in a real child process on a SQLite file: the process kills itself with SIGKILL at a named
/// step and a new process resumes. Then the target equals the source field by field, with no duplicate and every
/// intent settled.
/// </summary>
public sealed class RealProcessKillTests
{
    public static TheoryData<SyncStep> Steps =>
    [
        SyncStep.AfterRead,
        SyncStep.AfterIntentWritten,
        SyncStep.AfterTargetWrite,
        SyncStep.AfterIdMapCommit,
        SyncStep.MidPage,
    ];

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task ChildProcess_SigkillAtStep_NewProcessResumesToExactCopy(SyncStep step)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Assert.Skip("SIGKILL semantics are tested on Unix only.");
        }

        var data = Directory.CreateTempSubdirectory("connectors-kill-").FullName;
        try
        {
            Assert.Equal(0, await HostAsync(data, "seed-initial"));
            Assert.Equal(0, await HostAsync(data, "seed-changes"));

            var every = step is SyncStep.AfterRead or SyncStep.MidPage ? 3 : 211;
            var kills = 0;
            int exit;
            do
            {
                exit = await HostAsync(data, "run", step.ToString(), every.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (exit == 137)
                {
                    kills++;
                }
                else
                {
                    Assert.Equal(0, exit);
                }

                Assert.True(kills <= 20, "The flow did not complete after 20 kills.");
            }
            while (exit != 0);

            Assert.True(kills >= 1, $"The child was never killed at {step}.");
            await AssertExactCopyAsync(data);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task AssertExactCopyAsync(string data)
    {
        using var shop = new InMemoryConnector(Options(Path.Combine(data, "shop.jsonl")));
        using var erp = new InMemoryConnector(Options(Path.Combine(data, "erp.jsonl")));
        var source = shop.Snapshot(EntityKind.Order).Cast<Order>().ToList();
        var target = erp.Snapshot(EntityKind.Order).Cast<Order>().ToList();
        Assert.Equal(1000, source.Count);
        Assert.Equal(source.Count, target.Count);
        var byNumber = target.ToDictionary(o => o.Number!);
        foreach (var order in source)
        {
            Assert.Equal(RecordHasher.Normalise(order), RecordHasher.Normalise(byNumber[order.Number!]));
        }

        var options = new SqliteStoreOptions { Path = Path.Combine(data, "state.db") };
        var intents = new SqliteIntentStore(options);
        var states = await intents.CountByStateAsync("t", "orders", TestContext.Current.CancellationToken);
        Assert.All(states, s => Assert.Equal(IntentState.Committed, s.Key));
        var links = await new SqliteIdMapStore(options).CountAsync("t", EntityKind.Order, "shop", "erp", TestContext.Current.CancellationToken);
        Assert.Equal(1000, links);
    }

    private static InMemoryConnectorOptions Options(string file)
    {
        var options = new InMemoryConnectorOptions { DataFilePath = file };
        options.Entities[EntityKind.Order] = InMemoryConnector.DefaultCapabilities(EntityKind.Order);
        return options;
    }

    private static async Task<int> HostAsync(params string[] args)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
        var host = Path.Combine(CanonicalModelDocsTests.RepositoryRoot(), "tests", "Connectors.CrashHost", "bin", configuration, "net10.0", "Connectors.CrashHost.dll");
        Assert.True(File.Exists(host), $"The crash host is not built at {host}.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(host);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var stderr = await error;
        TestContext.Current.TestOutputHelper?.WriteLine($"host {string.Join(' ', args)} → {process.ExitCode}\n{await output}{stderr}");
        Assert.True(process.ExitCode is 0 or 137, $"host {string.Join(' ', args)} exited {process.ExitCode}: {stderr}");
        return process.ExitCode;
    }
}
