using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CivicDesk.Web.Features.Connectors.X;

/// <summary>
/// Counts a post's length as X does (twitter-text 3, "weighted length", the config used since 2017 with emoji
/// parsing): after NFC normalisation, each code point in Latin, Greek, Cyrillic, Hebrew, Arabic and similar
/// scripts (U+0000–U+10FF) and common punctuation (U+2000–U+200D, U+2010–U+201F, U+2032–U+2037) counts 1,
/// everything else (CJK, most symbols) counts 2, an emoji (with its modifiers and joiners) counts 2 as a whole,
/// and every http(s) or www. link counts 23 whatever its length (t.co wrapping). Bare domains such as
/// <c>example.gov.uk</c> are counted by their characters, which can only overstate the length; X remains the judge.
/// </summary>
public static partial class XText
{
    public const int MaxLength = 280;
    public const int UrlLength = 23;

    public static int WeightedLength(string text)
    {
        var normalised = text.Normalize(NormalizationForm.FormC);
        var length = 0;
        var last = 0;
        foreach (Match url in UrlPattern().Matches(normalised))
        {
            length += Weigh(normalised[last..url.Index]) + UrlLength;
            last = url.Index + url.Length;
        }

        return length + Weigh(normalised[last..]);
    }

    private static int Weigh(string text)
    {
        var length = 0;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            var element = elements.GetTextElement();
            if (IsEmoji(element))
            {
                length += 2;
                continue;
            }

            foreach (var rune in element.EnumerateRunes())
            {
                length += Weight(rune.Value);
            }
        }

        return length;
    }

    private static int Weight(int codePoint) => codePoint is <= 0x10FF or (>= 0x2000 and <= 0x200D) or (>= 0x2010 and <= 0x201F) or (>= 0x2032 and <= 0x2037) ? 1 : 2;

    private static bool IsEmoji(string element)
    {
        foreach (var rune in element.EnumerateRunes())
        {
            if (rune.Value is (>= 0x1F000 and <= 0x1FAFF) or 0xFE0F or 0x200D or (>= 0x2600 and <= 0x27BF))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"(?:https?://|www\.)[^\s]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UrlPattern();
}
