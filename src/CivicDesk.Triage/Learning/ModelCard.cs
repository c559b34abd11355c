using System.Globalization;
using System.Text;

namespace CivicDesk.Triage.Learning;

/// <summary>
/// Writes the Markdown model card kept next to each model file (<c>models/&lt;task&gt;.md</c>): data, settings,
/// dev scores from training, and a test section filled in once per model version by <c>triage eval --record</c>.
/// </summary>
public static class ModelCard
{
    /// <summary>Marks the start of the test section (replaced by <see cref="WithTestResults"/>).</summary>
    public const string TestSectionStart = "<!-- test-results:start -->";

    /// <summary>Marks the end of the test section.</summary>
    public const string TestSectionEnd = "<!-- test-results:end -->";

    /// <summary>The card of a freshly trained model (test section still empty).</summary>
    /// <param name="task">The task.</param>
    /// <param name="result">The training result.</param>
    /// <param name="modelFileName">The model's file name.</param>
    /// <param name="modelBytes">The model file's size.</param>
    /// <returns>Markdown.</returns>
    public static string Render(TriageTask task, TrainingResult result, string modelFileName, long modelBytes)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(result);
        var m = result.Model;
        var info = m.Info;
        var s = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        s.AppendLine(ci, $"# Model card: {task.Name}");
        s.AppendLine();
        s.AppendLine(ci, $"Predicts {task.Description}. File `{modelFileName}` ({modelBytes / 1024.0 / 1024.0:F2} MB), format version {LinearTriageModel.FormatVersion}, trained {info.CreatedUtc}.");
        s.AppendLine();
        s.AppendLine("## Data");
        s.AppendLine(ci, $"`shared/data/{task.Name}/` — see that folder's README for source, licence/terms, split and caveats. Trained on `train` only ({info.TrainRows:N0} rows used); settings, epoch, temperature and low-confidence threshold chosen on `dev` ({info.DevRows:N0} rows). `test` is scored once per model version (below).");
        s.AppendLine();
        s.AppendLine("## Model");
        s.AppendLine(ci, $"Multinomial logistic regression over hashed features (CivicDesk.Triage.Learning). Labels: {string.Join(", ", m.Labels.Select(l => $"`{l}`"))}.");
        s.AppendLine();
        s.AppendLine(ci, $"- Settings: {info.Training}");
        var chars = m.Features.UsesCharNgrams ? $"character {m.Features.CharNgramMin}–{m.Features.CharNgramMax}-grams within words" : "no character n-grams";
        s.AppendLine(ci, $"- Features: 2^{m.Features.BucketBits} buckets, word 1–{m.Features.WordNgramMax}-grams, {chars}, 4 dense features (length, !, ?, capitals ratio); int8 weights with a per-class scale.");
        s.AppendLine(ci, $"- Best epoch {info.BestEpoch}; temperature {m.Temperature:F3} (dev NLL {info.DevNll}).");
        s.AppendLine(ci, $"- Low confidence: below {m.LowConfidenceThreshold:F3}, chosen so dev predictions at or above it are ≥ {info.LowConfidenceTarget:P0} accurate: {info.DevCoverage:P1} of dev is covered, at {info.DevConfidentAccuracy:P1} accuracy.");
        if (result.Runs.Count > 1)
        {
            s.AppendLine(ci, $"- Chosen from {result.Runs.Count} settings by dev {task.Selection}; best five:");
            s.AppendLine();
            s.AppendLine("| dev score | epoch | settings |");
            s.AppendLine("|---:|---:|---|");
            foreach (var run in result.Runs.OrderByDescending(r => r.DevScore).Take(5))
            {
                s.AppendLine(ci, $"| {run.DevScore:F4} | {run.BestEpoch} | {run.Settings.Describe()} |");
            }
        }

        s.AppendLine();
        s.AppendLine("## Dev (saved model)");
        AppendReport(s, result.Dev);
        s.AppendLine();
        s.AppendLine("## Test");
        s.AppendLine(TestSectionStart);
        s.AppendLine("Not yet evaluated: run `civicdesk triage eval --task " + task.Name + " --split test --record` once for this model version.");
        s.AppendLine(TestSectionEnd);
        s.AppendLine();
        s.AppendLine("## Targets (triage issue, on test)");
        foreach (var target in task.Targets)
        {
            s.AppendLine(ci, $"- {target.Metric} ≥ {target.Minimum:F2}");
        }

