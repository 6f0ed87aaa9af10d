using System.Reflection;
using System.Text.Json.Nodes;

namespace Connectors.Testing.WireMock;

/// <summary>
/// A named set of stubs in the standard WireMock JSON mapping format, for one vendor's API. The stubs use only the part
/// of the format that both the WireMock standalone server and WireMock.Net read: <c>url</c> / <c>urlPath</c>,
/// <c>method</c>, <c>queryParameters</c> and <c>headers</c> with <c>equalTo</c>, <c>bodyPatterns</c> with
/// <c>equalToJson</c>, and a static response (<c>status</c>, <c>headers</c>, <c>jsonBody</c>) — no templating, no
/// scenarios. Paths in a set start at the API's base address; <see cref="WireMockAdmin.LoadAsync"/> puts them under
/// a prefix, which becomes the connector's base address.
/// </summary>
public sealed class WireMockMappingSet
{
    private const string ResourcePrefix = "Connectors.Testing.WireMock.Sets.";

    private static readonly HashSet<string> AllowedRequestKeys =
        new(StringComparer.Ordinal) { "method", "url", "urlPath", "queryParameters", "headers", "bodyPatterns" };

    private static readonly HashSet<string> AllowedResponseKeys = new(StringComparer.Ordinal) { "status", "headers", "jsonBody" };

    private static readonly HashSet<string> AllowedMatchers = new(StringComparer.Ordinal) { "equalTo", "equalToJson" };

    private WireMockMappingSet(string vendor, IReadOnlyList<WireMockMapping> mappings)
    {
        Vendor = vendor;
        Mappings = mappings;
    }

    /// <summary>Gets the vendor the set fakes, for example <c>generic</c>.</summary>
    public string Vendor { get; }

    /// <summary>Gets the stubs, in a stable order (by file name).</summary>
    public IReadOnlyList<WireMockMapping> Mappings { get; }

