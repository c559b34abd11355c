namespace CivicDesk.Triage;

/// <summary>Adds up cue weights per label and picks the winner, keeping the cues as evidence.</summary>
internal sealed class LabelScores
{
    /// <summary>
    /// Total cue weight at which confidence reaches about 63% of its ceiling: one strong cue (3) gives 0.63, two give
    /// 0.86, a single hint (1) gives 0.28. The ceiling is the winner's share of the top two scores, so a close
    /// runner-up halves it. Checked against the FixMyStreet development split (docs/triage-keyword.md).
    /// </summary>
    public const double Scale = 2;

    private readonly Dictionary<string, (double Score, List<Evidence> Evidence)> _labels = new(StringComparer.Ordinal);

    public bool IsEmpty => _labels.Count == 0;

    public void Add(string label, string feature, double weight)
    {
        if (!_labels.TryGetValue(label, out var entry))
        {
            entry = (0, []);
        }

        entry.Evidence.Add(new Evidence(feature, weight));
        _labels[label] = (entry.Score + weight, entry.Evidence);
    }

    public double Score(string label) => _labels.TryGetValue(label, out var entry) ? entry.Score : 0;

    public IReadOnlyList<Evidence> AllEvidence() =>
        [.. _labels.Values.SelectMany(v => v.Evidence).OrderByDescending(e => e.Weight).Take(KeywordTriageEngine.MaxEvidence)];

    /// <summary>The label with the highest score (ties go to the earlier label in <paramref name="tieOrder"/>), or the fallback.</summary>
    public TriageLabel Decide(string task, string fallback, string[] tieOrder)
    {
        if (_labels.Count == 0)
        {
            return new TriageLabel(task, fallback, KeywordTriageEngine.FallbackConfidence, []);
        }

        var ranked = _labels
            .OrderByDescending(kv => kv.Value.Score)
            .ThenBy(kv => Array.IndexOf(tieOrder, kv.Key) is var i && i >= 0 ? i : int.MaxValue)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .ToList();
        var (label, (top, evidence)) = (ranked[0].Key, ranked[0].Value);
        var runnerUp = ranked.Count > 1 ? ranked[1].Value.Score : 0;
        return new TriageLabel(task, label, Confidence(top, runnerUp), [.. evidence.OrderByDescending(e => e.Weight).Take(KeywordTriageEngine.MaxEvidence)]);
    }

    public static double Confidence(double top, double runnerUp)
    {
        if (top <= 0)
        {
            return 0;
        }

        var strength = 1 - Math.Exp(-top / Scale);
        var share = top / (top + runnerUp);
        return Math.Round(strength * share, 3);
    }
}
