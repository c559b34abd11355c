using System.Globalization;
using CivicDesk.Triage.Learning;

namespace CivicDesk.Triage;

/// <summary>
/// Triage with the learned models (<see cref="ModelSet"/>: complaint, sentiment, service group, crisis information type)
/// plus the transparent keyword parts that are rules rather than statistics: urgency (safety phrases, with the phrase
/// as the reason), place (<see cref="PlaceFinder"/>), and the kinds the complaint model cannot tell apart (question,
/// compliment, rumour, service request: from the keyword kind lexicon when it fires). Every learned label carries its
/// calibrated probability, the model's dev-chosen threshold and the features that contributed most, with weights.
/// A task whose model is missing falls back to its keyword label. Thread-safe: one instance serves the pipeline.
/// </summary>
public sealed class ModelTriageEngine : ITriageEngine
{
    /// <summary>Contributing features kept per label.</summary>
    public const int ExplanationFeatures = 6;

    private static readonly KeywordTriageEngine Keywords = new();

    private readonly int _complaint;
    private readonly int _sentiment;
    private readonly int _service;
    private readonly int _crisis;

    /// <summary>An engine over loaded models.</summary>
    /// <param name="models">The models; any of the four tasks may be missing.</param>
    /// <param name="version">Version string stored with results; default: the models' tasks and training times.</param>
    public ModelTriageEngine(ModelSet models, string? version = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        Models = models;
        _complaint = IndexOf(models, TriageTasks.Complaints.Name);
        _sentiment = IndexOf(models, TriageTasks.Sentiment.Name);
        _service = IndexOf(models, TriageTasks.ServiceRequests.Name);
        _crisis = IndexOf(models, TriageTasks.Crisis.Name);
        Version = version ?? "models " + string.Join(", ", models.Models.Select(m => $"{m.Task}@{m.Info.CreatedUtc}"));
        _labels = [.. models.Models.Select((m, i) => new SharedLabels(
            i == _complaint ? "kind" : i == _service ? "category" : i == _sentiment ? "sentiment" : i == _crisis ? "crisis_type" : m.Task, m))];
    }

    private readonly SharedLabels[] _labels;

    /// <summary>The models.</summary>
    public ModelSet Models { get; }

    /// <inheritdoc />
    public string Version { get; }

    /// <summary>Loads every model file in a folder.</summary>
    /// <param name="folder">The folder (e.g. models/).</param>
    /// <returns>The engine.</returns>
    /// <exception cref="InvalidDataException">A model file is damaged.</exception>
    public static ModelTriageEngine Load(string folder) => new(ModelSet.Load(folder));

    /// <inheritdoc />
    public TriageResult Triage(TriageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // The keyword engine supplies urgency, place and the non-complaint kinds in one pass over the text.
        var keywords = Keywords.Triage(input);
        var text = input.Text ?? "";
        // One extraction with feature names for every model that shares the first model's settings (all four do).
        HashedFeatures? shared = null;
        if (Models.Models.Count > 0)
        {
            // Words, phrases and flags only: naming every character n-gram cost ~0.5 ms and ~150 KB a post and
            // dominated ingest; staff read words and phrases, not "oth".
            shared = new HashedFeatures { RecordNames = true, RecordCharNames = false };
            Models.Models[0].Extractor.Extract(text, shared);
        }

        TriageLabel Label(string task, int modelIndex)
        {
            var model = Models.Models[modelIndex];
            var e = model.Features == Models.Models[0].Features ? model.Explain(shared!, ExplanationFeatures) : model.Explain(text, ExplanationFeatures);
            return new TriageLabel(task, e.Label, e.Confidence, [.. e.Features.Select(f => new Evidence(f.Feature, Math.Round(f.Weight, 3), f.Kind))],
                model.LowConfidenceThreshold, "model");
        }

        var sentiment = _sentiment >= 0 ? Label("sentiment", _sentiment) : keywords.Sentiment with { Source = "keywords" };
        // A service rule (gas, water, electricity, not a council service) outranks the model, which has no such groups.
        var category = keywords.Category.Source == "rule" ? keywords.Category
            : _service >= 0 ? Label("category", _service) : keywords.Category with { Source = "keywords" };
        TriageLabel? crisis = _crisis >= 0 ? Label("crisis_type", _crisis) : null;
        var kind = _complaint >= 0 ? Kind(keywords, Label("kind", _complaint)) : keywords.Kind with { Source = "keywords" };

        var needsHuman = _service >= 0 && category.IsLowConfidence ? NeedsHumanText(category) : null;

        return new TriageResult(kind, category, sentiment, keywords.Urgency, keywords.Place, Version, crisis, needsHuman);
    }

