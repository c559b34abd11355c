using System.Text.Json;
using System.Text.RegularExpressions;

namespace CivicDesk.Triage.Places;

/// <summary>One FixMyStreet report as the place evaluation reads it.</summary>
/// <param name="Id">The report id ("fms:2395654").</param>
/// <param name="Text">Title and detail.</param>
/// <param name="NearestRoad">FixMyStreet's nearest road to the pin ("6, Great Western Terrace, Alstone, Cheltenham"), if any.</param>
/// <param name="Latitude">The pin's latitude.</param>
/// <param name="Longitude">The pin's longitude.</param>
public sealed record PlaceSample(string Id, string Text, string? NearestRoad, double? Latitude, double? Longitude)
{
    /// <summary>Reads one line of the FixMyStreet JSON-lines files (fields id, text, nearest_road, lat, lon).</summary>
    /// <param name="line">One JSON object.</param>
    public static PlaceSample Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var e = doc.RootElement;
        static double? Number(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        static string? Text(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new PlaceSample(Text(e, "id") ?? "", Text(e, "text") ?? "", Text(e, "nearest_road"), Number(e, "lat"), Number(e, "lon"));
    }
}

/// <summary>Counts for one extraction task, with precision, recall and F1 (0 when undefined).</summary>
/// <param name="TruePositives">Found and in the gold set.</param>
/// <param name="FalsePositives">Found, not in the gold set.</param>
/// <param name="FalseNegatives">In the gold set, not found.</param>
public sealed record ExtractionScore(int TruePositives, int FalsePositives, int FalseNegatives)
{
    /// <summary>TP / (TP + FP).</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? 0 : (double)TruePositives / (TruePositives + FalsePositives);

    /// <summary>TP / (TP + FN).</summary>
    public double Recall => TruePositives + FalseNegatives == 0 ? 0 : (double)TruePositives / (TruePositives + FalseNegatives);

    /// <summary>Harmonic mean of precision and recall.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>How well gazetteer points land near the report's own pin.</summary>
/// <param name="GoldRows">Reports whose text names their nearest road (the rows a resolver should place).</param>
/// <param name="Resolved">Reports the gazetteer gave a point.</param>
/// <param name="Within500Metres">Resolved reports whose point lies within 500 m of the pin.</param>
/// <param name="MedianMetres">Median distance of resolved points to the pin.</param>
/// <param name="GoldWithin500Metres">Reports that name their nearest road and got a point within 500 m.</param>
public sealed record ResolutionScore(int GoldRows, int Resolved, int Within500Metres, double MedianMetres, int GoldWithin500Metres)
{
    /// <summary>Share of resolved points within 500 m.</summary>
    public double Precision => Resolved == 0 ? 0 : (double)Within500Metres / Resolved;

    /// <summary>Share of the reports that name their nearest road that got a point within 500 m.</summary>
    public double Recall => GoldRows == 0 ? 0 : (double)GoldWithin500Metres / GoldRows;

    /// <summary>Harmonic mean of precision and recall.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>The place evaluation's result.</summary>
/// <param name="Rows">Reports read.</param>
/// <param name="PostcodeGoldRows">Reports with at least one gold postcode.</param>
/// <param name="StreetGoldRows">Reports whose text names the street of their nearest road.</param>
/// <param name="GazetteerStreets">Streets in the gazetteer used for resolution.</param>
/// <param name="Postcode">Full postcodes found by <see cref="PlaceFinder.FindPostcodes"/>.</param>
/// <param name="Street">Streets found by <see cref="PlaceFinder.FindStreets"/> against the nearest road (strict).</param>
/// <param name="StreetLenient">As <paramref name="Street"/>, but a found street that the gazetteer places within 1 km of the pin also counts as right.</param>
/// <param name="Gazetteer">Points from <see cref="Places.Gazetteer.FindIn"/> against the pin.</param>
public sealed record PlaceEvaluationReport(
    int Rows, int PostcodeGoldRows, int StreetGoldRows, int GazetteerStreets,
    ExtractionScore Postcode, ExtractionScore Street, ExtractionScore StreetLenient, ResolutionScore Gazetteer);

/// <summary>
/// Scores place extraction on FixMyStreet reports with silver labels (docs/places.md explains them and their limits):
/// street gold is the street part of the report's <c>nearest_road</c> when its folded name occurs in the text; postcode
/// gold is every match of a permissive postcode pattern (any case, any spacing, any inward letters, a real area).
/// </summary>
public static partial class PlaceEvaluation
{
    /// <summary>Distance under which a resolved point counts as right.</summary>
    public const double NearMetres = 500;

    /// <summary>A gazetteer of the streets of <paramref name="rows"/>' nearest roads, points averaged per street and locality.</summary>
    /// <param name="rows">Reports with nearest road and pin.</param>
    public static Gazetteer GazetteerFrom(IEnumerable<PlaceSample> rows) =>
        Gazetteer.Build(rows
            .Where(r => r.Latitude is not null && r.Longitude is not null)
            .Select(r => (Row: r, Address: StreetNames.SplitAddress(r.NearestRoad)))
            .Where(r => r.Address is not null)
            .Select(r => (r.Address!.Value.Street, r.Address.Value.Locality, r.Row.Latitude!.Value, r.Row.Longitude!.Value)));

