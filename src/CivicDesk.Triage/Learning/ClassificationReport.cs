namespace CivicDesk.Triage.Learning;

/// <summary>The score a training run optimises on dev (and a task is judged by).</summary>
public enum SelectionMetric
{
    /// <summary>Unweighted mean of per-class F1.</summary>
    MacroF1,

    /// <summary>Unweighted mean of per-class recall (SemEval-2017 Task 4A's official measure).</summary>
    MacroRecall,

    /// <summary>Share of correct predictions.</summary>
    Accuracy,

    /// <summary>Mean of accuracy and macro-F1, for routing tasks judged on both.</summary>
    AccuracyAndMacroF1,
}

/// <summary>Precision, recall and F1 of one class.</summary>
/// <param name="Label">The class.</param>
/// <param name="Precision">Correct predictions of the class / predictions of the class (0 when never predicted).</param>
/// <param name="Recall">Correct predictions of the class / gold examples of the class (0 when none).</param>
/// <param name="F1">Harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="Support">Gold examples of the class.</param>
/// <param name="Predicted">Predictions of the class.</param>
public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, int Support, int Predicted);

/// <summary>
/// Accuracy, macro-F1, macro-recall, per-class scores and the confusion matrix of a set of predictions.
/// Macro averages run over the classes that occur in the gold labels or the predictions (as scikit-learn does
/// by default); a class that is never predicted has precision 0.
/// </summary>
public sealed class ClassificationReport
{
    private ClassificationReport(IReadOnlyList<string> labels, int[][] confusion)
    {
        Labels = labels;
        Confusion = confusion;
        var k = labels.Count;
        var perClass = new List<ClassMetrics>(k);
        int correct = 0, total = 0, present = 0;
        double f1Sum = 0, recallSum = 0, precisionSum = 0;
        for (var c = 0; c < k; c++)
        {
            var tp = confusion[c][c];
            var support = confusion[c].Sum();
            var predicted = 0;
            for (var g = 0; g < k; g++)
            {
                predicted += confusion[g][c];
            }

            correct += tp;
            total += support;
            var precision = predicted == 0 ? 0 : tp / (double)predicted;
            var recall = support == 0 ? 0 : tp / (double)support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.Add(new ClassMetrics(labels[c], precision, recall, f1, support, predicted));
            if (support > 0 || predicted > 0)
            {
                present++;
                f1Sum += f1;
                recallSum += recall;
                precisionSum += precision;
            }
        }

        PerClass = perClass;
        Total = total;
        Accuracy = total == 0 ? 0 : correct / (double)total;
        MacroF1 = present == 0 ? 0 : f1Sum / present;
        MacroRecall = present == 0 ? 0 : recallSum / present;
        MacroPrecision = present == 0 ? 0 : precisionSum / present;
    }

    /// <summary>The classes, in matrix order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Confusion matrix: <c>Confusion[gold][predicted]</c> counts.</summary>
    public IReadOnlyList<IReadOnlyList<int>> ConfusionMatrix => Confusion;

    /// <summary>Per-class scores, in <see cref="Labels"/> order.</summary>
    public IReadOnlyList<ClassMetrics> PerClass { get; }

    /// <summary>Number of examples.</summary>
    public int Total { get; }

    /// <summary>Share of correct predictions.</summary>
    public double Accuracy { get; }

    /// <summary>Unweighted mean of per-class F1.</summary>
    public double MacroF1 { get; }

    /// <summary>Unweighted mean of per-class recall.</summary>
    public double MacroRecall { get; }

    /// <summary>Unweighted mean of per-class precision.</summary>
    public double MacroPrecision { get; }

    private int[][] Confusion { get; }

    /// <summary>Scores predictions against gold labels.</summary>
    /// <param name="labels">The classes; gold and predicted values index into it.</param>
    /// <param name="gold">Gold class indices.</param>
    /// <param name="predicted">Predicted class indices, same length.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">The lengths differ or an index is out of range.</exception>
    public static ClassificationReport Compute(IReadOnlyList<string> labels, ReadOnlySpan<int> gold, ReadOnlySpan<int> predicted)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (gold.Length != predicted.Length)
        {
            throw new ArgumentException("Gold and predicted labels differ in length.", nameof(predicted));
        }

        var k = labels.Count;
        var confusion = new int[k][];
        for (var c = 0; c < k; c++)
        {
            confusion[c] = new int[k];
        }

        for (var i = 0; i < gold.Length; i++)
        {
            if ((uint)gold[i] >= (uint)k || (uint)predicted[i] >= (uint)k)
            {
                throw new ArgumentException($"Label index out of range at row {i}.", nameof(gold));
            }

            confusion[gold[i]][predicted[i]]++;
        }

        return new ClassificationReport(labels, confusion);
    }

    /// <summary>Scores string predictions against string gold labels; the label set is the union, gold labels first.</summary>
    /// <param name="gold">Gold labels.</param>
    /// <param name="predicted">Predicted labels, same length.</param>
    /// <param name="labelOrder">Preferred order of classes (others are appended in order of appearance).</param>
    /// <returns>The report.</returns>
    public static ClassificationReport Compute(IReadOnlyList<string> gold, IReadOnlyList<string> predicted, IEnumerable<string>? labelOrder = null)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        var labels = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var label in (labelOrder ?? []).Concat(gold).Concat(predicted))
        {
            if (index.TryAdd(label, labels.Count))
            {
                labels.Add(label);
            }
        }

        var g = gold.Select(l => index[l]).ToArray();
        var p = predicted.Select(l => index[l]).ToArray();
        return Compute(labels, g, p);
    }

    /// <summary>The value of a selection metric.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>Its value.</returns>
    public double Score(SelectionMetric metric) => metric switch
    {
        SelectionMetric.MacroF1 => MacroF1,
        SelectionMetric.MacroRecall => MacroRecall,
        SelectionMetric.Accuracy => Accuracy,
        SelectionMetric.AccuracyAndMacroF1 => (Accuracy + MacroF1) / 2,
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };
}
