namespace Connectors.Http.Internal;

internal static class SafeUrl
{
    /// <summary>Scheme, host, port and path only: no user info, query string or fragment (they can hold secrets).</summary>
    public static string Format(Uri? uri)
    {
        if (uri is null)
        {
            return "(no url)";
        }

        return uri.IsAbsoluteUri
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : StripRelative(uri.OriginalString);
    }

    private static string StripRelative(string text)
    {
        var cut = text.IndexOfAny(['?', '#']);
        return cut < 0 ? text : text[..cut];
    }
}
