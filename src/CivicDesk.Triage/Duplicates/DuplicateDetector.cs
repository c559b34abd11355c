namespace CivicDesk.Triage.Duplicates;

/// <summary>A report or case as the duplicate detector sees it.</summary>
/// <param name="Id">The caller's id (case id).</param>
/// <param name="ServiceCode">The service (category) code.</param>
/// <param name="ServiceGroup">A coarser group of related services, if any (e.g. "highways").</param>
/// <param name="Text">Title and description.</param>
/// <param name="Latitude">WGS84 latitude, when the report has a point.</param>
/// <param name="Longitude">WGS84 longitude, when the report has a point.</param>
/// <param name="CreatedAt">When it was reported (UTC).</param>
public sealed record DuplicateSubject(long Id, string ServiceCode, string? ServiceGroup, string Text, double? Latitude, double? Longitude, DateTime CreatedAt)
{
    /// <summary>Whether the report has a point.</summary>
    public bool HasPoint => Latitude is not null && Longitude is not null;
}

/// <summary>A likely duplicate, with the reasons in words staff can check.</summary>
/// <param name="CandidateId">The open case that may be the same problem.</param>
/// <param name="Score">0–1; matches are returned when it reaches the threshold, best first.</param>
/// <param name="TextSimilarity">TF-IDF cosine of the two texts (0–1).</param>
/// <param name="DistanceMetres">Great-circle distance when both have points.</param>
/// <param name="Age">How long before (or after) the subject the candidate was reported.</param>
/// <param name="SharedTerms">The shared words that weigh most, e.g. a street name.</param>
/// <param name="Reasons">One line per signal.</param>
public sealed record DuplicateMatch(
    long CandidateId,
    double Score,
    double TextSimilarity,
    double? DistanceMetres,
    TimeSpan Age,
    IReadOnlyList<string> SharedTerms,
    IReadOnlyList<string> Reasons);

/// <summary>Settings of <see cref="DuplicateDetector"/>. The defaults were chosen on the FixMyStreet train split (docs/duplicates.md).</summary>
public sealed record DuplicateOptions
{
    /// <summary>Reports further apart in time are never duplicates.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromDays(14);

    /// <summary>When both have points and are further apart than this (per service, see <see cref="DuplicateDetector.Find"/>), they are different problems.</summary>
    public double DefaultRadiusMetres { get; init; } = 50;

    /// <summary>Minimum score when both reports have points (distance and text both count).</summary>
    public double LocatedThreshold { get; init; } = 0.3;

    /// <summary>Minimum text similarity when at least one report has no point (a tweet without a geotag): only the words can tell.</summary>
    public double UnlocatedThreshold { get; init; } = 0.35;

    /// <summary>Share of the unlocated score given to closeness in time (reports minutes apart are often the same problem); the rest is text similarity.</summary>
    public double RecencyWeight { get; init; } = 0.2;

    /// <summary>Share of the located score given to closeness; the rest is text similarity.</summary>
    public double ProximityWeight { get; init; } = 0.6;

    /// <summary>Accept candidates in another service of the same group ("related service").</summary>
    public bool AcceptSameGroup { get; init; } = true;

    /// <summary>At most this many suggestions, best first.</summary>
    public int MaxMatches { get; init; } = 5;
}

/// <summary>
/// Finds open cases that are probably the same problem as a new report: same or related service, within a
/// distance when both have places, similar words (TF-IDF cosine over normalised terms), within a time window.
/// Pure and deterministic; the caller supplies the open cases (already narrowed to the organisation and window)
/// and optionally document frequencies from a larger corpus so rare words such as street names weigh most.
/// </summary>
public sealed class DuplicateDetector
{
    private readonly DuplicateOptions _options;
    private readonly TermStatistics? _corpus;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, TermVector> _vectors = [];

    // A text's terms do not depend on the statistics, so they are split once per text string: without a corpus each
    // subject re-weighs its candidates, and a burst of reports at one place shares most candidates (the Open311
    // assessment pass scores up to 256 new cases against the same candidate strings).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, string[]> _terms = [];

    /// <summary>A detector with <paramref name="options"/> (defaults when null) and IDF weights from <paramref name="corpus"/> (from the candidates when null).</summary>
    public DuplicateDetector(DuplicateOptions? options = null, TermStatistics? corpus = null)
    {
        _options = options ?? new DuplicateOptions();
        _corpus = corpus;
    }

    /// <summary>The settings in force.</summary>
    public DuplicateOptions Options => _options;