    /// <summary>
    /// Labels and scores without explanations: what the ingest pipeline stores. The same labels, confidences, urgency,
    /// place and needs-a-human verdict as <see cref="Triage"/>, but no evidence lists: those are recomputed with
    /// <see cref="Triage"/> when a person opens the message. The models score into per-thread buffers; the keyword
    /// kinds are decided (without evidence) only when the complaint model says "not a complaint", on the text
    /// <see cref="Assess"/> already normalised; labels are shared immutable instances (one per model, label and
    /// rounded confidence), so a post costs its <see cref="TriageResult"/> and, when it names a place or is urgent,
    /// the answer.
    /// </summary>
    public TriageResult Label(TriageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var text = input.Text ?? "";
        var probabilities = t_probabilities is { } p && p.Length >= Models.TotalLabels ? p : t_probabilities = new float[Models.TotalLabels];
        var predicted = t_predicted is { } b && b.Length >= Models.Models.Count ? b : t_predicted = new int[Models.Models.Count];
        var summary = AssessNormalised(text, input.Latitude, input.Longitude, probabilities, predicted, out var normalised);
        if (_sentiment < 0 || _service < 0 || _complaint < 0)
        {
            return LabelWithKeywordFallbacks(input, summary, probabilities, predicted);
        }

        var sentiment = Scored(_sentiment, probabilities, predicted);
        var category = summary.Service is { } rule ? rule.Label with { Evidence = [] } : Scored(_service, probabilities, predicted);
        TriageLabel? crisis = _crisis >= 0 ? Scored(_crisis, probabilities, predicted) : null;
        var kind = Scored(_complaint, probabilities, predicted);
        if (kind.Value != "complaint")
        {
            // As Kind(): the keyword kind when it names one of these, else a service request when a category cue fired.
            var (keywordKind, hasCategory) = KeywordTriageEngine.KindValue(normalised, summary.Service is not null);
            var value = keywordKind is "question" or "compliment" or "rumour" or "service_request" ? keywordKind
                : hasCategory ? "service_request" : "other";
            kind = _labels[_complaint].Kind(kind, value, keywordKind == value ? "model+keywords" : "model");
        }

        var needsHuman = summary.NeedsHuman ? _labels[_service].NeedsHumanReason(category) : null;
        return new TriageResult(kind, category, sentiment, summary.Urgency, summary.Place, Version, crisis, needsHuman);
    }

    private TriageLabel Scored(int modelIndex, float[] probabilities, int[] predicted)
    {
        var best = predicted[modelIndex];
        return _labels[modelIndex].Get(best, Math.Round(probabilities[Models.LabelOffset(modelIndex) + best], 3));
    }

    /// <summary>Label when a model is missing: the keyword engine (with its evidence dropped) stands in for it.</summary>
    private TriageResult LabelWithKeywordFallbacks(TriageInput input, TriageSummary summary, float[] probabilities, int[] predicted)
    {
        TriageLabel Scored(string task, int modelIndex)
        {
            var model = Models.Models[modelIndex];
            var best = predicted[modelIndex];
            return new TriageLabel(task, model.Labels[best], Math.Round(probabilities[Models.LabelOffset(modelIndex) + best], 3), [],
                model.LowConfidenceThreshold, "model");
        }

        TriageResult? keywords = null;
        TriageResult KeywordResult() => keywords ??= Keywords.Triage(input);
        var sentiment = _sentiment >= 0 ? Scored("sentiment", _sentiment) : KeywordResult().Sentiment with { Evidence = [], Source = "keywords" };
        var category = summary.Service is { } rule ? rule.Label with { Evidence = [] }
            : _service >= 0 ? Scored("category", _service) : KeywordResult().Category with { Evidence = [], Source = "keywords" };
        TriageLabel? crisis = _crisis >= 0 ? Scored("crisis_type", _crisis) : null;
        TriageLabel kind;
        if (_complaint < 0)
        {
            kind = KeywordResult().Kind with { Evidence = [], Source = "keywords" };
        }
        else
        {
            var complaint = Scored("kind", _complaint);
            kind = complaint.Value == "complaint" ? complaint : Kind(KeywordResult(), complaint) with { Evidence = [] };
        }

        string? needsHuman = null;
        if (summary.NeedsHuman)
        {
            needsHuman = NeedsHumanText(category);
        }

        return new TriageResult(kind, category, sentiment, summary.Urgency, summary.Place, Version, crisis, needsHuman);
    }

