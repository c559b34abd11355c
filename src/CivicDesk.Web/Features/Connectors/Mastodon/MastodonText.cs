using System.Globalization;
using System.Text.RegularExpressions;

namespace CivicDesk.Web.Features.Connectors.Mastodon;

/// <summary>
/// Counts characters the way Mastodon's <c>StatusLengthValidator</c> does: grapheme clusters, every URL counts as 23
/// whatever its length, and a mention counts only its local part (<c>@alice@example.org</c> is 6). The server is the
/// final judge; counting first gives staff a clear message before anything is sent.
/// </summary>
public static partial class MastodonText
{
    public const int MaxLength = 500;
    public const int UrlLength = 23;

    public static int Length(string text)
    {
        var countable = UrlPattern().Replace(text, new string('x', UrlLength));
        countable = RemoteMentionPattern().Replace(countable, "@$1");
        return new StringInfo(countable).LengthInTextElements;
    }

    [GeneratedRegex(@"https?://[^\s<>""]+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"(?<![\w/])@(\w+(?:[.-]+\w+)*)@[\w.-]+\w", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RemoteMentionPattern();
}
