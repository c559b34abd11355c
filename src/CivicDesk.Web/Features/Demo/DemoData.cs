using System.Text.Json;
using System.Text.RegularExpressions;

namespace CivicDesk.Web.Features.Demo;

/// <summary>A citizen report for the demo: a FixMyStreet report, or one of our invented fallback reports.</summary>
public sealed record DemoReport(string Id, string Text, double? Latitude, double? Longitude, DateTime? Date, string? Label);

/// <summary>A social-media post for the demo: a tweet from the complaints dataset, or an invented fallback post.</summary>
public sealed record DemoSocialPost(string Id, string Text);

/// <summary>
/// The texts the demo uses, read from the shared research datasets when they can be found (train splits only; never
/// copied into the repository), else from the small invented sample in <see cref="DemoSampleData"/>. See docs/data.md.
/// </summary>
public sealed partial class DemoData
{
    public const string DemoAccount = "@DemoBoroughCncl";
    private const string ReportsFile = "service_requests_fms/train.jsonl";
    private const string SocialFile = "complaints/train.jsonl";

    // Only the domains closest to public services; brand names in the text are left as written.
    private static readonly string[] SocialDomains = ["services", "transport", "other"];

    public DemoData(IReadOnlyList<DemoReport> reports, IReadOnlyList<DemoSocialPost> socialPosts, string source)
    {
        Reports = reports;
        SocialPosts = socialPosts;
        Source = source;
    }

    public IReadOnlyList<DemoReport> Reports { get; }
    public IReadOnlyList<DemoSocialPost> SocialPosts { get; }

    /// <summary>Where the texts came from, for the start-up log: a folder, or "built-in sample".</summary>
    public string Source { get; }

    public bool IsSample => Source == DemoSampleData.Source;

    public static DemoData Sample() => new(DemoSampleData.Reports, DemoSampleData.SocialPosts, DemoSampleData.Source);

    /// <summary>
    /// The shared data folder: <c>CIVICDESK_SHARED_DATA</c> when set (and nothing else: a wrong setting means the
    /// sample, not a guess), else the first <c>shared/data</c> found walking up from the working directory or the
    /// content root (the repository normally sits next to <c>shared/</c>).
    /// </summary>
    public static string? Locate(string? configured, params string?[] startDirectories)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(Path.Combine(configured, ReportsFile)) ? Path.GetFullPath(configured) : null;
        }

        foreach (var start in startDirectories.Where(d => !string.IsNullOrEmpty(d)))
        {
            for (var dir = new DirectoryInfo(start!); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (File.Exists(Path.Combine(candidate, ReportsFile)))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Reads the datasets under <paramref name="sharedData"/>, or returns the sample when it is null or unreadable.</summary>
    public static DemoData Load(string? sharedData)
    {
        if (sharedData is null)
        {
            return Sample();
        }

        var reports = ReadLines(Path.Combine(sharedData, ReportsFile), ParseReport);
        var social = File.Exists(Path.Combine(sharedData, SocialFile)) ? ReadLines(Path.Combine(sharedData, SocialFile), ParseSocial) : [];
        if (reports.Count == 0)
        {
            return Sample();
        }

        return new DemoData(reports, social.Count > 0 ? social : DemoSampleData.SocialPosts, sharedData);
    }

    private static List<T> ReadLines<T>(string path, Func<JsonElement, T?> parse) where T : class
    {
        var rows = new List<T>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            if (parse(doc.RootElement) is { } row)
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    private static DemoReport? ParseReport(JsonElement e)
    {
        var text = e.TryGetProperty("text", out var t) ? t.GetString() : null;
        if (text is null || !Suitable(text))
        {
            return null;
        }

        return new DemoReport(
            e.GetProperty("id").GetString() ?? "",
            text.Trim(),
            e.TryGetProperty("lat", out var lat) && lat.ValueKind == JsonValueKind.Number ? lat.GetDouble() : null,
            e.TryGetProperty("lon", out var lon) && lon.ValueKind == JsonValueKind.Number ? lon.GetDouble() : null,
            e.TryGetProperty("date", out var d) && d.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(d.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var date)
                ? date.UtcDateTime : null,
            e.TryGetProperty("label", out var label) ? label.GetString() : null);
    }

    private static DemoSocialPost? ParseSocial(JsonElement e)
    {
        var domain = e.TryGetProperty("domain", out var d) ? d.GetString() : null;
        var text = e.TryGetProperty("text", out var t) ? t.GetString() : null;
        if (text is null || !SocialDomains.Contains(domain) || !Suitable(text))
        {
            return null;
        }

        // The tweets were addressed to companies; in the demo they mention the council's account instead.
        var addressed = LeadingMentions().Replace(text.Trim(), DemoAccount + " ", 1);
        if (!addressed.StartsWith('@'))
        {
            addressed = DemoAccount + " " + addressed;
        }

        return new DemoSocialPost("tweet:" + (e.GetProperty("id").GetString() ?? ""), addressed);
    }

    /// <summary>
    /// Leaves out texts that carry someone's phone number or email address (FixMyStreet reports sometimes do), and
    /// ones too short to read or too long for a demo screen.
    /// </summary>
    internal static bool Suitable(string text) =>
        text.Length is >= 15 and <= 1_200 && !PhoneNumber().IsMatch(text) && !EmailAddress().IsMatch(text);

    [GeneratedRegex(@"(\d[\s\-]?){9,}")]
    private static partial Regex PhoneNumber();

    [GeneratedRegex(@"\S+@\S+\.\S+")]
    private static partial Regex EmailAddress();

    [GeneratedRegex(@"^(@\w+[\s,:]*)+")]
    private static partial Regex LeadingMentions();
}