    internal static string NeedsHumanText(TriageLabel category) => string.Create(CultureInfo.InvariantCulture,
        $"service group {category.Value} is only {category.Confidence:P0} likely (threshold {category.Threshold:P0})");

    [ThreadStatic] private static float[]? t_probabilities;
    [ThreadStatic] private static int[]? t_predicted;

    /// <summary>
    /// The allocation-free part of triage, for the hot path and the benchmark: every model's calibrated probabilities
    /// (<paramref name="probabilities"/>, see <see cref="ModelSet.LabelOffset"/>) and predicted label indexes.
    /// </summary>
    /// <param name="text">The message.</param>
    /// <param name="probabilities">Output, at least <see cref="ModelSet.TotalLabels"/> long.</param>
    /// <param name="predicted">Output, one per model.</param>
    /// <returns>True when the service group is under its threshold (the message needs a human).</returns>
    public bool Score(ReadOnlySpan<char> text, Span<float> probabilities, Span<int> predicted)
    {
        Models.Predict(text, probabilities, predicted);
        if (_service < 0)
        {
            return false;
        }

        var model = Models.Models[_service];
        return probabilities[Models.LabelOffset(_service) + predicted[_service]] < model.LowConfidenceThreshold;
    }

    /// <summary>
    /// Full triage of a post without explanations, for the hot path and the benchmark: every model's calibrated
    /// probabilities and predicted label (<see cref="ModelSet.Predict"/>), the urgency rules and the place. Allocates
    /// nothing after warm-up unless the post is urgent or names a place (then only the answer), or needs Unicode folding.
    /// </summary>
    /// <param name="text">The message.</param>
    /// <param name="latitude">Geotag latitude, if any.</param>
    /// <param name="longitude">Geotag longitude, if any.</param>
    /// <param name="probabilities">Output, at least <see cref="ModelSet.TotalLabels"/> long.</param>
    /// <param name="predicted">Output, one per model.</param>
    /// <returns>Urgency, place and whether the service group needs a human.</returns>
    public TriageSummary Assess(string text, double? latitude, double? longitude, Span<float> probabilities, Span<int> predicted) =>
        AssessNormalised(text, latitude, longitude, probabilities, predicted, out _);

    /// <summary><see cref="Assess(string, double?, double?, Span{float}, Span{int})"/>, and the thread's normalised text (valid until its next use).</summary>
    private TriageSummary AssessNormalised(string text, double? latitude, double? longitude, Span<float> probabilities, Span<int> predicted, out NormalisedText normalised)
    {
        var needsHuman = Score(text, probabilities, predicted);
        normalised = NormalisedText.Reuse(text);
        var service = KeywordTriageEngine.MatchService(normalised);
        // A rule-given category needs no human to check it: the rule names its reason.
        return new TriageSummary(needsHuman && service is null, KeywordTriageEngine.AssessUrgency(normalised), KeywordTriageEngine.FindPlace(normalised, latitude, longitude), service);
    }

    /// <summary>
    /// The complaint model decides complaint or not. Otherwise the keyword lexicon's kind stands when it found a
    /// question, compliment, rumour or service request; else "other". The confidence is the complaint model's
    /// probability of "not a complaint" for those, as that is the part a model decided.
    /// </summary>
    private static TriageLabel Kind(TriageResult keywords, TriageLabel complaint)
    {
        if (complaint.Value == "complaint")
        {
            return complaint;
        }

        var k = keywords.Kind;
        var value = k.Value is "question" or "compliment" or "rumour" or "service_request"
            ? k.Value
            : keywords.Category.Value != "none" ? "service_request" : "other";
        IReadOnlyList<Evidence> evidence = [.. k.Evidence.Take(3), .. complaint.Evidence];
        return complaint with { Value = value, Evidence = evidence, Source = k.Value == value ? "model+keywords" : "model" };
    }

