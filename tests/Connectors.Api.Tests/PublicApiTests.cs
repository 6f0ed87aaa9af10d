using System.Reflection;
using System.Text;

namespace Connectors.Api.Tests;

/// <summary>
/// The public API of every package under src/ is compared with <c>baselines/&lt;Assembly&gt;.txt</c>. On a difference the
/// test fails with the added and removed lines and writes the new surface to <c>baselines/&lt;Assembly&gt;.received.txt</c>;
/// run with <c>CONNECTORS_ACCEPT_API=1</c> to overwrite the baseline (see docs/contributing.md).
/// </summary>
public sealed class PublicApiTests
{
    private const string AcceptVariable = "CONNECTORS_ACCEPT_API";

    private static readonly string[] AssemblyNames =
    [
        "Connectors.Abstractions",
        "Connectors.Core",
        "Connectors.Http",
        "Connectors.Storage.Sqlite",
        "Connectors.Testing",
    ];

    public static TheoryData<string> Assemblies => new(AssemblyNames);

    [Theory]
    [MemberData(nameof(Assemblies))]
    public async Task PublicApi_ComparedWithBaseline_IsUnchanged(string assemblyName)
    {
        var ct = TestContext.Current.CancellationToken;
        var actual = PublicApiDumper.Dump(Assembly.Load(new AssemblyName(assemblyName)));
        var directory = BaselineDirectory();
        var baselinePath = Path.Combine(directory, assemblyName + ".txt");
        var receivedPath = Path.Combine(directory, assemblyName + ".received.txt");

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            await File.WriteAllTextAsync(baselinePath, actual, ct);
            File.Delete(receivedPath);
            return;
        }

        var expected = File.Exists(baselinePath)
            ? (await File.ReadAllTextAsync(baselinePath, ct)).ReplaceLineEndings("\n")
            : null;
        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        await File.WriteAllTextAsync(receivedPath, actual, ct);
        var message = new StringBuilder();
        message.Append(expected is null
            ? $"There is no API baseline for {assemblyName}."
            : $"The public API of {assemblyName} differs from its baseline (- baseline, + now):\n{Diff(expected, actual)}");
        message.Append(
            $"\nThe new surface is in {receivedPath}. If the change is intended, accept it with "
            + $"`{AcceptVariable}=1 dotnet test --project tests/Connectors.Api.Tests` and commit baselines/{assemblyName}.txt.");
        Assert.Fail(message.ToString());
    }

    [Fact]
    public void Assemblies_EveryProjectUnderSrc_IsCompared()
    {
        var root = Path.GetFullPath(Path.Combine(BaselineDirectory(), "..", "..", ".."));
        var projects = Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal)
            .ToList();
        var compared = AssemblyNames.Order(StringComparer.Ordinal).ToList();

        Assert.True(
            projects.SequenceEqual(compared),
            $"Every package under src/ needs an API baseline: add it to {nameof(PublicApiTests)}.{nameof(AssemblyNames)} and as a "
            + $"ProjectReference of Connectors.Api.Tests.csproj. src/ has [{string.Join(", ", projects)}]; the test compares [{string.Join(", ", compared)}].");
    }

    [Fact]
    public void Dump_SameAssemblyTwice_IsIdentical()
    {
        var assembly = typeof(Connectors.Testing.VirtualClock).Assembly;

        Assert.Equal(PublicApiDumper.Dump(assembly), PublicApiDumper.Dump(assembly));
    }

    [Fact]
    public void Dump_VirtualClock_ShowsKindBaseMembersAndNullability()
    {
        var dump = PublicApiDumper.Dump(typeof(Connectors.Testing.VirtualClock).Assembly);

        Assert.Contains("public sealed class Connectors.Testing.VirtualClock : System.TimeProvider\n", dump, StringComparison.Ordinal);
        Assert.Contains("  ctor public VirtualClock(System.DateTimeOffset start)\n", dump, StringComparison.Ordinal);
        Assert.Contains("  field public static readonly System.DateTimeOffset DefaultStart\n", dump, StringComparison.Ordinal);
        Assert.Contains("  property public System.Exception? AutoAdvanceCallbackException { get; }\n", dump, StringComparison.Ordinal);
        Assert.Contains("  method public override System.Threading.ITimer CreateTimer(System.Threading.TimerCallback callback, object? state, System.TimeSpan dueTime, System.TimeSpan period)\n", dump, StringComparison.Ordinal);
        Assert.DoesNotContain("VirtualTimer", dump, StringComparison.Ordinal);
    }

    /// <summary>The baselines folder in the source tree (found from the test binary's folder upwards).</summary>
    private static string BaselineDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var project = Path.Combine(directory.FullName, "tests", "Connectors.Api.Tests");
            if (File.Exists(Path.Combine(directory.FullName, "Connectors.sln")) && Directory.Exists(project))
            {
                return Directory.CreateDirectory(Path.Combine(project, "baselines")).FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Connectors.sln with tests/Connectors.Api.Tests above {AppContext.BaseDirectory}.");
    }

    /// <summary>A line diff (longest common subsequence); each changed member line names its type.</summary>
    private static string Diff(string expected, string actual)
    {
        var a = expected.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var b = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var text = new StringBuilder();
        string? typeA = null, typeB = null, shown = null;
        void Line(char sign, string line, string? owner)
        {
            if (line.StartsWith(' ') && owner is not null && owner != shown)
            {
                text.Append("  in ").Append(owner).Append('\n');
                shown = owner;
            }

            text.Append(sign).Append(' ').Append(line).Append('\n');
        }

        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                if (!a[x].StartsWith(' '))
                {
                    typeA = typeB = a[x];
                }

                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                typeB = b[y].StartsWith(' ') ? typeB : b[y];
                Line('+', b[y++], typeB);
            }
            else
            {
                typeA = a[x].StartsWith(' ') ? typeA : a[x];
                Line('-', a[x++], typeA);
            }
        }

        return text.ToString();
    }
}
