using System.Globalization;

namespace CivicDesk.Web.Platform;

/// <summary>
/// The #hashtags a post carries, as the networks read them: '#' then letters, digits, marks or underscores, with at
/// least one letter (so "#1" and "#123" are not tags), not glued to a word or a link ("a#b", "page.html#top" and
/// "&amp;#39;" are not tags). Lower-cased with the invariant culture so #Flooding and #flooding count together;
/// distinct per post; at most <see cref="MaxPerPost"/> per post and <see cref="MaxLength"/> characters each, so a
/// spam post stuffed with tags cannot flood the dashboards' topic table.
/// </summary>
public static class Hashtags
{
    public const int MaxPerPost = 10;
    public const int MaxLength = 64;

    public static IReadOnlyList<string> Extract(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.AsSpan().IndexOfAny('#', '＃') < 0)
        {
            return [];
        }

        var tags = new List<string>();
        for (var i = 0; i < text.Length && tags.Count < MaxPerPost; i++)
        {
            if ((text[i] != '#' && text[i] != '＃') || (i > 0 && GluedBefore(text, i - 1)))
            {
                continue;
            }

            var end = i + 1;
            var letters = false;
            while (end < text.Length && IsTagChar(text[end]))
            {
                letters |= char.IsLetter(text[end]);
                end++;
            }

            if (letters && end - i - 1 <= MaxLength && (end >= text.Length || !GluedAfter(text[end])))
            {
                var tag = text[(i + 1)..end].ToLowerInvariant();
                if (!tags.Contains(tag, StringComparer.Ordinal))
                {
                    tags.Add(tag);
                }
            }

            i = end - 1;
        }

        return tags;
    }

    private static bool IsTagChar(char c) => c == '_' || char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c)
        is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    // A '#' right after a letter, digit, '&', '/' or '.' belongs to a word, an HTML entity or a link, not a tag.
    private static bool GluedBefore(string text, int i) => IsTagChar(text[i]) || text[i] is '&' or '/' or '.' or '#' or '=' or '?';

    // "#tag#more" or "#tag@x" is not a tag either.
    private static bool GluedAfter(char c) => c is '#' or '@' or '＃';
}
