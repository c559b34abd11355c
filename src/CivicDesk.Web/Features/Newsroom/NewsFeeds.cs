using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace CivicDesk.Web.Features.Newsroom;

/// <summary>One post as every feed format needs it.</summary>
public sealed record FeedEntry(string Url, string Title, string Summary, string Html, DateTime Published, DateTime Updated, IReadOnlyList<string> Tags,
    FeedEnclosure? Image);

public sealed record FeedEnclosure(string Url, string ContentType, long Length, string AltText);

/// <summary>The feed itself: its own address (the id), the page it describes, its title.</summary>
public sealed record FeedInfo(string Title, string PageUrl, string AtomUrl, string RssUrl, string JsonUrl, string Author);

/// <summary>
/// Atom 1.0 (RFC 4287), RSS 2.0 and JSON Feed 1.1 from the same entries. Ids are the posts' permanent URLs (slugs
/// never change once published), dates are RFC 3339 in Atom/JSON and RFC 822 in RSS, and the first image is an
/// enclosure (RSS enclosure, Atom link rel="enclosure", JSON attachments) with its real length and type.
/// </summary>
public static class NewsFeeds
{
    private static XmlWriterSettings Settings => new() { Encoding = new UTF8Encoding(false), Indent = false, Async = false };

    public static string Atom(FeedInfo feed, IReadOnlyList<FeedEntry> entries)
    {
        using var stream = new MemoryStream();
        using (var w = XmlWriter.Create(stream, Settings))
        {
            const string ns = "http://www.w3.org/2005/Atom";
            w.WriteStartDocument();
            w.WriteStartElement("feed", ns);
            w.WriteElementString("id", ns, feed.AtomUrl);
            w.WriteElementString("title", ns, feed.Title);
            w.WriteElementString("updated", ns, Rfc3339(entries.Count == 0 ? DateTime.UnixEpoch : entries.Max(e => e.Updated)));
            Link(w, ns, "self", feed.AtomUrl, "application/atom+xml");
            Link(w, ns, "alternate", feed.PageUrl, "text/html");
            w.WriteStartElement("author", ns);
            w.WriteElementString("name", ns, feed.Author);
            w.WriteEndElement();
            foreach (var e in entries)
            {
                w.WriteStartElement("entry", ns);
                w.WriteElementString("id", ns, e.Url);
                w.WriteElementString("title", ns, e.Title);
                w.WriteElementString("published", ns, Rfc3339(e.Published));
                w.WriteElementString("updated", ns, Rfc3339(e.Updated));
                Link(w, ns, "alternate", e.Url, "text/html");
                if (e.Image is { } img)
                {
                    w.WriteStartElement("link", ns);
                    w.WriteAttributeString("rel", "enclosure");
                    w.WriteAttributeString("href", img.Url);
                    w.WriteAttributeString("type", img.ContentType);
                    w.WriteAttributeString("length", img.Length.ToString(CultureInfo.InvariantCulture));
                    w.WriteAttributeString("title", img.AltText);
                    w.WriteEndElement();
                }

                foreach (var tag in e.Tags)
                {
                    w.WriteStartElement("category", ns);
                    w.WriteAttributeString("term", tag);
                    w.WriteEndElement();
                }

                w.WriteStartElement("summary", ns);
                w.WriteAttributeString("type", "text");
                w.WriteString(e.Summary);
                w.WriteEndElement();
                w.WriteStartElement("content", ns);
                w.WriteAttributeString("type", "html");
                w.WriteString(e.Html);
                w.WriteEndElement();
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string Rss(FeedInfo feed, IReadOnlyList<FeedEntry> entries)
    {
        using var stream = new MemoryStream();
        using (var w = XmlWriter.Create(stream, Settings))
        {
            const string atom = "http://www.w3.org/2005/Atom";
            w.WriteStartDocument();
            w.WriteStartElement("rss");
            w.WriteAttributeString("version", "2.0");
            w.WriteAttributeString("xmlns", "atom", null, atom);
            w.WriteStartElement("channel");
            w.WriteElementString("title", feed.Title);
            w.WriteElementString("link", feed.PageUrl);
            w.WriteElementString("description", $"News from {feed.Author}");
            w.WriteElementString("language", "en-gb");
            if (entries.Count > 0)
            {
                w.WriteElementString("lastBuildDate", Rfc822(entries.Max(e => e.Updated)));
            }

            w.WriteStartElement("atom", "link", atom);
            w.WriteAttributeString("href", feed.RssUrl);
            w.WriteAttributeString("rel", "self");
            w.WriteAttributeString("type", "application/rss+xml");
            w.WriteEndElement();
            foreach (var e in entries)
            {
                w.WriteStartElement("item");
                w.WriteElementString("title", e.Title);
                w.WriteElementString("link", e.Url);
                w.WriteStartElement("guid");
                w.WriteAttributeString("isPermaLink", "true");
                w.WriteString(e.Url);
                w.WriteEndElement();
                w.WriteElementString("pubDate", Rfc822(e.Published));
                w.WriteElementString("description", e.Html);
                foreach (var tag in e.Tags)
                {
                    w.WriteElementString("category", tag);
                }

                if (e.Image is { } img)
                {
                    w.WriteStartElement("enclosure");
                    w.WriteAttributeString("url", img.Url);
                    w.WriteAttributeString("length", img.Length.ToString(CultureInfo.InvariantCulture));
                    w.WriteAttributeString("type", img.ContentType);
                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteEndElement();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>JSON Feed 1.1 (https://jsonfeed.org/version/1.1).</summary>
    public static string Json(FeedInfo feed, IReadOnlyList<FeedEntry> entries)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("version", "https://jsonfeed.org/version/1.1");
            w.WriteString("title", feed.Title);
            w.WriteString("home_page_url", feed.PageUrl);
            w.WriteString("feed_url", feed.JsonUrl);
            w.WriteString("language", "en-GB");
            w.WriteStartArray("authors");
            w.WriteStartObject();
            w.WriteString("name", feed.Author);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("items");
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WriteString("id", e.Url);
                w.WriteString("url", e.Url);
                w.WriteString("title", e.Title);
                w.WriteString("summary", e.Summary);
                w.WriteString("content_html", e.Html);
                w.WriteString("date_published", Rfc3339(e.Published));
                w.WriteString("date_modified", Rfc3339(e.Updated));
                if (e.Tags.Count > 0)
                {
                    w.WriteStartArray("tags");
                    foreach (var t in e.Tags)
                    {
                        w.WriteStringValue(t);
                    }

                    w.WriteEndArray();
                }

                if (e.Image is { } img)
                {
                    w.WriteString("image", img.Url);
                    w.WriteStartArray("attachments");
                    w.WriteStartObject();
                    w.WriteString("url", img.Url);
                    w.WriteString("mime_type", img.ContentType);
                    w.WriteString("title", img.AltText);
                    w.WriteNumber("size_in_bytes", img.Length);
                    w.WriteEndObject();
                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Link(XmlWriter w, string ns, string rel, string href, string type)
    {
        w.WriteStartElement("link", ns);
        w.WriteAttributeString("rel", rel);
        w.WriteAttributeString("href", href);
        w.WriteAttributeString("type", type);
        w.WriteEndElement();
    }

    public static string Rfc3339(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Rfc822(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);
}
