namespace CivicDesk.Triage.Duplicates;

/// <summary>One located, dated, categorised report (a FixMyStreet row) for evaluating duplicate suggestions.</summary>
public sealed record DatedReport(string Id, string Label, string Text, double Latitude, double Longitude, DateTime CreatedAt);

/// <summary>Pair-level precision/recall plus how often a report with a true duplicate gets one among its suggestions.</summary>
/// <param name="Name">Which detector or baseline.</param>
/// <param name="Suggested">Pairs suggested.</param>
/// <param name="Correct">Suggested pairs that are gold duplicates.</param>
/// <param name="Gold">Gold duplicate pairs.</param>
/// <param name="ReportsWithGold">Reports that have at least one gold duplicate earlier in the window.</param>
/// <param name="ReportsHit">Of those, reports whose suggestions include a gold duplicate.</param>
public sealed record DuplicateScore(string Name, int Suggested, int Correct, int Gold, int ReportsWithGold, int ReportsHit)
{
    /// <summary>Correct ÷ suggested.</summary>
    public double Precision => Suggested == 0 ? 0 : (double)Correct / Suggested;

    /// <summary>Correct ÷ gold.</summary>
    public double Recall => Gold == 0 ? 0 : (double)Correct / Gold;

    /// <summary>Harmonic mean of precision and recall.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Share of reports with a true duplicate that get at least one right suggestion (what staff feel).</summary>
    public double ReportHitRate => ReportsWithGold == 0 ? 0 : (double)ReportsHit / ReportsWithGold;
}

/// <summary>Results of <see cref="DuplicateEvaluation.Run"/>.</summary>
/// <param name="Reports">Reports replayed.</param>
/// <param name="GoldPairs">Silver-labelled duplicate pairs.</param>
/// <param name="Scores">Detector and baselines per regime.</param>
public sealed record DuplicateEvaluationResult(int Reports, int GoldPairs, IReadOnlyList<DuplicateScore> Scores);

/// <summary>
/// Replays reports in time order; each new report is checked against the earlier ones still inside the window
/// (all treated as open cases). Silver labels: two reports are the same problem when they have the same service
/// group, lie within <see cref="GoldRadiusMetres"/> of each other and were made within <see cref="GoldDays"/> days.
/// Because the labels are defined by place, a detector that sees both points reproduces them almost by
/// construction; the informative regime is therefore "text only": the new report's point is hidden (a tweet
/// without a geotag) and the detector must find the same problem from its words, service and time alone.
/// Baselines in the same run: "same service, nearest in time" (what a naive list of recent cases shows).
/// </summary>
public static class DuplicateEvaluation
{
    /// <summary>Silver label: at most this far apart.</summary>
    public const double GoldRadiusMetres = 50;
    /// <summary>Silver label and window: at most this many days apart.</summary>
    public const int GoldDays = 14;

    /// <summary>Replays <paramref name="reports"/> with the detector configured by <paramref name="options"/> and IDF from <paramref name="corpus"/>.</summary>
    /// <param name="reports">The reports, in any order (replayed in time order).</param>
    /// <param name="options">The detector's settings.</param>
    /// <param name="corpus">Word weights.</param>
    /// <param name="progress">Told how many reports have been replayed, every 100 and at the end (for a progress bar).</param>
    public static DuplicateEvaluationResult Run(IReadOnlyList<DatedReport> reports, DuplicateOptions options, TermStatistics corpus, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(options);
        var ordered = reports.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        var subjects = ordered.Select((r, i) => new DuplicateSubject(i, r.Label, null, r.Text, r.Latitude, r.Longitude, r.CreatedAt)).ToList();
        var window = TimeSpan.FromDays(GoldDays);
        var detector = new DuplicateDetector(options with { Window = window }, corpus);

        var located = new Tally("detector, both located");
        var textOnly = new Tally("detector, new report without location (text, service, time)");
        var nearestBaseline = new Tally("baseline: most recent same-service report");
        var goldPairs = 0;

        var start = 0;
        for (var i = 0; i < subjects.Count; i++)
        {
            if (i % 100 == 0)
            {
                progress?.Report(i);
            }

            var s = subjects[i];
            while (subjects[start].CreatedAt < s.CreatedAt - window)
            {
                start++;
            }

            var earlier = subjects.GetRange(start, i - start);
            var gold = new HashSet<long>();
            foreach (var c in earlier)
            {
                if (IsGold(s, c))
                {
                    gold.Add(c.Id);
                }
            }

            goldPairs += gold.Count;
            located.Add(detector.Find(s, earlier).Select(m => m.CandidateId), gold);
            textOnly.Add(detector.Find(s with { Latitude = null, Longitude = null }, earlier).Select(m => m.CandidateId), gold);
            var last = earlier.LastOrDefault(c => c.ServiceCode == s.ServiceCode);
            nearestBaseline.Add(last is null ? [] : [last.Id], gold);
        }

        return new DuplicateEvaluationResult(subjects.Count, goldPairs, [textOnly.Score(goldPairs), nearestBaseline.Score(goldPairs), located.Score(goldPairs)]);
    }

    private static bool IsGold(DuplicateSubject a, DuplicateSubject b) =>
        a.ServiceCode == b.ServiceCode
        && (a.CreatedAt - b.CreatedAt).Duration() <= TimeSpan.FromDays(GoldDays)
        && Geo.DistanceMetres(a.Latitude!.Value, a.Longitude!.Value, b.Latitude!.Value, b.Longitude!.Value) <= GoldRadiusMetres;

    private sealed class Tally(string name)
    {
        private int _suggested;
        private int _correct;
        private int _reportsWithGold;
        private int _reportsHit;

        public void Add(IEnumerable<long> suggested, HashSet<long> gold)
        {
            var hit = false;
            foreach (var id in suggested)
            {
                _suggested++;
                if (gold.Contains(id))
                {
                    _correct++;
                    hit = true;
                }
            }

            if (gold.Count > 0)
            {
                _reportsWithGold++;
                if (hit)
                {
                    _reportsHit++;
                }
            }
        }

        public DuplicateScore Score(int gold) => new(name, _suggested, _correct, gold, _reportsWithGold, _reportsHit);
    }
}

/// <summary>Reads FixMyStreet rows (<c>service_requests_fms/*.jsonl</c>) as <see cref="DatedReport"/>s.</summary>
public static class FmsReports
{
    /// <summary>Rows of one split file; rows without a point or date are skipped.</summary>
    public static IReadOnlyList<DatedReport> Load(string path)
    {
        var reports = new List<DatedReport>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = System.Text.Json.JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (!r.TryGetProperty("lat", out var lat) || lat.ValueKind != System.Text.Json.JsonValueKind.Number
                || !r.TryGetProperty("lon", out var lon) || lon.ValueKind != System.Text.Json.JsonValueKind.Number
                || !r.TryGetProperty("date", out var date))
            {
                continue;
            }

            reports.Add(new DatedReport(
                r.GetProperty("id").GetString() ?? "",
                r.GetProperty("label").GetString() ?? "",
                r.GetProperty("text").GetString() ?? "",
                lat.GetDouble(),
                lon.GetDouble(),
                DateTimeOffset.Parse(date.GetString()!, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime));
        }

        return reports;
    }
}
