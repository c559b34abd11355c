using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>What one network accepts: text length by its own counting rule, how many images, how big, which types.</summary>
public sealed record NetworkLimits(ChannelKind Kind, string Network, int MaxLength, string CountingRule, bool HasThreads, int MaxImages,
    long MaxImageBytes, IReadOnlyList<string> ImageTypes, int MaxAltTextLength);

/// <summary>A text measured for one network: its length by that network's rule, and whether it fits.</summary>
public sealed record LengthCheck(ChannelKind Kind, int Length, int MaxLength, string Unit)
{
    public bool Fits => Length <= MaxLength;
    public int Over => Math.Max(0, Length - MaxLength);
}

/// <summary>
/// Each network's real counting rules, so a text that will be refused is refused here, before it is scheduled:
/// Bluesky counts graphemes (300); Mastodon counts graphemes with every URL as 23 and a remote mention as its
/// local part (500); X counts weighted code points (most scripts' letters 1, CJK and emoji 2) with every URL as
/// 23 (t.co), up to 280; a Facebook Page post may be 63,206 characters.
/// </summary>
public static partial class NetworkRules
{
    public const int UrlLength = 23;

    private static readonly string[] WebImages = ["image/jpeg", "image/png", "image/gif", "image/webp"];

    public static readonly IReadOnlyDictionary<ChannelKind, NetworkLimits> Limits = new Dictionary<ChannelKind, NetworkLimits>
    {
        // Bluesky: app.bsky.feed.post text maxGraphemes 300; app.bsky.embed.images: 4 images, blobs up to 1,000,000 bytes.
        [ChannelKind.Bluesky] = new(ChannelKind.Bluesky, "Bluesky", 300, "graphemes", true, 4, 1_000_000, WebImages, 10_000),
        // Mastodon: 500 characters by default, URLs count 23; media up to 16 MB for images; description up to 1,500.
        [ChannelKind.Mastodon] = new(ChannelKind.Mastodon, "Mastodon", 500, "characters (links count 23)", true, 4, 16 * 1024 * 1024, WebImages, 1_500),
        // X: weighted length 280 (twitter-text v3), URLs 23; images up to 5 MB; alt text up to 1,000.
        [ChannelKind.Twitter] = new(ChannelKind.Twitter, "X", 280, "weighted characters (links count 23)", true, 4, 5 * 1024 * 1024, WebImages, 1_000),
        // Facebook Page: 63,206 characters; photos under 4 MB.
        [ChannelKind.Facebook] = new(ChannelKind.Facebook, "Facebook", 63_206, "characters", false, 10, 4 * 1024 * 1024, WebImages, 1_000),
    };

    public static bool CanPublish(ChannelKind kind) => Limits.ContainsKey(kind);

