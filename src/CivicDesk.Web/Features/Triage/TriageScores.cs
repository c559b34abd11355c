using System.Globalization;
using System.Text;
using CivicDesk.Triage;

namespace CivicDesk.Web.Features.Triage;

/// <summary>
/// What triage stores per message beside the label columns: the engine's own label, confidence and source for each
/// task, e.g. <c>kind=complaint:0.934:model;category=street_lighting:0.71:model;sentiment=negative:0.88:model</c>
/// (about 120 bytes). Staff may change the label columns later; this keeps what the engine said, so the
/// conversation view can show "changed by staff". The evidence behind each label is not stored (it was 2.3 KB a
/// message): <see cref="Explain"/> recomputes it when a person opens the message.
/// </summary>
public static class TriageScores
{
    public const int MaxLength = 400;

    private static readonly string[] Tasks = ["kind", "category", "sentiment", "crisis_type"];

    /// <summary>The compact form of a result's labels (null for no result).</summary>
    public static string? Format(TriageResult? result)
    {
        if (result is null)
        {
            return null;
        }

        var sb = new StringBuilder(128);
        Append(sb, result.Kind);
        Append(sb, result.Category);
        Append(sb, result.Sentiment);
        if (result.CrisisType is { } crisis)
        {
            Append(sb, crisis);
        }

        return sb.Length <= MaxLength ? sb.ToString() : sb.ToString(0, MaxLength);
    }

    /// <summary>The stored labels by task (kind, category, sentiment, crisis_type); unreadable parts are skipped.</summary>
    public static IReadOnlyDictionary<string, TriageLabel> Parse(string? stored)
    {
        var labels = new Dictionary<string, TriageLabel>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(stored))
        {
            return labels;
        }

        foreach (var part in stored.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var task = part[..eq];
            var fields = part[(eq + 1)..].Split(':');
            if (!Tasks.Contains(task) || fields.Length < 2 || fields[0].Length == 0
                || !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var confidence))
            {
                continue;
            }

            labels[task] = new TriageLabel(task, fields[0], confidence, [], null, fields.Length > 2 && fields[2].Length > 0 ? fields[2] : null);
        }

        return labels;
    }

    /// <summary>
    /// The stored labels with their explanations recomputed by <paramref name="engine"/> (the organisation's current
    /// engine): each label keeps its stored value and confidence; evidence and threshold come from the engine when it
    /// still gives the same label (a retrained model may not, and its evidence would then explain another label).
    /// Urgency and place are rules and are recomputed as they are. Null when nothing was stored.
    /// </summary>
    public static TriageResult? Explain(string? stored, string text, double? latitude, double? longitude, ITriageEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var labels = Parse(stored);
        if (labels.Count == 0)
        {
            return null;
        }

        TriageResult? now;
        try
        {
            now = engine.Triage(new TriageInput(text, latitude, longitude));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The labels stand on their own; only the explanation is missing.
            now = null;
        }

        TriageLabel Merge(string task, TriageLabel? current)
        {
            if (!labels.TryGetValue(task, out var label))
            {
                return current ?? new TriageLabel(task, "", 0, []);
            }

            return current is not null && current.Value == label.Value
                ? label with { Evidence = current.Evidence, Threshold = current.Threshold, Source = label.Source ?? current.Source, Reason = current.Reason }
                : label;
        }

        var crisis = labels.ContainsKey("crisis_type") ? Merge("crisis_type", now?.CrisisType) : null;
        return new TriageResult(Merge("kind", now?.Kind), Merge("category", now?.Category), Merge("sentiment", now?.Sentiment),
            now?.Urgency ?? new UrgencyAssessment(false, null, null), now?.Place, now?.EngineVersion ?? engine.Version, crisis, now?.NeedsHumanReason);
    }

    private static void Append(StringBuilder sb, TriageLabel label)
    {
        if (sb.Length > 0)
        {
            sb.Append(';');
        }

        // Labels are identifiers (e.g. street_lighting); anything that would break the format is replaced.
        sb.Append(label.Task).Append('=').Append(Clean(label.Value)).Append(':')
            .Append(Math.Round(label.Confidence, 3).ToString("0.###", CultureInfo.InvariantCulture));
        if (label.Source is { } source)
        {
            sb.Append(':').Append(Clean(source));
        }
    }

    private static string Clean(string value) =>
        value.AsSpan().IndexOfAny(";=: ") < 0 ? value : value.Replace(';', '_').Replace('=', '_').Replace(':', '_').Replace(' ', '_');
}
