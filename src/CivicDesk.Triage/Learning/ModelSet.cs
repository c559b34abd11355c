namespace CivicDesk.Triage.Learning;

/// <summary>One model's answer inside a <see cref="ModelSet"/> prediction.</summary>
/// <param name="Task">The model's task.</param>
/// <param name="Label">The predicted label.</param>
/// <param name="Confidence">Its calibrated probability.</param>
/// <param name="IsLowConfidence">True when under the model's low-confidence threshold.</param>
public sealed record TaskPrediction(string Task, string Label, float Confidence, bool IsLowConfidence);

/// <summary>
/// All learned triage models loaded together (one per task), for the pipeline. Models that share
/// <see cref="FeatureSettings"/> share one pass of tokenising and hashing, and their int8 weights are interleaved
/// into one table row per bucket, so each feature costs one cache line for all of them (the hot path is memory
/// lookups, not arithmetic; see <see cref="FusedScorer"/>). Thread-safe; <see cref="Predict"/> allocates nothing after a thread's first call.
/// </summary>
public sealed class ModelSet
{
    [ThreadStatic]
    private static HashedFeatures? t_features;

    private readonly FusedScorer[] _groups;
    private readonly int[] _offsets;

    private ModelSet(IReadOnlyList<LinearTriageModel> models)
    {
        Models = models;
        _offsets = new int[models.Count + 1];
        for (var i = 0; i < models.Count; i++)
        {
            _offsets[i + 1] = _offsets[i] + models[i].Labels.Count;
        }

        _groups = [.. models.Select((m, i) => (m, i)).GroupBy(x => x.m.Features)
            .Select(g => new FusedScorer(g.Key, [.. g.Select(x => (x.m, _offsets[x.i]))]))];
    }

    /// <summary>The models, in the order of <see cref="TriageTasks.All"/> (other tasks after, by name).</summary>
    public IReadOnlyList<LinearTriageModel> Models { get; }

    /// <summary>Length of the probability vector <see cref="Predict"/> fills: all models' labels, model after model.</summary>
    public int TotalLabels => _offsets[^1];

    /// <summary>Loads every <c>*.cdtm</c> model file in a folder.</summary>
    /// <param name="folder">The folder (e.g. models/).</param>
    /// <returns>The set.</returns>
    /// <exception cref="InvalidDataException">A file is damaged, or two files hold the same task.</exception>
    public static ModelSet Load(string folder) =>
        From(Directory.EnumerateFiles(folder, "*.cdtm").Select(LinearTriageModel.Load));

    /// <summary>A set of already loaded models.</summary>
    /// <param name="models">The models (one per task).</param>
    /// <returns>The set.</returns>
    public static ModelSet From(IEnumerable<LinearTriageModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var list = models.ToList();
        var duplicate = list.GroupBy(m => m.Task, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"Two models for task '{duplicate.Key}'.");
        }

        var known = TriageTasks.All.Select(t => t.Name).ToList();
        return new ModelSet([.. list.OrderBy(m => known.IndexOf(m.Task) is var i and >= 0 ? i : int.MaxValue).ThenBy(m => m.Task, StringComparer.Ordinal)]);
    }

    /// <summary>The model for a task, or null.</summary>
    /// <param name="task">Task name.</param>
    /// <returns>The model, or null.</returns>
    public LinearTriageModel? Find(string task) => Models.FirstOrDefault(m => string.Equals(m.Task, task, StringComparison.Ordinal));

    /// <summary>Where model <paramref name="modelIndex"/>'s probabilities start in the vector <see cref="Predict"/> fills.</summary>
    /// <param name="modelIndex">Index into <see cref="Models"/>.</param>
    /// <returns>The offset.</returns>
    public int LabelOffset(int modelIndex) => _offsets[modelIndex];

    /// <summary>
    /// Runs every model on <paramref name="text"/>: <paramref name="probabilities"/> gets each model's calibrated
    /// probabilities (model after model, see <see cref="LabelOffset"/>) and <paramref name="predicted"/> each model's
    /// predicted label index.
    /// </summary>
    /// <param name="text">The message.</param>
    /// <param name="probabilities">Output, at least <see cref="TotalLabels"/> long.</param>
    /// <param name="predicted">Output, at least <see cref="Models"/>.Count long.</param>
    public void Predict(ReadOnlySpan<char> text, Span<float> probabilities, Span<int> predicted)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probabilities.Length, TotalLabels);
        ArgumentOutOfRangeException.ThrowIfLessThan(predicted.Length, Models.Count);
        var features = t_features ??= new HashedFeatures();
        foreach (var group in _groups)
        {
            group.Score(text, features, probabilities);
        }

        for (var i = 0; i < Models.Count; i++)
        {
            predicted[i] = LinearTriageModel.Softmax(probabilities[_offsets[i].._offsets[i + 1]], Models[i].Temperature);
        }
    }

    /// <summary>Every model's label and confidence for a message (allocates the result list).</summary>
    /// <param name="text">The message.</param>
    /// <returns>One prediction per model.</returns>
    public IReadOnlyList<TaskPrediction> Classify(ReadOnlySpan<char> text)
    {
        Span<float> p = stackalloc float[TotalLabels];
        Span<int> best = stackalloc int[Models.Count];
        Predict(text, p, best);
        var result = new TaskPrediction[Models.Count];
        for (var i = 0; i < Models.Count; i++)
        {
            var m = Models[i];
            var confidence = p[_offsets[i] + best[i]];
            result[i] = new TaskPrediction(m.Task, m.Labels[best[i]], confidence, confidence < m.LowConfidenceThreshold);
        }

        return result;
    }

    /// <summary>Every model's prediction with its evidence (allocates).</summary>
    /// <param name="text">The message.</param>
    /// <param name="top">Features per model.</param>
    /// <returns>One explanation per model.</returns>
    public IReadOnlyList<TriageExplanation> Explain(string text, int top = 10) => [.. Models.Select(m => m.Explain(text, top))];
}
