namespace CivicDesk.Triage;

/// <summary>Precision, recall and F1 for one label.</summary>
/// <param name="Label">The label.</param>
/// <param name="Support">How many items truly have it.</param>
/// <param name="Precision">Of the items predicted with it, the share that truly have it (0 when never predicted).</param>
/// <param name="Recall">Of the items that truly have it, the share predicted with it.</param>
/// <param name="F1">Harmonic mean of precision and recall (0 when both are 0).</param>
public sealed record LabelMetrics(string Label, int Support, double Precision, double Recall, double F1);

/// <summary>
/// Accuracy and macro-F1 of a classifier against gold labels. Macro-F1 averages F1 over the gold labels, so rare
/// groups weigh as much as common ones; a prediction outside the gold labels (such as "none") only costs recall.
/// </summary>
/// <param name="Count">Items evaluated.</param>
/// <param name="Accuracy">Share of items predicted correctly.</param>
/// <param name="MacroF1">Mean F1 over the labels that occur in the gold set.</param>
/// <param name="PerLabel">Metrics per gold label, most frequent first.</param>
public sealed record ClassificationMetrics(int Count, double Accuracy, double MacroF1, IReadOnlyList<LabelMetrics> PerLabel)
{
    /// <summary>Scores <paramref name="pairs"/> of (gold, predicted) labels.</summary>
    public static ClassificationMetrics Compute(IEnumerable<(string Gold, string Predicted)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var gold = new Dictionary<string, int>(StringComparer.Ordinal);
        var predicted = new Dictionary<string, int>(StringComparer.Ordinal);
        var correct = new Dictionary<string, int>(StringComparer.Ordinal);
        var count = 0;
        foreach (var (g, p) in pairs)
        {
            count++;
            gold[g] = gold.GetValueOrDefault(g) + 1;
            predicted[p] = predicted.GetValueOrDefault(p) + 1;
            if (g == p)
            {
                correct[g] = correct.GetValueOrDefault(g) + 1;
            }
        }

        if (count == 0)
        {
            return new ClassificationMetrics(0, 0, 0, []);
        }

        var perLabel = gold
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv =>
            {
                var tp = correct.GetValueOrDefault(kv.Key);
                var precision = predicted.GetValueOrDefault(kv.Key) is > 0 and var n ? (double)tp / n : 0;
                var recall = (double)tp / kv.Value;
                var f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
                return new LabelMetrics(kv.Key, kv.Value, precision, recall, f1);
            })
            .ToList();
        return new ClassificationMetrics(count, (double)correct.Values.Sum() / count, perLabel.Average(l => l.F1), perLabel);
    }
}
