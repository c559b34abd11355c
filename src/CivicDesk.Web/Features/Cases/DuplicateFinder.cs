using System.ComponentModel.DataAnnotations;
using CivicDesk.Triage;
using CivicDesk.Triage.Duplicates;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Cases;

public sealed class CasesOptions
{
    public const string Section = "Cases";

    /// <summary>Only open cases created this recently are compared with a new one.</summary>
    [Range(1, 365)] public int DuplicateWindowDays { get; set; } = 30;

    /// <summary>How many candidates are kept per new case (best first).</summary>
    [Range(1, 50)] public int MaxDuplicateCandidates { get; set; } = 5;

    /// <summary>At most this many open cases are scored per new case (newest first): bounds the work on big backlogs.</summary>
    [Range(10, 100_000)] public int MaxCasesScored { get; set; } = 5_000;

    /// <summary>At most this many queued creates share one transaction (<see cref="CaseCreationQueue"/>).</summary>
    [Range(1, 1_000)] public int MaxCreateBatch { get; set; } = 64;

    /// <summary>
    /// At most this many new cases are assessed per pass of <see cref="CaseAssessmentWorker"/>. Each pass reads the
    /// open cases and the estimator's history once, so under a burst bigger passes cost less per case (session 12: at
    /// 500 creates a second a 500 ms gathering holds about 250, which took four passes of 64, each re-reading both).
    /// </summary>
    [Range(1, 1_000)] public int MaxAssessmentBatch { get; set; } = 256;

    /// <summary>How often the assessment worker looks for due cases when nobody rings it (cases left by another node, a restart).</summary>
    [Range(1, 3_600)] public int AssessmentSweepSeconds { get; set; } = 10;

    /// <summary>After being woken, the assessment worker waits this long so a burst of creates is assessed together.</summary>
    [Range(0, 10_000)] public int AssessmentGatherMilliseconds { get; set; } = 500;

    /// <summary>How long a node holds the cases it claimed for assessment before another node may take them over.</summary>
    [Range(10, 3_600)] public int AssessmentLeaseSeconds { get; set; } = 120;
}

/// <summary>What the duplicate scorer compares: a case's service, words, place and age (no personal data).</summary>
public sealed record CaseSubject(long Id, string ServiceCode, string? ServiceGroup, string Text, double? Latitude, double? Longitude, DateTime CreatedAt);

/// <summary>One likely duplicate with the scorer's reasons, best first.</summary>
public sealed record DuplicateSuggestion(long CandidateId, double Score, double TextSimilarity, double? DistanceMetres, TimeSpan Age, IReadOnlyList<string> Reasons);

/// <summary>
/// The boundary to the pure scorer in CivicDesk.Triage (<see cref="TriageDuplicateScorer"/>); the web side depends on
/// this shape only, so tests can give it a scorer with known answers.
/// </summary>
public interface IDuplicateScorer
{
    IReadOnlyList<DuplicateSuggestion> Find(CaseSubject subject, IReadOnlyList<CaseSubject> openCases, Func<string, double> radiusMetresForService);
}

/// <summary>
/// Looks for likely duplicates of a case among the organisation's open cases of the last <see cref="CasesOptions.DuplicateWindowDays"/>
/// days, and stores them with their reasons. Runs as an assessment step of new cases (in the creating transaction for a
/// case made by staff, in <see cref="CaseAssessmentWorker"/> for an Open311 create) and on demand from the case page.
/// </summary>
/// <remarks>
/// Each case reads only the cases the scorer could accept: its own service and the others of its group, and, when it
/// has a point, those within its service's radius (a latitude/longitude box on the index
/// (OrganisationId, ServiceCode, Latitude, Longitude)) plus those with no point (only words can match them). Session
/// 12's profile found the old read of every open case of the window, once per pass, a quarter of an Open311 create's
/// CPU and growing with the backlog. The scorer gets a superset of what it accepts and its IDF comes from the accepted
/// cases only, so the suggestions are the same as from the whole window.
/// </remarks>
public sealed class DuplicateFinder(CivicDeskDb db, IDuplicateScorer scorer, IOptions<CasesOptions> options, TimeProvider clock) : ICaseAssessmentStep
{
    /// <summary>
    /// Stores candidates for each new case. A case is compared with the cases made before it (lower ids), as it was
    /// when the check ran at creation.
    /// </summary>
    public async Task RunAsync(IReadOnlyList<Case> created, CancellationToken ct)
    {
        var open = created.Where(c => c.IsOpen).ToList();
        if (open.Count == 0)
        {
            return;
        }

        var pool = await PoolAsync(ct);
        pool.Plan(open);
        var ids = open.Select(c => c.Id).ToList();
        var known = (await db.CaseDuplicateCandidates.Where(d => ids.Contains(d.CaseId)).Select(d => new { d.CaseId, d.CandidateCaseId }).ToListAsync(ct))
            .Select(d => (d.CaseId, d.CandidateCaseId)).ToHashSet();
        foreach (var c in open)
        {
            Add(c, await pool.ScoreAsync(c, r => r.Id < c.Id, ct), known);
        }
    }

