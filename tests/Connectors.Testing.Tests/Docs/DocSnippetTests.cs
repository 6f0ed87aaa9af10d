using System.Text.RegularExpressions;

namespace Connectors.Testing.Tests.Docs;

public sealed partial class DocSnippetTests
{
    [GeneratedRegex(@"^[ \t]*// <snippet:(?<name>[a-z-]+)>\r?\n(?<code>.*?)^[ \t]*// </snippet>", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Snippet();

    [Fact]
    public void WireMockDoc_QuotesEverySnippetVerbatim()
    {
        var source = File.ReadAllText(RepositoryFile("tests", "Connectors.Testing.Tests", "WireMock", "WireMockServerTests.cs")).ReplaceLineEndings("\n");
        var doc = File.ReadAllText(RepositoryFile("docs", "wiremock.md")).ReplaceLineEndings("\n");
        var snippets = Snippet().Matches(source);

        Assert.NotEmpty(snippets);
        foreach (Match snippet in snippets)
        {
            var code = Dedent(snippet.Groups["code"].Value);
            Assert.True(doc.Contains(code, StringComparison.Ordinal), $"docs/wiremock.md does not quote snippet '{snippet.Groups["name"].Value}':\n{code}");
        }
    }

    private static string RepositoryFile(params string[] parts)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Connectors.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return Path.Combine([directory.FullName, .. parts]);
    }

    private static string Dedent(string code)
    {
        var lines = code.TrimEnd('\n').Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }
}