    private static int IndexOf(ModelSet models, string task)
    {
        for (var i = 0; i < models.Models.Count; i++)
        {
            if (string.Equals(models.Models[i].Task, task, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// One model's labels as <see cref="ModelTriageEngine.Label"/> gives them (no evidence), shared: a label's confidence is
/// rounded to 3 decimals, so a model has at most 1,001 of them per label, made the first time each is needed. Records are
/// immutable, so sharing one instance between results and threads is safe; a racing first use makes two equal
/// instances and keeps one. The kinds the keyword engine refines, and the needs-a-human reasons, are shared the same way.
/// </summary>
internal sealed class SharedLabels(string task, LinearTriageModel model)
{
    private const int Steps = 1001;
    private static readonly string[] KindValues = ["complaint", "service_request", "question", "compliment", "rumour", "other"];

    private readonly TriageLabel?[] _labels = new TriageLabel?[model.Labels.Count * Steps];
    private readonly TriageLabel?[] _kinds = new TriageLabel?[KindValues.Length * 2 * Steps];
    private readonly Reason?[] _needsHuman = new Reason?[model.Labels.Count * Steps];

    /// <summary>Label <paramref name="best"/> at a confidence already rounded to 3 decimals.</summary>
    public TriageLabel Get(int best, double confidence)
    {
        var slot = Slot(confidence);
        if (slot < 0)
        {
            return Create(best, confidence);
        }

        var index = (best * Steps) + slot;
        var cached = Volatile.Read(ref _labels[index]);
        if (cached is not null && cached.Confidence.Equals(confidence))
        {
            return cached;
        }

        var label = Create(best, confidence);
        Volatile.Write(ref _labels[index], label);
        return label;
    }

    /// <summary><paramref name="complaint"/> (this model's label) with the kind <paramref name="value"/> and <paramref name="source"/>.</summary>
    public TriageLabel Kind(TriageLabel complaint, string value, string source)
    {
        var k = Array.IndexOf(KindValues, value);
        var slot = Slot(complaint.Confidence);
        if (k < 0 || slot < 0 || source is not ("model" or "model+keywords"))
        {
            return complaint with { Value = value, Source = source };
        }

        var index = (((k * 2) + (source == "model" ? 0 : 1)) * Steps) + slot;
        var cached = Volatile.Read(ref _kinds[index]);
        if (cached is not null && cached.Confidence.Equals(complaint.Confidence) && cached.Threshold.Equals(complaint.Threshold))
        {
            return cached;
        }

        var label = complaint with { Value = value, Source = source };
        Volatile.Write(ref _kinds[index], label);
        return label;
    }

    /// <summary>Why a person should check <paramref name="category"/> (this model's label, under its threshold).</summary>
    public string NeedsHumanReason(TriageLabel category)
    {
        var best = IndexOf(category.Value);
        var slot = Slot(category.Confidence);
        if (best < 0 || slot < 0)
        {
            return ModelTriageEngine.NeedsHumanText(category);
        }

        // Kept with the label it was written for: a hit is that very (shared, immutable) label.
        var index = (best * Steps) + slot;
        if (Volatile.Read(ref _needsHuman[index]) is { } cached && ReferenceEquals(cached.For, category))
        {
            return cached.Text;
        }

        var reason = new Reason(category, ModelTriageEngine.NeedsHumanText(category));
        Volatile.Write(ref _needsHuman[index], reason);
        return reason.Text;
    }

    private sealed record Reason(TriageLabel For, string Text);

    private TriageLabel Create(int best, double confidence) =>
        new(task, model.Labels[best], confidence, [], model.LowConfidenceThreshold, "model");

    private int IndexOf(string label)
    {
        for (var i = 0; i < model.Labels.Count; i++)
        {
            if (string.Equals(model.Labels[i], label, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>0…1000 for a confidence in [0, 1] rounded to 3 decimals; -1 otherwise (then nothing is shared).</summary>
    private static int Slot(double confidence) =>
        confidence is >= 0 and <= 1 ? (int)Math.Round(confidence * 1000) : -1;
}

/// <summary>The allocation-free part of a triage result (<see cref="ModelTriageEngine.Assess"/>).</summary>
/// <param name="NeedsHuman">The service group is under its threshold.</param>
/// <param name="Urgency">Urgency (a shared instance when not urgent).</param>
/// <param name="Place">The place, or null.</param>
/// <param name="Service">The service rule that gave the category, or null (the model's category stands).</param>
public readonly record struct TriageSummary(bool NeedsHuman, UrgencyAssessment Urgency, PlaceMention? Place, ServiceRuleMatch? Service = null);