    /// <summary>Scores <paramref name="subject"/> against open cases; does not save.</summary>
    public async Task<IReadOnlyList<DuplicateSuggestion>> SuggestAsync(Case subject, CancellationToken ct) =>
        await (await PoolAsync(ct)).ScoreAsync(subject, r => r.Id != subject.Id, ct);

    /// <summary>Finds and adds candidate rows (not yet stored for this case) to the context; the caller saves.</summary>
    public async Task<int> StoreAsync(Case subject, CancellationToken ct)
    {
        var suggestions = await SuggestAsync(subject, ct);
        var known = (await db.CaseDuplicateCandidates.Where(d => d.CaseId == subject.Id).Select(d => d.CandidateCaseId).ToListAsync(ct))
            .Select(id => (subject.Id, id)).ToHashSet();
        return Add(subject, suggestions, known);
    }

    private int Add(Case subject, IReadOnlyList<DuplicateSuggestion> suggestions, HashSet<(long CaseId, long CandidateCaseId)> known)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var added = 0;
        foreach (var s in suggestions.Where(s => known.Add((subject.Id, s.CandidateId))))
        {
            db.CaseDuplicateCandidates.Add(new CaseDuplicateCandidate
            {
                OrganisationId = subject.OrganisationId, CaseId = subject.Id, CandidateCaseId = s.CandidateId, Score = s.Score,
                TextSimilarity = s.TextSimilarity, DistanceMetres = s.DistanceMetres, Reasons = Truncate(string.Join('\n', s.Reasons), 2000), FoundAt = now,
            });
            added++;
        }