    /// <summary>The street gold label of a report: its nearest road's street when the text names it, else null.</summary>
    /// <param name="row">The report.</param>
    public static string? GoldStreet(PlaceSample row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (StreetNames.SplitAddress(row.NearestRoad) is not { } address)
        {
            return null;
        }

        var key = StreetNames.Key(address.Street);
        return (" " + StreetNames.Key(row.Text) + " ").Contains(" " + key + " ", StringComparison.Ordinal) ? key : null;
    }

    /// <summary>The postcode gold labels of a report (normalised "GL51 4SL"), without repeats.</summary>
    /// <param name="text">The report text.</param>
    public static IReadOnlyList<string> GoldPostcodes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<string>();
        foreach (Match m in PermissivePostcode().Matches(text))
        {
            var compact = string.Concat(m.Value.Where(char.IsLetterOrDigit)).ToUpperInvariant();
            var area = new string(compact.TakeWhile(char.IsLetter).ToArray());
            var code = $"{compact[..^3]} {compact[^3..]}";
            if (PlaceFinder.IsPostcodeArea(area) && !found.Contains(code))
            {
                found.Add(code);
            }
        }

        return found;
    }

    /// <summary>Runs every extractor on every report and scores it.</summary>
    /// <param name="rows">The reports.</param>
    /// <param name="gazetteer">Streets with points (build it from another split than <paramref name="rows"/>).</param>
    public static PlaceEvaluationReport Run(IReadOnlyList<PlaceSample> rows, Gazetteer gazetteer)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(gazetteer);
        int pTp = 0, pFp = 0, pFn = 0, sTp = 0, sFp = 0, sFn = 0, lTp = 0, lFp = 0, postcodeRows = 0, streetRows = 0;
        var distances = new List<double>();
        var goldResolvable = 0;
        var goldNear = 0;
        foreach (var row in rows)
        {
            var gold = GoldPostcodes(row.Text);
            postcodeRows += gold.Count > 0 ? 1 : 0;
            var found = PlaceFinder.FindPostcodes(row.Text).Select(p => p.Text).ToList();
            pTp += found.Count(gold.Contains);
            pFp += found.Count(f => !gold.Contains(f));
            pFn += gold.Count(g => !found.Contains(g));

            var text = NormalisedText.Create(row.Text);
            var goldStreet = GoldStreet(row);
            streetRows += goldStreet is null ? 0 : 1;
            var streets = PlaceFinder.FindStreets(text).Select(s => (Text: s.Text, Key: StreetNames.Key(s.Text))).ToList();
            var hit = goldStreet is not null && streets.Exists(s => s.Key == goldStreet);
            sTp += hit ? 1 : 0;
            sFn += goldStreet is not null && !hit ? 1 : 0;
            foreach (var s in streets.Where(s => s.Key != goldStreet))
            {
                sFp++;
                var near = row.Latitude is { } lat && row.Longitude is { } lon && gazetteer.Lookup(s.Text) is { } e
                    && Geo.DistanceMetres(lat, lon, e.Latitude, e.Longitude) <= 1000;
                lTp += near ? 1 : 0;
                lFp += near ? 0 : 1;
            }

            if (row.Latitude is { } pinLat && row.Longitude is { } pinLon)
            {
                goldResolvable += goldStreet is null ? 0 : 1;
                if (gazetteer.FindIn(text) is { } match)
                {
                    var metres = Geo.DistanceMetres(pinLat, pinLon, match.Entry.Latitude, match.Entry.Longitude);
                    distances.Add(metres);
                    goldNear += goldStreet is not null && metres <= NearMetres ? 1 : 0;
                }
            }
        }

        distances.Sort();
        var median = distances.Count == 0 ? 0 : distances[distances.Count / 2];
        return new PlaceEvaluationReport(rows.Count, postcodeRows, streetRows, gazetteer.Count,
            new ExtractionScore(pTp, pFp, pFn),
            new ExtractionScore(sTp, sFp, sFn),
            new ExtractionScore(sTp + lTp, lFp, sFn),
            new ResolutionScore(goldResolvable, distances.Count, distances.Count(d => d <= NearMetres), median, goldNear));
    }

    /// <summary>Reports where the streets found differ from the gold street: (id, found, gold), for reviewing labels and errors.</summary>
    /// <param name="rows">The reports.</param>
    public static IEnumerable<(string Id, string Found, string Gold)> StreetErrors(IEnumerable<PlaceSample> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            var gold = GoldStreet(row);
            var found = PlaceFinder.FindStreets(NormalisedText.Create(row.Text)).Select(s => s.Text).ToList();
            if (found.Count != (gold is null ? 0 : 1) || (gold is not null && StreetNames.Key(found[0]) != gold))
            {
                yield return (row.Id, string.Join(" | ", found), gold ?? "-");
            }
        }
    }

    // Deliberately looser than PlaceFinder's pattern: any inward letters, up to three spaces, so the gold set can
    // contain postcodes the finder rejects (and its recall can fall below 1).
    [GeneratedRegex(@"\b[a-z]{1,2}[0-9][a-z0-9]?[ \t]{0,3}[0-9][a-z]{2}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 2000)]
    private static partial Regex PermissivePostcode();
}