    /// <summary>Gets the vendors whose sets ship in this package.</summary>
    /// <returns>The vendor ids, sorted.</returns>
    public static IReadOnlyList<string> AvailableVendors() =>
        [.. typeof(WireMockMappingSet).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..].Split('/')[0])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    /// <summary>Loads the set that ships in this package for a vendor.</summary>
    /// <param name="vendor">The vendor id, for example <c>generic</c>.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentException">No set ships for the vendor.</exception>
    /// <exception cref="FormatException">A stub is not valid JSON or uses a part of the format outside the common subset.</exception>
    public static WireMockMappingSet ForVendor(string vendor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vendor);
        var assembly = typeof(WireMockMappingSet).Assembly;
        var prefix = ResourcePrefix + vendor + "/";
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (names.Count == 0)
        {
            throw new ArgumentException(
                $"No WireMock mapping set ships for vendor '{vendor}'. Available: {string.Join(", ", AvailableVendors())}.",
                nameof(vendor));
        }

        var mappings = new List<WireMockMapping>(names.Count);
        foreach (var name in names)
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            mappings.Add(Parse(name[prefix.Length..], reader.ReadToEnd()));
        }

        return new WireMockMappingSet(vendor, mappings);
    }

    /// <summary>Builds a set from mapping documents (for a connector author's own sets).</summary>
    /// <param name="vendor">The vendor id.</param>
    /// <param name="documents">Pairs of a name (used in error messages) and a WireMock mapping JSON document.</param>
    /// <returns>The set.</returns>
    /// <exception cref="FormatException">A stub is not valid JSON or uses a part of the format outside the common subset.</exception>
    public static WireMockMappingSet FromJson(string vendor, IEnumerable<KeyValuePair<string, string>> documents)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vendor);
        ArgumentNullException.ThrowIfNull(documents);
        return new WireMockMappingSet(vendor, [.. documents.Select(d => Parse(d.Key, d.Value))]);
    }

    private static WireMockMapping Parse(string name, string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException($"WireMock stub '{name}': the document is not a JSON object.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new FormatException($"WireMock stub '{name}': not valid JSON ({e.Message}).", e);
        }

        foreach (var property in root)
        {
            if (property.Key is not ("request" or "response" or "priority"))
            {
                throw new FormatException($"WireMock stub '{name}': '$.{property.Key}' is outside the subset both WireMock servers read.");
            }
        }

        var request = root["request"] as JsonObject ?? throw new FormatException($"WireMock stub '{name}': '$.request' is missing.");
        var response = root["response"] as JsonObject ?? throw new FormatException($"WireMock stub '{name}': '$.response' is missing.");
        Check(name, "request", request, AllowedRequestKeys);
        Check(name, "response", response, AllowedResponseKeys);
        var path = (string?)request["urlPath"] ?? (string?)request["url"]
            ?? throw new FormatException($"WireMock stub '{name}': '$.request' needs 'url' or 'urlPath'.");
        if (!path.StartsWith('/'))
        {
            throw new FormatException($"WireMock stub '{name}': '$.request.url' must start with '/' (it is relative to the API's base address).");
        }

        foreach (var section in new[] { "queryParameters", "headers" })
        {
            if (request[section] is JsonObject matchers)
            {
                foreach (var matcher in matchers)
                {
                    CheckMatcher(name, $"$.request.{section}.{matcher.Key}", matcher.Value);
                }
            }
        }

        if (request["bodyPatterns"] is JsonArray patterns)
        {
            for (var i = 0; i < patterns.Count; i++)
            {
                CheckMatcher(name, $"$.request.bodyPatterns[{i}]", patterns[i]);
            }
        }

        if (response["status"] is null)
        {
            throw new FormatException($"WireMock stub '{name}': '$.response.status' is missing.");
        }

        return new WireMockMapping(name, root);
    }

    private static void Check(string name, string section, JsonObject node, HashSet<string> allowed)
    {
        foreach (var property in node)
        {
            if (!allowed.Contains(property.Key))
            {
                throw new FormatException(
                    $"WireMock stub '{name}': '$.{section}.{property.Key}' is outside the subset both WireMock servers read.");
            }
        }
    }

    private static void CheckMatcher(string name, string path, JsonNode? node)
    {
        if (node is not JsonObject matcher)
        {
            throw new FormatException($"WireMock stub '{name}': '{path}' must be an object such as {{\"equalTo\": \"…\"}}.");
        }

        foreach (var property in matcher)
        {
            if (!AllowedMatchers.Contains(property.Key) && property.Key is not ("ignoreArrayOrder" or "ignoreExtraElements"))
            {
                throw new FormatException(
                    $"WireMock stub '{name}': '{path}.{property.Key}' is outside the subset both WireMock servers read (equalTo, equalToJson).");
            }
        }
    }
}

/// <summary>One stub of a <see cref="WireMockMappingSet"/>.</summary>
public sealed class WireMockMapping
{
    private readonly JsonObject _document;

    internal WireMockMapping(string name, JsonObject document)
    {
        Name = name;
        _document = document;
    }

    /// <summary>Gets the stub's name (its file name in the set).</summary>
    public string Name { get; }

    /// <summary>Gets the HTTP method the stub answers.</summary>
    public string Method => (string?)_document["request"]!["method"] ?? "ANY";

    /// <summary>Gets the path the stub answers, relative to the API's base address (starts with <c>/</c>).</summary>
    public string Path => (string?)_document["request"]!["urlPath"] ?? (string)_document["request"]!["url"]!;

    /// <summary>Gets the status the stub answers.</summary>
    public int Status => (int)_document["response"]!["status"]!;

    /// <summary>Renders the stub under a path prefix with a given id, as the admin API takes it.</summary>
    /// <param name="prefix">The prefix, without slashes at either end (for example <c>test-3f2a</c>).</param>
    /// <param name="id">The id the stub gets on the server.</param>
    /// <returns>The JSON document.</returns>
    public string ToJson(string prefix, Guid id)
    {
        var copy = (JsonObject)_document.DeepClone();
        var request = (JsonObject)copy["request"]!;
        var key = request.ContainsKey("urlPath") ? "urlPath" : "url";
        request[key] = "/" + prefix + (string)request[key]!;
        copy["id"] = id.ToString("D");
        return copy.ToJsonString();
    }
}