    /// <summary>Likely duplicates of <paramref name="subject"/> among <paramref name="openCases"/>, best first.</summary>
    /// <param name="subject">The new report.</param>
    /// <param name="openCases">Candidates; the subject itself (same id) is skipped.</param>
    /// <param name="radiusMetresForService">Per-service radius; null or a non-positive answer uses the default.</param>
    public IReadOnlyList<DuplicateMatch> Find(DuplicateSubject subject, IEnumerable<DuplicateSubject> openCases, Func<string, double>? radiusMetresForService = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(openCases);

        var eligible = new List<(DuplicateSubject Case, double? Distance, bool SameService)>();
        foreach (var c in openCases)
        {
            if (c.Id == subject.Id)
            {
                continue;
            }

            var sameService = string.Equals(c.ServiceCode, subject.ServiceCode, StringComparison.OrdinalIgnoreCase);
            var sameGroup = _options.AcceptSameGroup && subject.ServiceGroup is { Length: > 0 } g
                && string.Equals(c.ServiceGroup, g, StringComparison.OrdinalIgnoreCase);
            if (!sameService && !sameGroup)
            {
                continue;
            }

            if ((subject.CreatedAt - c.CreatedAt).Duration() > _options.Window)
            {
                continue;
            }

            double? distance = null;
            if (subject.HasPoint && c.HasPoint)
            {
                distance = Geo.DistanceMetres(subject.Latitude!.Value, subject.Longitude!.Value, c.Latitude!.Value, c.Longitude!.Value);
                if (distance > Radius(subject.ServiceCode, radiusMetresForService))
                {
                    continue;
                }
            }

            eligible.Add((c, distance, sameService));
        }

        if (eligible.Count == 0)
        {
            return [];
        }

        // Without a corpus, document frequencies come from the candidates themselves (plus the subject).
        var stats = _corpus ?? TermStatistics.BuildFromTerms(eligible.Select(e => TermsOf(e.Case.Text)).Append(TermsOf(subject.Text)));
        var subjectVector = Vector(stats, subject.Text);
        var matches = new List<DuplicateMatch>();
        foreach (var (c, distance, sameService) in eligible)
        {
            var candidateVector = Vector(stats, c.Text);
            var text = TermVector.Cosine(subjectVector, candidateVector);
            double score;
            if (distance is { } d)
            {
                var radius = Radius(subject.ServiceCode, radiusMetresForService);
                var proximity = 1 - (d / radius);
                score = (_options.ProximityWeight * proximity) + ((1 - _options.ProximityWeight) * text);
                if (score < _options.LocatedThreshold)
                {
                    continue;
                }
            }
            else
            {
                var recency = 1 - ((subject.CreatedAt - c.CreatedAt).Duration() / _options.Window);
                score = (_options.RecencyWeight * recency) + ((1 - _options.RecencyWeight) * text);
                if (score < _options.UnlocatedThreshold)
                {
                    continue;
                }
            }

            if (!sameService)
            {
                score *= 0.9; // a related service is weaker evidence than the same one
            }

            var shared = TermVector.TopShared(subjectVector, candidateVector, 5);
            var age = subject.CreatedAt - c.CreatedAt;
            matches.Add(new DuplicateMatch(c.Id, Math.Round(score, 4), Math.Round(text, 4), distance is { } dd ? Math.Round(dd, 1) : null, age, shared,
                Reasons(subject, c, sameService, distance, text, shared, age)));
        }

        return matches
            .OrderByDescending(m => m.Score).ThenBy(m => m.CandidateId)
            .Take(_options.MaxMatches)
            .ToList();
    }

    // With a fixed corpus a text's vector never changes: keep it as long as the text string lives.
    private TermVector Vector(TermStatistics stats, string text) =>
        ReferenceEquals(stats, _corpus) ? _vectors.GetValue(text, stats.Vector) : stats.Vector(TermsOf(text));

    private string[] TermsOf(string text) => _terms.GetValue(text, t => [.. TermStatistics.Terms(t)]);

    private double Radius(string serviceCode, Func<string, double>? perService)
    {
        var r = perService?.Invoke(serviceCode) ?? 0;
        return r > 0 ? r : _options.DefaultRadiusMetres;
    }

    private static List<string> Reasons(DuplicateSubject s, DuplicateSubject c, bool sameService, double? distance, double text, IReadOnlyList<string> shared, TimeSpan age)
    {
        var reasons = new List<string>(4)
        {
            sameService ? $"same service ({c.ServiceCode})" : $"related service ({c.ServiceCode}, same group {c.ServiceGroup})",
        };
        if (distance is { } d)
        {
            reasons.Add($"{Math.Round(d):0} metres apart");
        }
        else
        {
            reasons.Add(s.HasPoint || c.HasPoint ? "only one of the two has a location" : "neither has a location");
        }

        reasons.Add(shared.Count > 0
            ? $"{text:P0} similar wording (shared: {string.Join(", ", shared)})"
            : $"{text:P0} similar wording");
        var days = Math.Abs(age.TotalDays);
        reasons.Add(days < 1 ? "reported the same day" : $"reported {days:0} day{(days >= 1.5 ? "s" : "")} {(age >= TimeSpan.Zero ? "earlier" : "later")}");
        return reasons;
    }
}
