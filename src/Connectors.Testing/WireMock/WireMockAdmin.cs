using System.Globalization;
using System.Net;
using System.Text;

namespace Connectors.Testing.WireMock;

/// <summary>
/// Loads <see cref="WireMockMappingSet"/>s into any server that speaks the WireMock admin API (<c>/__admin</c>): the
/// WireMock standalone server, or WireMock.Net in a user's tests (not verified here: WireMock.Net does not restore in
/// this project's build; the sets keep to the subset of the format both read).
/// </summary>
/// <remarks>
/// Each load puts its stubs under its own path prefix and removes exactly those stubs when disposed, so tests can share
/// one server and run in parallel.
/// </remarks>
public sealed class WireMockAdmin : IDisposable
{
    /// <summary>The environment variable that holds a running WireMock server's address, for example <c>http://127.0.0.1:8080/</c>.</summary>
    public const string ServerVariable = "CONNECTORS_WIREMOCK_URL";

    private readonly HttpClient _http;
    private readonly bool _ownsClient;

    /// <summary>Initializes a new instance of the <see cref="WireMockAdmin"/> class.</summary>
    /// <param name="server">The server's address (the admin API lives at <c>__admin/</c> under it).</param>
    /// <param name="httpClient">An optional client to send the admin calls with; one is created when absent.</param>
    public WireMockAdmin(Uri server, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (!server.IsAbsoluteUri)
        {
            throw new ArgumentException($"The WireMock server address '{server}' must be absolute.", nameof(server));
        }

        Server = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        _ownsClient = httpClient is null;
        _http = httpClient ?? new HttpClient();
    }

    /// <summary>Gets the server's address, ending in <c>/</c>.</summary>
    public Uri Server { get; }

    /// <summary>Gets the server named by <see cref="ServerVariable"/>, or <see langword="null"/> when none is configured.</summary>
    /// <returns>The address, or <see langword="null"/>.</returns>
    /// <exception cref="InvalidOperationException">The variable is set but is not an absolute http(s) address.</exception>
    public static Uri? FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(ServerVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new InvalidOperationException($"{ServerVariable}='{text}' is not an absolute http(s) address.");
    }

    /// <summary>Posts every stub of a set under a path prefix.</summary>
    /// <param name="set">The set.</param>
    /// <param name="prefix">
    /// The prefix, letters, digits, '-' and '_' only; <see langword="null"/> picks a fresh one. The API's base address
    /// becomes <c>{server}/{prefix}/</c>.
    /// </param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The loaded stubs; dispose to remove them (and only them) from the server.</returns>
    /// <exception cref="HttpRequestException">The server refused a stub; the stubs posted before are removed.</exception>
    public async Task<LoadedWireMockSet> LoadAsync(WireMockMappingSet set, string? prefix = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        prefix ??= set.Vendor + "-" + Guid.NewGuid().ToString("N")[..12];
        if (prefix.Length == 0 || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"The prefix '{prefix}' may hold only letters, digits, '-' and '_'.", nameof(prefix));
        }

        var loaded = new LoadedWireMockSet(this, new Uri(Server, prefix + "/"));
        try
        {
            foreach (var mapping in set.Mappings)
            {
                var id = Guid.NewGuid();
                using var content = new StringContent(mapping.ToJson(prefix, id), Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync(new Uri(Server, "__admin/mappings"), content, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.Created && !response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    throw new HttpRequestException(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"WireMock at {Server} refused stub '{mapping.Name}' of set '{set.Vendor}': {(int)response.StatusCode} {body}"),
                        null,
                        response.StatusCode);
                }

                loaded.Add(id);
            }
        }
        catch
        {
            await loaded.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return loaded;
    }

    /// <summary>Removes one stub by id.</summary>
    /// <param name="id">The stub's id.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns><see langword="true"/> when the server removed it.</returns>
    public async Task<bool> RemoveAsync(Guid id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync(new Uri(Server, "__admin/mappings/" + id.ToString("D")), cancellationToken)
            .ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Counts the stubs the server holds (all prefixes).</summary>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The number of stubs.</returns>
    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri(Server, "__admin/mappings"), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var node = System.Text.Json.Nodes.JsonNode.Parse(text);
        return (int?)node?["meta"]?["total"] ?? node?["mappings"]?.AsArray().Count ?? 0;
    }

    /// <summary>Disposes the admin client it created.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }
}

/// <summary>The stubs of one <see cref="WireMockAdmin.LoadAsync"/> call; disposing removes them from the server.</summary>
public sealed class LoadedWireMockSet : IAsyncDisposable
{
    private readonly WireMockAdmin _admin;
    private readonly List<Guid> _ids = [];

    internal LoadedWireMockSet(WireMockAdmin admin, Uri baseAddress)
    {
        _admin = admin;
        BaseAddress = baseAddress;
    }

    /// <summary>Gets the address to give the connector as its base address (<c>{server}/{prefix}/</c>).</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets the ids of the stubs on the server.</summary>
    public IReadOnlyList<Guid> Ids => _ids;

    /// <summary>Removes this load's stubs, and only them.</summary>
    /// <returns>A task that completes when removed.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (var id in _ids)
        {
            await _admin.RemoveAsync(id).ConfigureAwait(false);
        }

        _ids.Clear();
    }

    internal void Add(Guid id) => _ids.Add(id);
}
