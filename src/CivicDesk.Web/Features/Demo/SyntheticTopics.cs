using System.Globalization;
using System.Text;
using Bogus;

namespace CivicDesk.Web.Features.Demo;

/// <summary>
/// A synthetic organisation's streets and hashtags: fixed lists drawn once from the organisation's seed, each with a
/// Zipf-like popularity (the k-th most popular is chosen with weight 1 / k^s), so a few main roads and tags carry much
/// of the contact and most streets are named rarely, as in a council's own reports. Bounded lists are what make the
/// topic aggregates of a long period smaller than its messages; one made-up street per conversation (before session 12)
/// gave 262,038 distinct places a year at 1 M messages. Sampling is a binary search over cumulative weights:
/// MathNet's <c>Zipf</c> distribution walks the harmonic sum term by term for every sample (thousands of
/// <c>Math.Pow</c> calls a message).
/// </summary>
public sealed class SyntheticTopics
{
    /// <summary>Streets in an organisation's list (a borough's gazetteer has a few thousand).</summary>
    public const int StreetCount = 3_000;

    /// <summary>Share of problem reports whose text names the street (the rest say "outside my house", "on our road").</summary>
    public const double ShareNamingStreet = 0.6;

    /// <summary>Share of social media posts with a hashtag, and of those with a second one.</summary>
    public const double ShareWithHashtag = 0.2, ShareWithSecondHashtag = 0.25;

    /// <summary>Zipf exponents: streets flatter than hashtags (a few tags dominate a council's mentions).</summary>
    public const double StreetExponent = 0.8, HashtagExponent = 1.0;

    // Civic tags first: they are the most popular (rank order is popularity order).
    private static readonly string[] CivicTags =
    [
        "potholes", "flytipping", "bins", "recycling", "streetlights", "flooding", "parking", "litter", "roadworks", "graffiti",
        "parks", "traffic", "pothole", "binday", "dogfouling", "trees", "drains", "buses", "cycling", "pavements", "noise",
        "counciltax", "localnews", "community", "wasteservices", "gritting", "snow", "stormdamage", "playground", "highways",
        "keepbritaintidy", "saferstreets", "libraries", "housing", "planning", "schools", "roads", "climate", "airquality", "road_safety",
    ];

    private readonly string[] _streets;
    private readonly double[] _streetWeights;
    private readonly string[] _tags;
    private readonly double[] _tagWeights;

    private SyntheticTopics(string[] streets, string[] tags)
    {
        _streets = streets;
        _streetWeights = Cumulative(streets.Length, StreetExponent);
        _tags = tags;
        _tagWeights = Cumulative(tags.Length, HashtagExponent);
    }

    public IReadOnlyList<string> Streets => _streets;

    public IReadOnlyList<string> Tags => _tags;

    /// <summary>The organisation's lists, the same for the same town and seed.</summary>
    public static SyntheticTopics Draw(string town, int seed)
    {
        ArgumentNullException.ThrowIfNull(town);
        var faker = new Faker("en_GB") { Random = new Randomizer(seed) };
        var streets = new List<string>(StreetCount);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Bogus's en_GB street names are a name and a suffix (thousands of combinations); a name it repeats is skipped,
        // and a rare run of repeats ends the list early rather than looping (still thousands of streets).
        for (var attempt = 0; streets.Count < StreetCount && attempt < StreetCount * 20; attempt++)
        {
            var street = faker.Address.StreetName();
            if (street.Length <= 80 && seen.Add(street))
            {
                streets.Add(street);
            }
        }

        var townTag = Letters(town);
        var tags = new List<string>(CivicTags.Length + 203);
        tags.AddRange(CivicTags.Take(3));
        if (townTag.Length > 0)
        {
            tags.AddRange([townTag, townTag + "council", "lovelocal" + townTag]);
        }

        tags.AddRange(CivicTags.Skip(3));
        // The long tail: residents tag their own road ("#millroad"), from the popular end of the street list.
        tags.AddRange(streets.Take(200).Select(Letters).Where(t => t.Length > 0));
        return new SyntheticTopics([.. streets], [.. tags.Distinct(StringComparer.OrdinalIgnoreCase)]);
    }

    /// <summary>A street, the more popular ones more often.</summary>
    public string Street(Random random) => _streets[Pick(_streetWeights, random)];

    /// <summary>"" or " #tag" or " #tag #other" to append to a social media post.</summary>
    public string Hashtags(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (random.NextDouble() >= ShareWithHashtag)
        {
            return "";
        }

        var text = " #" + _tags[Pick(_tagWeights, random)];
        return random.NextDouble() < ShareWithSecondHashtag ? text + " #" + _tags[Pick(_tagWeights, random)] : text;
    }

    private static int Pick(double[] cumulative, Random random)
    {
        var index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
        return Math.Min(index < 0 ? ~index : index, cumulative.Length - 1);
    }

    private static double[] Cumulative(int n, double exponent)
    {
        var weights = new double[n];
        var sum = 0.0;
        for (var k = 0; k < n; k++)
        {
            sum += 1 / Math.Pow(k + 1, exponent);
            weights[k] = sum;
        }

        return weights;
    }

    /// <summary>Letters and digits only, lower-cased: a hashtag the networks (and Platform/Hashtags) read whole.</summary>
    private static string Letters(string text)
    {
        var tag = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                tag.Append(char.ToLower(c, CultureInfo.InvariantCulture));
            }
        }

        return tag.Length > 0 && tag.Length <= Platform.Hashtags.MaxLength && tag.ToString().Any(char.IsAsciiLetter) ? tag.ToString() : "";
    }
}
