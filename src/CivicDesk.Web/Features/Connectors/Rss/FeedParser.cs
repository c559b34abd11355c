using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace CivicDesk.Web.Features.Connectors.Rss;

/// <summary>One item of a feed, reduced to what a message needs.</summary>
/// <param name="Id">guid / id; else the link; else "sha256:" of title and date (so a feed without ids still dedupes).</param>
/// <param name="Title">Title as text.</param>
/// <param name="Text">Content or summary/description, HTML stripped to text.</param>
/// <param name="Link">The item's web page.</param>
/// <param name="Author">Author name or address.</param>
/// <param name="Published">Published instant (UTC), if given and readable.</param>
/// <param name="Updated">Updated instant (UTC), if given and readable.</param>
public sealed record FeedItem(string Id, string? Title, string? Text, string? Link, string? Author, DateTime? Published, DateTime? Updated)
{
    /// <summary>What a message shows: title, then text.</summary>
    public string MessageText => string.Join("\n", new[] { Title, Text }.Where(s => !string.IsNullOrWhiteSpace(s)));

    /// <summary>A short fingerprint of <see cref="MessageText"/>: a changed fingerprint under the same id is an edit.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(MessageText)))[..16];
}

/// <summary>A parsed feed.</summary>
/// <param name="Format">"rss 2.0", "rss 0.91", "rdf", "atom 1.0", "atom 0.3".</param>
/// <param name="Title">The feed's title.</param>
/// <param name="Items">Its items in document order.</param>
public sealed record FeedDocument(string Format, string? Title, IReadOnlyList<FeedItem> Items);

/// <summary>The bytes are not a feed this parser reads (not XML, too big, or another document).</summary>
public sealed class FeedFormatException : Exception
{
    public FeedFormatException() { }

    public FeedFormatException(string message) : base(message) { }

    public FeedFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Reads RSS 0.9x, 1.0 (RDF) and 2.0 and Atom 0.3 and 1.0. Safe on hostile input: the DTD of a document is skipped,
/// never processed (no entity expansion, no external fetch — <see cref="XmlReaderSettings.XmlResolver"/> is null), so
/// a billion-laughs feed fails as malformed; Netscape's RSS 0.91 DOCTYPE is tolerated rather than refused. Documents
/// over <see cref="MaxBytes"/> are refused. Feeds with a bare "&amp;" or HTML entities ("&amp;nbsp;") are common in
/// the wild and not well-formed XML: those are repaired and read once more (gofeed's corpus has such cases).
/// </summary>
public static partial class FeedParser
{
    public const int MaxBytes = 4 * 1024 * 1024;

    private const string Atom10 = "http://www.w3.org/2005/Atom";
    private const string ContentNs = "http://purl.org/rss/1.0/modules/content/";
    private const string RdfNs = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        CheckCharacters = false,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = MaxBytes,
        MaxCharactersFromEntities = 0,
    };

    /// <summary>HTML entities feeds use without declaring them, as XML character references.</summary>
    private static readonly Dictionary<string, string> HtmlEntities = new(StringComparer.Ordinal)
    {
        ["nbsp"] = "&#160;", ["copy"] = "&#169;", ["reg"] = "&#174;", ["pound"] = "&#163;", ["euro"] = "&#8364;",
        ["hellip"] = "&#8230;", ["mdash"] = "&#8212;", ["ndash"] = "&#8211;", ["lsquo"] = "&#8216;", ["rsquo"] = "&#8217;",
        ["ldquo"] = "&#8220;", ["rdquo"] = "&#8221;", ["trade"] = "&#8482;", ["bull"] = "&#8226;", ["middot"] = "&#183;",
    };

