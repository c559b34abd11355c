using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CivicDesk.Web.Features.Connectors.Bluesky.AtProto;

namespace CivicDesk.Web.Features.Connectors.Bluesky;

/// <summary>A span of the post's UTF-8 bytes that is a mention (of a handle) or a link.</summary>
public sealed record DetectedFacet(int ByteStart, int ByteEnd, bool IsMention, string Value);

/// <summary>
/// Rich text for outbound posts, after docs.bsky.app "Links, mentions, and rich text": facets index UTF-8 byte
/// offsets (not UTF-16 chars), and the 300 limit counts graphemes (what a reader sees as one character).
/// </summary>
public static partial class BlueskyRichText
{
    public const int MaxGraphemes = 300;

    public static int GraphemeCount(string text) => new StringInfo(text).LengthInTextElements;

    /// <summary>Null when the text can be posted; otherwise the sentence staff see.</summary>
    public static string? LengthProblem(string text)
    {
        var count = GraphemeCount(text);
        if (count > MaxGraphemes)
        {
            return $"Bluesky posts are limited to {MaxGraphemes} characters and this reply has {count}. Shorten it by {count - MaxGraphemes} and send it again.";
        }

        return string.IsNullOrWhiteSpace(text) ? "The reply is empty." : null;
    }

    /// <summary>Mentions (@handle, with a valid handle syntax) and http(s) links, with UTF-8 byte offsets.</summary>
    public static IReadOnlyList<DetectedFacet> Detect(string text)
    {
        var facets = new List<DetectedFacet>();
        foreach (Match m in MentionPattern().Matches(text))
        {
            var handle = m.Groups["handle"].Value.TrimEnd('.');
            if (!AtSyntax.IsHandle(handle))
            {
                continue;
            }

            var start = m.Groups["handle"].Index - 1; // include the @
            facets.Add(Facet(text, start, handle.Length + 1, isMention: true, handle));
        }

        foreach (Match m in LinkPattern().Matches(text))
        {
            var link = m.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', '\'', '"');
            facets.Add(Facet(text, m.Index, link.Length, isMention: false, link));
        }

        return facets;
    }

    private static DetectedFacet Facet(string text, int charIndex, int charLength, bool isMention, string value)
    {
        var byteStart = Encoding.UTF8.GetByteCount(text.AsSpan(0, charIndex));
        var byteEnd = byteStart + Encoding.UTF8.GetByteCount(text.AsSpan(charIndex, charLength));
        return new DetectedFacet(byteStart, byteEnd, isMention, value);
    }

    [GeneratedRegex(@"(?<=^|[\s(])@(?<handle>[a-zA-Z0-9.-]+)", RegexOptions.CultureInvariant)]
    private static partial Regex MentionPattern();

    [GeneratedRegex(@"(?<=^|[\s(])https?://[^\s]+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex LinkPattern();
}