        return added;
    }

    /// <summary>The services' groups and radii, and the window: what every case of one pass shares.</summary>
    private async Task<CandidatePool> PoolAsync(CancellationToken ct)
    {
        var services = await db.CaseServices.AsNoTracking().Select(s => new { s.Code, s.Group, s.DuplicateRadiusMetres }).ToListAsync(ct);
        var groups = services.ToDictionary(s => s.Code, s => s.Group, StringComparer.Ordinal);
        var radius = services.ToDictionary(s => s.Code, s => (double)s.DuplicateRadiusMetres, StringComparer.Ordinal);
        return new CandidatePool(db, scorer, options.Value, clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.DuplicateWindowDays), groups, radius);
    }

    /// <summary>
    /// One pass's reads: the cases with no point per service family, and the located cases of each area, read once
    /// however many cases of the pass ask for them. Overlapping boxes of one pass are read as one area (<see cref="Plan"/>):
    /// a burst of reports along one street would otherwise read the cases between neighbouring points again and again
    /// (session 13: with the Open311 benchmark's 100 points 33 m apart, a query per box read each case three times
    /// per pass and cost more than the old single read of the window).
    /// </summary>
    private sealed class CandidatePool(CivicDeskDb db, IDuplicateScorer scorer, CasesOptions o, DateTime since, Dictionary<string, string?> groups, Dictionary<string, double> radius)
    {
        private readonly Dictionary<string, List<CaseSubject>> _unlocated = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<CaseSubject>> _wholeFamily = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Family, GeoBox Box), List<CaseSubject>> _boxed = [];
        private readonly Dictionary<string, List<GeoBox>> _areas = new(StringComparer.Ordinal);

        /// <summary>Merges the boxes of the cases about to be scored into areas, per service family: overlapping boxes become one.</summary>
        public void Plan(IReadOnlyList<Case> subjects)
        {
            var boxes = subjects.Where(c => c.Latitude is not null && c.Longitude is not null)
                .Select(c => (Family: string.Join('\n', Family(c.ServiceCode)), Box: Geo.BoundingBox(c.Latitude!.Value, c.Longitude!.Value, Radius(c.ServiceCode))));
            foreach (var family in boxes.GroupBy(b => b.Family, StringComparer.Ordinal))
            {
                var areas = new List<GeoBox>();
                foreach (var box in family.Select(b => b.Box).OrderBy(b => b.MinLatitude))
                {
                    var i = areas.FindIndex(a => Overlap(a, box));
                    if (i >= 0)
                    {
                        areas[i] = Union(areas[i], box);
                    }
                    else
                    {
                        areas.Add(box);
                    }
                }

                _areas[family.Key] = areas;
            }
        }

        private static bool Overlap(GeoBox a, GeoBox b) =>
            a.MinLatitude <= b.MaxLatitude && b.MinLatitude <= a.MaxLatitude
            && (a.MinLongitude is null || b.MinLongitude is null || (a.MinLongitude <= b.MaxLongitude && b.MinLongitude <= a.MaxLongitude));

        private static bool Holds(GeoBox area, GeoBox box) =>
            area.MinLatitude <= box.MinLatitude && area.MaxLatitude >= box.MaxLatitude
            && (area.MinLongitude is null || (box.MinLongitude is not null && area.MinLongitude <= box.MinLongitude && area.MaxLongitude >= box.MaxLongitude));

        private static GeoBox Union(GeoBox a, GeoBox b) => new(
            Math.Min(a.MinLatitude, b.MinLatitude), Math.Max(a.MaxLatitude, b.MaxLatitude),
            a.MinLongitude is null || b.MinLongitude is null ? null : Math.Min(a.MinLongitude.Value, b.MinLongitude.Value),
            a.MaxLongitude is null || b.MaxLongitude is null ? null : Math.Max(a.MaxLongitude.Value, b.MaxLongitude.Value));

        public async Task<List<DuplicateSuggestion>> ScoreAsync(Case subject, Func<CaseSubject, bool> comparable, CancellationToken ct)
        {
            var me = new CaseSubject(subject.Id, subject.ServiceCode, groups.GetValueOrDefault(subject.ServiceCode), subject.Title + "\n" + subject.Description,
                subject.Latitude, subject.Longitude, subject.CreatedAt);
            var family = Family(me.ServiceCode);
            var familyKey = string.Join('\n', family);
            List<CaseSubject> candidates;
            if (me.Latitude is { } lat && me.Longitude is { } lon)
            {
                var box = Geo.BoundingBox(lat, lon, Radius(me.ServiceCode));
                // The planned area holding this box, or the box itself (a case scored on its own).
                var area = _areas.TryGetValue(familyKey, out var areas) ? areas.Find(a => Holds(a, box)) ?? box : box;
                var located = await BoxedAsync(family, familyKey, area, ct);
                candidates = [.. await UnlocatedAsync(family, familyKey, ct), .. ReferenceEquals(area, box) ? located
                    : located.Where(c => box.Contains(c.Latitude!.Value, c.Longitude!.Value))];
            }
            else
            {
                // Without a point only the words can match, so every case of the family is a candidate.
                if (!_wholeFamily.TryGetValue(familyKey, out var whole))
                {
                    _wholeFamily[familyKey] = whole = await ReadAsync(family, located: null, box: null, ct);
                }

                candidates = whole;
            }

            // Newest first, at most MaxCasesScored, as the whole-window read kept them.
            candidates = [.. candidates.Where(comparable).OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Take(o.MaxCasesScored)];
            return scorer.Find(me, candidates, Radius)
                .OrderByDescending(s => s.Score).Take(o.MaxDuplicateCandidates).ToList();
        }

        private double Radius(string code) => radius.TryGetValue(code, out var r) ? r : CaseService.DefaultDuplicateRadiusMetres;

        // The services the scorer accepts for this case (DuplicateDetector: the same code or the same group, ignoring
        // case), as the exact codes stored, so the database compares them with plain equality.
        private List<string> Family(string serviceCode)
        {
            var group = groups.GetValueOrDefault(serviceCode);
            var family = groups
                .Where(g => string.Equals(g.Key, serviceCode, StringComparison.OrdinalIgnoreCase)
                    || (group is { Length: > 0 } mine && string.Equals(g.Value, mine, StringComparison.OrdinalIgnoreCase)))
                .Select(g => g.Key).Append(serviceCode).Distinct(StringComparer.Ordinal).ToList();
            family.Sort(StringComparer.Ordinal);
            return family;
        }

        private async Task<List<CaseSubject>> UnlocatedAsync(List<string> family, string key, CancellationToken ct)
        {
            if (!_unlocated.TryGetValue(key, out var rows))
            {
                _unlocated[key] = rows = await ReadAsync(family, located: false, box: null, ct);
            }

            return rows;
        }

        private async Task<List<CaseSubject>> BoxedAsync(List<string> family, string key, GeoBox box, CancellationToken ct)
        {
            if (!_boxed.TryGetValue((key, box), out var rows))
            {
                _boxed[(key, box)] = rows = await ReadAsync(family, located: true, box, ct);
            }

            return rows;
        }

        private async Task<List<CaseSubject>> ReadAsync(List<string> family, bool? located, GeoBox? box, CancellationToken ct)
        {
            var open = CaseWorkflowQueries.OpenStatuses;
            var query = db.Cases.AsNoTracking().Where(c => family.Contains(c.ServiceCode) && open.Contains(c.Status) && c.CreatedAt >= since);
            if (located == false)
            {
                query = query.Where(c => c.Latitude == null || c.Longitude == null);
            }
            else if (box is not null)
            {
                query = query.Where(c => c.Latitude >= box.MinLatitude && c.Latitude <= box.MaxLatitude && c.Longitude != null);
                if (box.MinLongitude is { } west && box.MaxLongitude is { } east)
                {
                    query = query.Where(c => c.Longitude >= west && c.Longitude <= east);
                }
            }

            var rows = await query.OrderByDescending(c => c.CreatedAt).Take(o.MaxCasesScored)
                .Select(c => new { c.Id, c.ServiceCode, c.Title, c.Description, c.Latitude, c.Longitude, c.CreatedAt })
                .ToListAsync(ct);
            return [.. rows.Select(c => new CaseSubject(c.Id, c.ServiceCode, groups.GetValueOrDefault(c.ServiceCode), c.Title + "\n" + c.Description,
                c.Latitude, c.Longitude, c.CreatedAt))];
        }
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}

