using System.Text;

namespace CivicDesk.Web.Features.Connectors.Bluesky;

/// <summary>
/// Decides which posts the connector keeps: those mentioning the organisation (its handles in the text, its DIDs in
/// mention facets), those matching a configured keyword or hashtag, and everything from explicitly watched authors.
/// <see cref="MayMatch"/> is a cheap check on the raw JSON bytes that lets the parser skip building a record for the
/// vast majority of a firehose that cannot match; <see cref="Matches"/> is the exact check. The sink's listening
/// searches apply after this.
/// </summary>
public sealed class BlueskyFilter
{
    private readonly string[] _handles;
    private readonly HashSet<string> _dids;
    private readonly string[] _keywords;
    private readonly HashSet<string> _authors;
    private readonly byte[][] _rawTerms;
    private readonly bool _rawCheckUsable;

    public BlueskyFilter(IEnumerable<string> handles, IEnumerable<string> dids, IEnumerable<string> keywords, IEnumerable<string>? authorDids = null)
    {
        _handles = Clean(handles).Select(h => h.TrimStart('@')).ToArray();
        _dids = new HashSet<string>(Clean(dids), StringComparer.Ordinal);
        _keywords = Clean(keywords).Select(k => k.TrimStart('#')).Where(k => k.Length > 0).ToArray();
        _authors = new HashSet<string>(Clean(authorDids ?? []), StringComparer.Ordinal);
        var raw = _handles.Concat(_dids).Concat(_keywords).ToArray();
        // Go's JSON encoder (Jetstream) escapes <, > and & and any encoder may escape non-ASCII, so a raw byte search
        // is only sound for plain ASCII terms; with any other term every post is parsed.
        _rawCheckUsable = raw.All(t => t.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or ' '));
        _rawTerms = raw.Select(t => Encoding.ASCII.GetBytes(t.ToLowerInvariant())).ToArray();
    }

    /// <summary>Keeps nothing: a connector with no handle, DID, keyword or watched author configured.</summary>
    public bool IsEmpty => _handles.Length == 0 && _dids.Count == 0 && _keywords.Length == 0 && _authors.Count == 0;

    /// <summary>False only when the raw event cannot match; true means "parse it and ask <see cref="Matches"/>".</summary>
    public bool MayMatch(ReadOnlySpan<byte> rawJson, string? authorDid)
    {
        if (authorDid is not null && _authors.Contains(authorDid))
        {
            return true;
        }

        if (!_rawCheckUsable)
        {
            return true;
        }

        foreach (var term in _rawTerms)
        {
            if (ContainsIgnoreAsciiCase(rawJson, term))
            {
                return true;
            }
        }

        return false;
    }

    public bool Matches(string authorDid, PostRecord post)
    {
        if (_authors.Contains(authorDid) || IsDirect(post))
        {
            return true;
        }

        var text = post.Text ?? "";
        foreach (var keyword in _keywords)
        {
            if (text.Contains(keyword, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        foreach (var feature in post.Facets?.SelectMany(f => f.Features ?? []) ?? [])
        {
            if (feature.Tag is { } tag && _keywords.Any(k => string.Equals(k, tag, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Addressed to the organisation: mentions one of its handles in the text or its DID in a mention facet, or
    /// replies to one of its posts. The sink keeps such posts without a listening search (<c>IsDirect</c>).
    /// </summary>
    public bool IsDirect(PostRecord post)
    {
        var text = post.Text ?? "";
        foreach (var handle in _handles)
        {
            if (ContainsMention(text, handle))
            {
                return true;
            }
        }

        if (_dids.Count == 0)
        {
            return false;
        }

        if (post.Reply?.Parent?.Uri is { } parent && AtProto.AtSyntax.TryParseAtUri(parent, out var p) && _dids.Contains(p.Authority))
        {
            return true;
        }

        return post.Facets?.SelectMany(f => f.Features ?? []).Any(f => f.Did is { } did && _dids.Contains(did)) == true;
    }

    private static bool ContainsMention(string text, string handle)
    {
        var at = 0;
        while ((at = text.IndexOf('@', at)) >= 0)
        {
            at++;
            if (string.Compare(text, at, handle, 0, handle.Length, StringComparison.OrdinalIgnoreCase) == 0)
            {
                var end = at + handle.Length;
                // "@council.test" must not match "@council.testing.example".
                if (end == text.Length || !(char.IsAsciiLetterOrDigit(text[end]) || text[end] is '-' or '_'
                    || (text[end] == '.' && end + 1 < text.Length && char.IsAsciiLetterOrDigit(text[end + 1]))))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool ContainsIgnoreAsciiCase(ReadOnlySpan<byte> haystack, byte[] lowerTerm)
    {
        if (lowerTerm.Length == 0)
        {
            return false;
        }

        var first = lowerTerm[0];
        var upper = (byte)char.ToUpperInvariant((char)first);
        while (haystack.Length >= lowerTerm.Length)
        {
            var i = haystack.IndexOfAny(first, upper);
            if (i < 0 || haystack.Length - i < lowerTerm.Length)
            {
                return false;
            }

            if (System.Text.Ascii.EqualsIgnoreCase(haystack.Slice(i, lowerTerm.Length), lowerTerm))
            {
                return true;
            }

            haystack = haystack[(i + 1)..];
        }

        return false;
    }

    private static IEnumerable<string> Clean(IEnumerable<string> values) =>
        values.Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>Splits a setting such as "pothole, #bins , flytipping" into its items.</summary>
    public static string[] SplitList(string? setting) =>
        setting?.Split([',', '\n', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
}
