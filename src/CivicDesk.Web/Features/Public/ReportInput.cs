using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using CivicDesk.Triage;

namespace CivicDesk.Web.Features.Public;

/// <summary>What a citizen fills in on the report form. Photos are bound separately (they are files).</summary>
public sealed class ReportInput
{
    public const int MaxDescriptionLength = 5_000;

    [Required(ErrorMessage = "Enter a description of the problem or your question")]
    [StringLength(MaxDescriptionLength, ErrorMessage = "Description must be 5,000 characters or fewer")]
    public string? Description { get; set; }

    [StringLength(200, ErrorMessage = "Name must be 200 characters or fewer")]
    public string? Name { get; set; }

    [StringLength(254, ErrorMessage = "Email address must be 254 characters or fewer")]
    public string? Email { get; set; }

    /// <summary>Opt-in: email the reporter when staff reply or the case's status changes (needs <see cref="Email"/>).</summary>
    public bool EmailUpdates { get; set; }

    /// <summary>A triage category value, or <see cref="ServiceCategories.NotSure"/>, or nothing.</summary>
    public string? Category { get; set; }

    public string? Postcode { get; set; }

    /// <summary>Set by the map pin (hidden inputs); text so a tampered value is an error, not a binding failure.</summary>
    public string? Latitude { get; set; }

    public string? Longitude { get; set; }
}

/// <summary>The service groups a citizen can choose from, in their words, mapped to triage's category labels.</summary>
public static class ServiceCategories
{
    public const string NotSure = "not_sure";

    public static readonly IReadOnlyList<(string Value, string Label)> Choices =
    [
        ("highways_road_surface", "Potholes and damaged roads"),
        ("pavements_footways", "Pavements, kerbs and footpaths beside roads"),
        ("street_lighting", "Street lights"),
        ("traffic_signals_crossings", "Traffic lights and pedestrian crossings"),
        ("signs_markings_street_furniture", "Road signs, markings, bollards and benches"),
        ("drainage_flooding", "Blocked drains and flooding"),
        ("flytipping", "Fly-tipping"),
        ("bins_refuse_recycling", "Bins, rubbish and recycling collections"),
        ("street_cleaning_litter", "Litter and street cleaning"),
        ("graffiti_flyposting", "Graffiti and fly-posting"),
        ("abandoned_vehicles", "Abandoned vehicles"),
        ("trees_vegetation", "Trees, hedges and overgrown plants"),
        ("parks_open_spaces", "Parks and open spaces"),
        ("public_rights_of_way", "Public footpaths and rights of way in the countryside"),
        ("obstructions_roadworks", "Roadworks and obstructions"),
        ("parking", "Parking"),
        ("other", "Something else"),
    ];

    static ServiceCategories()
    {
        // Every choice must be a label triage knows, so routing rules keyed on categories mean the same thing.
        var unknown = Choices.Select(c => c.Value).Except(TriageLabels.Categories).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException("Unknown triage categories: " + string.Join(", ", unknown));
        }
    }

    public static bool IsValid(string value) => value == NotSure || Choices.Any(c => c.Value == value);

    public static string? LabelOf(string? value) => Choices.FirstOrDefault(c => c.Value == value).Label;
}

/// <summary>UK postcodes: the official format (including GIR 0AA and BFPO-free civilian codes), normalised "GL50 1PQ".</summary>
public static partial class UkPostcode
{
    public static string? Normalise(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return null;
        }

        var compact = WhiteSpace().Replace(input, "").ToUpperInvariant();
        return compact.Length is >= 5 and <= 7 && Pattern().IsMatch(compact)
            ? string.Concat(compact.AsSpan(0, compact.Length - 3), " ", compact.AsSpan(compact.Length - 3))
            : null;
    }

    // Outward code: area (1-2 letters, restricted alphabets per position) + district; inward code: digit + 2 letters
    // (never C, I, K, M, O or V). After the pattern in the UK Government Data Standards Catalogue.
    [GeneratedRegex("^(GIR0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRV-Y])[0-9][ABD-HJLNP-UW-Z]{2})$")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}

/// <summary>The bounding box of the United Kingdom (with a small margin), for map pins.</summary>
public static class UkBounds
{
    public const double South = 49.8, North = 60.95, West = -8.7, East = 1.8;

    public static bool Contains(double latitude, double longitude) =>
        latitude is >= South and <= North && longitude is >= West and <= East;

    public static bool TryParse(string? text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}

/// <summary>A plain email check: something@something.something, no spaces. DataAnnotations' own check accepts "a@b".</summary>
public static partial class EmailFormat
{
    public static bool IsValid(string email) => Pattern().IsMatch(email);

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")]
    private static partial Regex Pattern();
}
