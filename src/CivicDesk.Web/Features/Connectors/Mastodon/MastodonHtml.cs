using System.Net;
using System.Text;

namespace CivicDesk.Web.Features.Connectors.Mastodon;

/// <summary>
/// Turns the HTML Mastodon puts in <c>content</c> into plain text for triage and the inbox. Mastodon (and the
/// Pleroma/Akkoma servers that federate with it) emit a small, sanitised subset: <c>p</c>, <c>br</c>, <c>a</c>,
/// <c>span</c> and a few inline tags. Paragraphs become blank lines, <c>br</c> a line break, every tag is dropped
/// and entities decoded. Links keep their full address because Mastodon splits it into "invisible" and
/// "ellipsis" spans that are all text once the tags are gone. Not a general HTML parser: no scripts or comments
/// survive Mastodon's sanitiser, and the result is only ever output-encoded by Razor.
/// </summary>
public static class MastodonHtml
{
    public static string ToText(string? html)
    {
        if (string.IsNullOrEmpty(html))
        {
            return string.Empty;
        }

        var text = new StringBuilder(html.Length);
        var i = 0;
        while (i < html.Length)
        {
            var c = html[i];
            if (c != '<')
            {
                var next = html.IndexOf('<', i);
                var end = next < 0 ? html.Length : next;
                text.Append(html, i, end - i);
                i = end;
                continue;
            }

            var close = html.IndexOf('>', i + 1);
            if (close < 0)
            {
                // A stray '<' with no end: keep it as text rather than lose the rest of the post.
                text.Append(html, i, html.Length - i);
                break;
            }

            var tag = TagName(html.AsSpan(i + 1, close - i - 1), out var isEnd);
            if (tag.Equals("br", StringComparison.OrdinalIgnoreCase))
            {
                text.Append('\n');
            }
            else if (tag.Equals("p", StringComparison.OrdinalIgnoreCase) || tag.Equals("blockquote", StringComparison.OrdinalIgnoreCase)
                     || tag.Equals("li", StringComparison.OrdinalIgnoreCase) || tag.Equals("pre", StringComparison.OrdinalIgnoreCase))
            {
                // Opening a block after text, or closing one, separates paragraphs; runs of them collapse below.
                if (isEnd || text.Length > 0)
                {
                    text.Append("\n\n");
                }
            }

            i = close + 1;
        }

        return Tidy(WebUtility.HtmlDecode(text.ToString()));
    }

    private static ReadOnlySpan<char> TagName(ReadOnlySpan<char> inside, out bool isEnd)
    {
        isEnd = inside.Length > 0 && inside[0] == '/';
        if (isEnd)
        {
            inside = inside[1..];
        }

        var length = 0;
        while (length < inside.Length && char.IsAsciiLetterOrDigit(inside[length]))
        {
            length++;
        }

        return inside[..length];
    }

    /// <summary>At most one blank line in a row, no trailing spaces on lines, no leading or trailing blank lines.</summary>
    private static string Tidy(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var result = new StringBuilder(text.Length);
        var blank = 0;
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd();
            if (line.Length == 0)
            {
                blank++;
                continue;
            }

            if (result.Length > 0)
            {
                result.Append(blank > 0 ? "\n\n" : "\n");
            }

            result.Append(line);
            blank = 0;
        }

        return result.ToString();
    }
}