        s.AppendLine();
        s.AppendLine("## Reference scores");
        AppendBaselines(s, task);
        s.AppendLine();
        s.AppendLine("## Limits");
        s.AppendLine("Bag of n-grams: no word order beyond n-grams, no world knowledge; hashed features can collide (explanations show the n-gram found in the message, whose bucket may be shared). Probabilities are calibrated on dev, whose label mix may differ from live traffic. Retrain with `civicdesk triage train --task " + task.Name + "`.");
        return s.ToString();
    }

    /// <summary>Replaces the test section of a card with a test report.</summary>
    /// <param name="card">The card's Markdown.</param>
    /// <param name="task">The task.</param>
    /// <param name="model">The model evaluated.</param>
    /// <param name="test">Its test report.</param>
    /// <param name="extra">Extra lines (subset scores, low-confidence coverage), or null.</param>
    /// <returns>The new Markdown.</returns>
    public static string WithTestResults(string card, TriageTask task, LinearTriageModel model, ClassificationReport test, IEnumerable<string>? extra)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        var ci = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(TestSectionStart);
        s.AppendLine(ci, $"Scored once for the model trained {model.Info.CreatedUtc}, on {DateTime.UtcNow:yyyy-MM-dd} ({test.Total:N0} rows).");
        s.AppendLine();
        AppendReport(s, test);
        s.AppendLine();
        foreach (var target in task.Targets)
        {
            var value = MetricValue(test, target.Metric);
            s.AppendLine(ci, $"- Target {target.Metric} ≥ {target.Minimum:F2}: **{value:F4}** — {(value >= target.Minimum ? "met" : "missed")}");
        }

        foreach (var line in extra ?? [])
        {
            s.AppendLine(line);
        }

        s.Append(TestSectionEnd);
        var start = card.IndexOf(TestSectionStart, StringComparison.Ordinal);
        var end = card.IndexOf(TestSectionEnd, StringComparison.Ordinal);
        return start < 0 || end < start
            ? card + Environment.NewLine + "## Test" + Environment.NewLine + s + Environment.NewLine
            : string.Concat(card.AsSpan(0, start), s.ToString(), card.AsSpan(end + TestSectionEnd.Length));
    }

    /// <summary>The value of a metric by its snake_case name.</summary>
    /// <param name="report">The report.</param>
    /// <param name="metric">accuracy, macro_f1, macro_recall or macro_precision.</param>
    /// <returns>The value.</returns>
    public static double MetricValue(ClassificationReport report, string metric)
    {
        ArgumentNullException.ThrowIfNull(report);
        return metric switch
        {
            "accuracy" => report.Accuracy,
            "macro_f1" => report.MacroF1,
            "macro_recall" => report.MacroRecall,
            "macro_precision" => report.MacroPrecision,
            _ => double.NaN,
        };
    }

    private static void AppendReport(StringBuilder s, ClassificationReport r)
    {
        var ci = CultureInfo.InvariantCulture;
        s.AppendLine(ci, $"Accuracy **{r.Accuracy:F4}**, macro-F1 **{r.MacroF1:F4}**, macro-recall **{r.MacroRecall:F4}** ({r.Total:N0} rows).");
        s.AppendLine();
        s.AppendLine("| label | precision | recall | F1 | support |");
        s.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var c in r.PerClass)
        {
            s.AppendLine(ci, $"| {c.Label} | {c.Precision:F3} | {c.Recall:F3} | {c.F1:F3} | {c.Support} |");
        }
    }

    private static void AppendBaselines(StringBuilder s, TriageTask task)
    {
        var ci = CultureInfo.InvariantCulture;
        s.AppendLine("| system | metric | value | source | same test split |");
        s.AppendLine("|---|---|---:|---|---|");
        foreach (var b in task.Baselines)
        {
            s.AppendLine(ci, $"| {b.System} | {b.Metric} | {b.Value:F3} | {b.Source} | {(b.Comparable ? "yes" : "no")} |");
        }
    }
}