    [GeneratedRegex(@"https?://[^\s<>""]+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"(?<![\w@])@([A-Za-z0-9_]+)@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex RemoteMention();

    /// <summary>The text as it goes out on the network: the channel text, then the link on its own line.</summary>
    public static string Compose(string text, string? link) =>
        string.IsNullOrEmpty(link) ? text.Trim() : $"{text.Trim()}\n\n{link}";

    public static LengthCheck Measure(ChannelKind kind, string text)
    {
        var limits = Limits[kind];
        text = text.Normalize(NormalizationForm.FormC);
        var length = kind switch
        {
            ChannelKind.Bluesky => Graphemes(text),
            ChannelKind.Mastodon => Graphemes(RemoteMention().Replace(UrlPattern().Replace(text, new string('x', UrlLength)), m => "@" + m.Groups[1].Value)),
            ChannelKind.Twitter => XWeightedLength(text),
            _ => text.Length,
        };
        return new LengthCheck(kind, length, limits.MaxLength, limits.CountingRule);
    }

    public static int Graphemes(string text) => new StringInfo(text).LengthInTextElements;

    /// <summary>twitter-text v3: weight 100 (one character) in the listed ranges, 200 elsewhere; an emoji is 200; a URL is 23.</summary>
    public static int XWeightedLength(string text)
    {
        var weight = 0;
        var last = 0;
        foreach (Match url in UrlPattern().Matches(text))
        {
            weight += Weigh(text[last..url.Index]);
            weight += UrlLength * 100;
            last = url.Index + url.Length;
        }

        weight += Weigh(text[last..]);
        return (weight + 99) / 100;

        static int Weigh(string s)
        {
            var total = 0;
            var e = StringInfo.GetTextElementEnumerator(s);
            while (e.MoveNext())
            {
                var element = (string)e.Current;
                if (IsEmoji(element))
                {
                    total += 200;
                    continue;
                }

                foreach (var rune in element.EnumerateRunes())
                {
                    var v = rune.Value;
                    total += v is <= 4351 or (>= 8192 and <= 8205) or (>= 8208 and <= 8223) or (>= 8242 and <= 8247) ? 100 : 200;
                }
            }

            return total;
        }

        static bool IsEmoji(string element)
        {
            foreach (var rune in element.EnumerateRunes())
            {
                if (rune.Value is >= 0x1F000 and <= 0x1FAFF or >= 0x2600 and <= 0x27BF || rune.Value == 0xFE0F || rune.Value == 0x200D)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Splits a text that is too long into a thread: whole words, each part numbered "(1/3)", the link on the last
    /// part. A single part (no numbering) when it fits. Returns null when even a thread cannot carry it (a word longer than a post).
    /// </summary>
    public static IReadOnlyList<string>? Split(ChannelKind kind, string text, string? link, bool allowThread)
    {
        var whole = Compose(text, link);
        if (Measure(kind, whole).Fits)
        {
            return [whole];
        }

        if (!allowThread || !Limits[kind].HasThreads)
        {
            return null;
        }

        var words = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var guess = 2; guess <= 25; guess++)
        {
            var parts = new List<string>();
            var current = new StringBuilder();
            var ok = true;
            foreach (var word in words)
            {
                var candidate = current.Length == 0 ? word : current + " " + word;
                if (Measure(kind, candidate + Suffix(parts.Count + 1, guess)).Fits)
                {
                    current.Clear().Append(candidate);
                    continue;
                }

                if (current.Length == 0)
                {
                    ok = false;
                    break;
                }

                parts.Add(current.ToString());
                current.Clear().Append(word);
                if (!Measure(kind, word + Suffix(parts.Count + 1, guess)).Fits)
                {
                    ok = false;
                    break;
                }
            }

            if (!ok)
            {
                return null;
            }

            parts.Add(current.ToString());
            if (!string.IsNullOrEmpty(link))
            {
                var lastWithLink = Compose(parts[^1] + Suffix(parts.Count, guess), link);
                if (!Measure(kind, lastWithLink).Fits)
                {
                    parts.Add("");
                }
            }

            if (parts.Count != guess)
            {
                continue;
            }

            return parts.Select((p, i) => i == parts.Count - 1
                ? Compose((p.Length == 0 ? "" : p + " ") + Suffix(i + 1, guess).Trim(), link)
                : p + Suffix(i + 1, guess)).ToList();
        }

        return null;
    }

    private static string Suffix(int part, int of) => $" ({part}/{of})";

    /// <summary>The image's real type from its first bytes (never the browser's word for it), or null when it is not an image we publish.</summary>
    public static string? SniffImageType(ReadOnlySpan<byte> data) => data switch
    {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [0x47, 0x49, 0x46, 0x38, ..] => "image/gif",
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] => "image/webp",
        _ => null,
    };

    /// <summary>Why the network would refuse this image, naming its limit; null when it is fine.</summary>
    public static string? CheckImage(ChannelKind kind, string fileName, byte[] data, string altText)
    {
        var limits = Limits[kind];
        var type = SniffImageType(data);
        if (type is null || !limits.ImageTypes.Contains(type))
        {
            return $"{fileName} is not an image {limits.Network} accepts: use JPEG, PNG, GIF or WebP";
        }

        if (data.LongLength > limits.MaxImageBytes)
        {
            return $"{fileName} is {Size(data.LongLength)}; {limits.Network} accepts images up to {Size(limits.MaxImageBytes)}";
        }

        if (altText.Length > limits.MaxAltTextLength)
        {
            return $"The alt text of {fileName} is {altText.Length} characters; {limits.Network} accepts up to {limits.MaxAltTextLength}";
        }

        return null;
    }

    public static string Size(long bytes) => bytes >= 1024 * 1024
        ? (bytes / 1024d / 1024d).ToString("0.#", CultureInfo.InvariantCulture) + " MB"
        : (bytes / 1024d).ToString("0.#", CultureInfo.InvariantCulture) + " KB";
}