    /// <summary>Parses a feed or throws <see cref="FeedFormatException"/> saying why not.</summary>
    public static FeedDocument Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxBytes)
        {
            throw new FeedFormatException($"Feed is {bytes.Length:N0} bytes; the limit is {MaxBytes:N0}.");
        }

        XDocument document;
        try
        {
            document = Load(bytes.ToArray());
        }
        catch (XmlException first)
        {
            var repaired = Repair(bytes);
            if (repaired is null)
            {
                throw new FeedFormatException($"Not well-formed XML: {first.Message}", first);
            }

            try
            {
                document = Load(repaired);
            }
            catch (XmlException)
            {
                throw new FeedFormatException($"Not well-formed XML: {first.Message}", first);
            }
        }

        try
        {
            return Read(document);
        }
        catch (RegexMatchTimeoutException e)
        {
            // Hostile or pathological markup (found in review: thousands of unclosed script tags) can run the
            // tag-stripping patterns past their timeout. That is this feed's fault: refuse it with a reason so the
            // connector reports it and reads the feeds after it in the same poll.
            throw new FeedFormatException(
                $"Item markup too long or too complex to read within {e.MatchTimeout.TotalSeconds:0.#} s.", e);
        }
    }

    /// <summary>Parses a feed; false with the reason when it cannot.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out FeedDocument? feed, out string? problem)
    {
        try
        {
            feed = Parse(bytes);
            problem = null;
            return true;
        }
        catch (FeedFormatException e)
        {
            feed = null;
            problem = e.Message;
            return false;
        }
    }

    private static XDocument Load(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        using var reader = XmlReader.Create(stream, Settings);
        return XDocument.Load(reader);
    }

    /// <summary>Bare ampersands escaped, known HTML entities made numeric; null when there is nothing to repair.</summary>
    private static byte[]? Repair(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IndexOf((byte)'&') < 0 && !HasControl(bytes))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes);
        // Control characters (other than tab and line breaks) are never allowed in XML 1.0; feeds copy them from word processors.
        text = string.Concat(text.Where(c => c >= ' ' || c is '\t' or '\n' or '\r'));
        var repaired = Ampersand().Replace(text, m =>
        {
            var name = m.Groups["name"].Value;
            return m.Groups["ref"].Success && (name.StartsWith('#') || name is "amp" or "lt" or "gt" or "quot" or "apos") ? m.Value
                : m.Groups["ref"].Success && HtmlEntities.TryGetValue(name, out var numeric) ? numeric
                : "&amp;" + m.Value[1..];
        });
        return Encoding.UTF8.GetBytes(repaired);
    }

    private static bool HasControl(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                return true;
            }
        }

        return false;
    }

    private static FeedDocument Read(XDocument document)
    {
        var root = document.Root ?? throw new FeedFormatException("Empty document.");
        switch (root.Name.LocalName)
        {
            case "rss":
                {
                    var channel = Child(root, "channel");
                    var items = channel is null ? [] : channel.Elements().Where(e => e.Name.LocalName == "item").Select(ReadRssItem).ToList();
                    return new FeedDocument("rss " + ((string?)root.Attribute("version") ?? "?"), Text(Child(channel, "title")), items);
                }

            case "RDF":
                {
                    var channel = Child(root, "channel");
                    // RSS 0.90 and 1.0 put items beside the channel; some writers nest them in it.
                    var items = root.Elements().Concat(channel?.Elements() ?? []).Where(e => e.Name.LocalName == "item").Select(ReadRssItem).ToList();
                    return new FeedDocument("rdf", Text(Child(channel, "title")), items);
                }

            case "feed":
                {
                    var atom10 = root.Name.NamespaceName == Atom10;
                    var items = root.Elements().Where(e => e.Name.LocalName == "entry").Select(e => ReadAtomEntry(e, atom10)).ToList();
                    return new FeedDocument(atom10 ? "atom 1.0" : "atom 0.3", AtomText(Child(root, "title"), atom10), items);
                }

            default:
                throw new FeedFormatException($"Not a feed: the root element is <{root.Name.LocalName}>.");
        }
    }

    private static FeedItem ReadRssItem(XElement item)
    {
        var title = HtmlToText(Text(Child(item, "title")));
        var encoded = item.Elements().FirstOrDefault(e => e.Name.LocalName == "encoded" && e.Name.NamespaceName == ContentNs);
        var body = HtmlToText(Text(encoded) is { Length: > 0 } c ? c : Text(Child(item, "description")));
        var link = Resolve(item, item.Elements().Where(e => e.Name.LocalName == "link")
            .Select(e => NonEmpty(e.Value.Trim()) ?? NonEmpty(((string?)e.Attribute("href"))?.Trim()))
            .FirstOrDefault(l => l is not null));
        var author = HtmlToText(Text(Child(item, "author")) ?? Text(Child(item, "creator")));
        var published = ParseDate(Text(Child(item, "pubDate")) ?? Text(Child(item, "date")));
        var id = NonEmpty(Text(Child(item, "guid"))) ?? NonEmpty((string?)item.Attribute(XName.Get("about", RdfNs))) ?? link ?? HashId(title, published);
        return new FeedItem(id, title, body, link, author, published, null);
    }

    private static FeedItem ReadAtomEntry(XElement entry, bool atom10)
    {
        var title = AtomText(Child(entry, "title"), atom10);
        var body = AtomText(Child(entry, "content"), atom10) is { Length: > 0 } c ? c : AtomText(Child(entry, "summary"), atom10);
        var links = entry.Elements().Where(e => e.Name.LocalName == "link").ToList();
        var link = links.Where(l => (string?)l.Attribute("rel") is null or "alternate").Select(l => NonEmpty(((string?)l.Attribute("href"))?.Trim())).FirstOrDefault(l => l is not null)
            ?? links.Select(l => NonEmpty(((string?)l.Attribute("href"))?.Trim())).FirstOrDefault(l => l is not null);
        link = Resolve(entry, link);
        var author = Child(entry, "author") is { } a ? HtmlToText(Text(Child(a, "name")) ?? Text(Child(a, "email"))) : null;
        var published = ParseDate(Text(Child(entry, "published")) ?? Text(Child(entry, "issued")) ?? Text(Child(entry, "created")));
        var updated = ParseDate(Text(Child(entry, "updated")) ?? Text(Child(entry, "modified")));
        var id = Resolve(entry, NonEmpty(Text(Child(entry, "id")))) ?? link ?? HashId(title, published ?? updated);
        return new FeedItem(id, title, body, link, author, published, updated);
    }

    /// <summary>An Atom text construct as plain text: type text/html/xhtml (1.0), mode escaped/xml/base64 (0.3), or base64 for other media types.</summary>
    private static string? AtomText(XElement? element, bool atom10)
    {
        if (element is null)
        {
            return null;
        }

        var type = ((string?)element.Attribute("type"))?.Trim().ToLowerInvariant() ?? "text";
        var mode = ((string?)element.Attribute("mode"))?.Trim().ToLowerInvariant();
        var xmlMedia = type.EndsWith("/xml", StringComparison.Ordinal) || type.EndsWith("+xml", StringComparison.Ordinal);
        var inlineMarkup = type == "xhtml" || mode == "xml" || (xmlMedia && element.HasElements);
        if (inlineMarkup && element.HasElements)
        {
            // Inline XHTML (Atom 1.0 type="xhtml", Atom 0.3 mode="xml"): the markup is child elements.
            return HtmlToText(string.Concat(element.Nodes().Select(n => n.ToString(SaveOptions.DisableFormatting))));
        }

        var value = element.Value;
        var binary = atom10 && type is not ("text" or "html" or "xhtml") && !type.StartsWith("text/", StringComparison.Ordinal) && !xmlMedia;
        if ((mode == "base64" || binary) && FromBase64Text(value) is { } decoded)
        {
            return HtmlToText(decoded);
        }

        // XML media types hold XML as text: show it as written, not as HTML.
        return xmlMedia ? NonEmpty(value.Trim()) : HtmlToText(value);
    }

    /// <summary>Base64 that decodes to UTF-8 text, else null (an unknown type with plain text in it stays text).</summary>
    private static string? FromBase64Text(string value)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(value.Trim()));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Markup to readable text: script and style dropped, block ends and &lt;br&gt; as line breaks, other tags removed,
    /// entities decoded, runs of spaces collapsed. Razor encodes the result again when it is shown.
    /// </summary>
    public static string? HtmlToText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return null;
        }

        var text = html.Contains('<', StringComparison.Ordinal)
            ? Tag().Replace(ScriptOrStyle().Replace(html, " "), m => BlockTag().IsMatch(m.Value) ? "\n" : " ")
            : html;
        text = System.Net.WebUtility.HtmlDecode(text);
        var builder = new StringBuilder(text.Length);
        var space = false;
        var newline = false;
        foreach (var ch in text)
        {
            if (ch is '\n' or '\r')
            {
                newline = true;
            }
            else if (char.IsWhiteSpace(ch) || char.IsControl(ch))
            {
                space = true;
            }
            else
            {
                if (builder.Length > 0 && (newline || space))
                {
                    builder.Append(newline ? '\n' : ' ');
                }

                builder.Append(ch);
                space = newline = false;
            }
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    /// <summary>
    /// RFC 822/1123 dates as feeds write them (day name optional, 2- or 4-digit year, seconds optional, zones as
    /// "GMT", "UT", "Z", "EST"/"EDT"/"CST"/"CDT"/"MST"/"MDT"/"PST"/"PDT", "BST", military letters or "+0100") and ISO 8601.
    /// Null when unreadable: an item without a date is still an item.
    /// </summary>
    public static DateTime? ParseDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var s = value.Trim();
        if (char.IsDigit(s[0]) && s.Length >= 10 && s[4] == '-'
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var iso))
        {
            return iso.UtcDateTime;
        }

        // Drop the day name ("Sun, "), then replace a named zone with its offset.
        var comma = s.IndexOf(',', StringComparison.Ordinal);
        if (comma is > 0 and < 12)
        {
            s = s[(comma + 1)..].Trim();
        }

        var parts = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length >= 4)
        {
            var zone = parts.Length >= 5 ? parts[^1] : "GMT";
            var offset = Zone(zone);
            var body = string.Join(' ', parts.Length >= 5 ? parts[..^1] : parts);
            string[] formats = ["d MMM yyyy HH:mm:ss", "d MMM yyyy HH:mm", "d MMM yy HH:mm:ss", "d MMM yy HH:mm", "d MMMM yyyy HH:mm:ss", "d MMM yyyy H:mm:ss"];
            if (offset is not null && DateTime.TryParseExact(body, formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var local))
            {
                return DateTime.SpecifyKind(local - offset.Value, DateTimeKind.Utc);
            }
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var any)
            ? any.UtcDateTime : null;
    }

    private static TimeSpan? Zone(string zone)
    {
        if (zone.Length == 5 && zone[0] is '+' or '-' && int.TryParse(zone[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var hhmm))
        {
            var span = new TimeSpan(hhmm / 100, hhmm % 100, 0);
            return zone[0] == '-' ? -span : span;
        }

        return zone.ToUpperInvariant() switch
        {
            "GMT" or "UT" or "UTC" or "Z" => TimeSpan.Zero,
            "BST" => TimeSpan.FromHours(1),
            "CET" => TimeSpan.FromHours(1),
            "CEST" => TimeSpan.FromHours(2),
            "EST" => TimeSpan.FromHours(-5),
            "EDT" => TimeSpan.FromHours(-4),
            "CST" => TimeSpan.FromHours(-6),
            "CDT" => TimeSpan.FromHours(-5),
            "MST" => TimeSpan.FromHours(-7),
            "MDT" => TimeSpan.FromHours(-6),
            "PST" => TimeSpan.FromHours(-8),
            "PDT" => TimeSpan.FromHours(-7),
            // RFC 822 military zones: RFC 1123 §5.2.14 says their signs were printed backwards, so read them as UTC.
            { Length: 1 } => TimeSpan.Zero,
            _ => null,
        };
    }

    /// <summary>A relative reference made absolute against the xml:base in scope (RFC 3986 resolution, outermost base first).</summary>
    private static string? Resolve(XElement element, string? reference)
    {
        if (reference is null || Uri.TryCreate(reference, UriKind.Absolute, out _))
        {
            return reference;
        }

        Uri? baseUri = null;
        foreach (var scope in element.AncestorsAndSelf().Reverse())
        {
            if ((string?)scope.Attribute(XNamespace.Xml + "base") is { } b)
            {
                baseUri = baseUri is null ? (Uri.TryCreate(b, UriKind.Absolute, out var abs) ? abs : null)
                    : Uri.TryCreate(baseUri, b, out var combined) ? combined : baseUri;
            }
        }

        return baseUri is not null && Uri.TryCreate(baseUri, reference, out var resolved) ? resolved.ToString() : reference;
    }

    private static string HashId(string? title, DateTime? date) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{title}\n{date:O}")))[..32];

    private static XElement? Child(XElement? parent, string localName) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    private static string? Text(XElement? element) => element is null ? null : NonEmpty(element.Value.Trim());

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    [GeneratedRegex(@"&(?<ref>(?<name>#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)?", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Ampersand();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Tag();

    [GeneratedRegex(@"^</?(p|div|br|li|ul|ol|h[1-6]|tr|blockquote|pre)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"<(script|style)\b[^>]*>.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex ScriptOrStyle();
}