/// <summary>The Triage library's pure detector (service, distance, TF-IDF words, time), with the window from <see cref="CasesOptions"/>.</summary>
public sealed class TriageDuplicateScorer(IOptions<CasesOptions> options) : IDuplicateScorer
{
    private readonly DuplicateDetector _detector = new(new DuplicateOptions
    {
        Window = TimeSpan.FromDays(options.Value.DuplicateWindowDays),
        MaxMatches = options.Value.MaxDuplicateCandidates,
    });

    public IReadOnlyList<DuplicateSuggestion> Find(CaseSubject subject, IReadOnlyList<CaseSubject> openCases, Func<string, double> radiusMetresForService) =>
        _detector.Find(ToTriage(subject), openCases.Select(ToTriage), radiusMetresForService)
            .Select(m => new DuplicateSuggestion(m.CandidateId, m.Score, m.TextSimilarity, m.DistanceMetres, m.Age, m.Reasons))
            .ToList();

    private static DuplicateSubject ToTriage(CaseSubject c) => new(c.Id, c.ServiceCode, c.ServiceGroup, c.Text, c.Latitude, c.Longitude, c.CreatedAt);
}

public static class CaseWorkflowQueries
{
    /// <summary>The open statuses as a list EF can translate to IN (…).</summary>
    public static readonly IReadOnlyList<CaseStatus> OpenStatuses = Enum.GetValues<CaseStatus>().Where(s => s.IsOpen()).ToList();
}
