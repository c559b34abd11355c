using System.Text.Json;
using System.Text.Json.Serialization;

namespace CivicDesk.Triage.Learning;

/// <summary>One retrained model version of one task.</summary>
/// <param name="Version">1, 2, …</param>
/// <param name="File">File name inside the task folder (v&lt;N&gt;.cdtm).</param>
/// <param name="CreatedUtc">When it was made.</param>
/// <param name="FeedbackRows">Staff corrections added to the base train split.</param>
/// <param name="Metric">The dev metric compared (the task's selection metric).</param>
/// <param name="DevBefore">Dev score of the model active before (base model when none).</param>
/// <param name="DevAfter">Dev score of this version.</param>
/// <param name="Activated">True when it became active (it was not worse on dev).</param>
public sealed record ModelVersion(int Version, string File, string CreatedUtc, int FeedbackRows, string Metric, double DevBefore, double DevAfter, bool Activated);

/// <summary>A task's versions and which one is active (null: the base model shipped in models/).</summary>
public sealed class TaskModelVersions
{
    /// <summary>Active version, or null for the base model.</summary>
    public int? Active { get; set; }

    /// <summary>Versions made so far, oldest first; files are kept for roll-back.</summary>
    public List<ModelVersion> Versions { get; set; } = [];

    /// <summary>Active versions in the order they were activated, so roll-back returns to the one before.</summary>
    public List<int> History { get; set; } = [];
}

/// <summary>
/// An organisation's retrained models: <c>&lt;folder&gt;/&lt;task&gt;/v&lt;N&gt;.cdtm</c> plus <c>registry.json</c>
/// naming the active version per task. Every version file is kept; roll-back re-activates the version active before.
/// Not thread-safe: one writer (the CLI) at a time; readers re-read the JSON file.
/// </summary>
public sealed class ModelRegistry
{
    /// <summary>Registry file name inside the organisation's folder.</summary>
    public const string FileName = "registry.json";

    private ModelRegistry(string folder, Dictionary<string, TaskModelVersions> tasks)
    {
        Folder = folder;
        Tasks = tasks;
    }

    /// <summary>The organisation's model folder.</summary>
    public string Folder { get; }

    /// <summary>Versions per task.</summary>
    public Dictionary<string, TaskModelVersions> Tasks { get; }

    /// <summary>The registry file's path.</summary>
    public string RegistryPath => Path.Combine(Folder, FileName);

    /// <summary>Opens (or starts) the registry in a folder.</summary>
    /// <param name="folder">The organisation's model folder (created on first save).</param>
    /// <returns>The registry.</returns>
    /// <exception cref="InvalidDataException">The registry file is not valid JSON.</exception>
    public static ModelRegistry Open(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return new ModelRegistry(folder, new Dictionary<string, TaskModelVersions>(StringComparer.Ordinal));
        }

        try
        {
            var tasks = JsonSerializer.Deserialize(File.ReadAllText(path), RegistryJson.Default.DictionaryStringTaskModelVersions) ?? [];
            return new ModelRegistry(folder, new Dictionary<string, TaskModelVersions>(tasks, StringComparer.Ordinal));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Model registry {path} is damaged.", e);
        }
    }

    /// <summary>The active version of a task, or null (base model).</summary>
    /// <param name="task">Task name.</param>
    /// <returns>The version, or null.</returns>
    public ModelVersion? ActiveVersion(string task) =>
        Tasks.TryGetValue(task, out var t) && t.Active is { } v ? t.Versions.FirstOrDefault(x => x.Version == v) : null;

    /// <summary>The active model file of a task, or null (base model).</summary>
    /// <param name="task">Task name.</param>
    /// <returns>The path, or null.</returns>
    public string? ActivePath(string task) => ActiveVersion(task) is { } v ? Path.Combine(Folder, task, v.File) : null;

    /// <summary>Loads the active models (tasks without an active version are left out).</summary>
    /// <returns>The models.</returns>
    public IReadOnlyList<LinearTriageModel> LoadActive() =>
        [.. Tasks.Keys.Order(StringComparer.Ordinal).Select(ActivePath).OfType<string>().Select(LinearTriageModel.Load)];

    /// <summary>Stores a new version's file and records it (activated or not), then saves the registry.</summary>
    /// <param name="model">The model.</param>
    /// <param name="feedbackRows">Corrections it was trained with.</param>
    /// <param name="metric">Dev metric name.</param>
    /// <param name="devBefore">Dev score before.</param>
    /// <param name="devAfter">Dev score of the model.</param>
    /// <param name="activate">Whether it becomes active.</param>
    /// <param name="createdUtc">When (ISO 8601).</param>
    /// <returns>The version record.</returns>
    public ModelVersion Add(LinearTriageModel model, int feedbackRows, string metric, double devBefore, double devAfter, bool activate, string createdUtc)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Tasks.TryGetValue(model.Task, out var task))
        {
            task = new TaskModelVersions();
            Tasks[model.Task] = task;
        }

        var number = task.Versions.Count == 0 ? 1 : task.Versions.Max(v => v.Version) + 1;
        var version = new ModelVersion(number, $"v{number}.cdtm", createdUtc, feedbackRows, metric, devBefore, devAfter, activate);
        model.Save(Path.Combine(Folder, model.Task, version.File));
        task.Versions.Add(version);
        if (activate)
        {
            task.Active = number;
            task.History.Add(number);
        }

        Save();
        return version;
    }

    /// <summary>Re-activates the version active before the current one (or the base model), then saves.</summary>
    /// <param name="task">Task name.</param>
    /// <returns>The version now active (null: the base model), or false when there was nothing to roll back.</returns>
    public (bool RolledBack, int? Active) Rollback(string task)
    {
        if (!Tasks.TryGetValue(task, out var t) || t.Active is null)
        {
            return (false, null);
        }

        if (t.History.Count > 0 && t.History[^1] == t.Active)
        {
            t.History.RemoveAt(t.History.Count - 1);
        }

        t.Active = t.History.Count > 0 ? t.History[^1] : null;
        Save();
        return (true, t.Active);
    }

    /// <summary>Writes registry.json (via a temporary file, so a reader never sees half of it).</summary>
    public void Save()
    {
        Directory.CreateDirectory(Folder);
        var temporary = RegistryPath + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(Tasks, RegistryJson.Default.DictionaryStringTaskModelVersions));
        File.Move(temporary, RegistryPath, overwrite: true);
    }
}

/// <summary>What a retrain with feedback did.</summary>
/// <param name="Task">Task name.</param>
/// <param name="FeedbackRows">Corrections used.</param>
/// <param name="Metric">Dev metric compared.</param>
/// <param name="Before">Dev report of the model active before.</param>
/// <param name="After">Dev report of the new model.</param>
/// <param name="Version">The stored version (activated or not).</param>
public sealed record RetrainOutcome(string Task, int FeedbackRows, SelectionMetric Metric, ClassificationReport Before, ClassificationReport After, ModelVersion Version)
{
    /// <summary>True when the new version became active.</summary>
    public bool Activated => Version.Activated;
}

/// <summary>Retrains a task on its base train split plus an organisation's staff corrections, activating it only if dev is not worse.</summary>
public static class FeedbackRetrainer
{
    /// <summary>
    /// Each correction counts this many times in training: a few dozen corrections among thousands of base rows
    /// would otherwise move nothing. Dev (the base dev split, never feedback) decides whether that helped.
    /// </summary>
    public const int FeedbackWeight = 5;

    /// <summary>Trains, scores before and after on dev, stores the version and activates it when not worse.</summary>
    /// <param name="task">The task.</param>
    /// <param name="current">The model active now (the organisation's or the base one).</param>
    /// <param name="train">Base train rows.</param>
    /// <param name="feedback">Corrections as labelled rows (labels must be the task's).</param>
    /// <param name="dev">Dev rows.</param>
    /// <param name="registry">The organisation's registry.</param>
    /// <param name="createdUtc">Timestamp for the version.</param>
    /// <param name="settings">Settings (default: the task's).</param>
    /// <param name="log">Progress lines, or null.</param>
    /// <returns>What happened.</returns>
    public static RetrainOutcome Retrain(TriageTask task, LinearTriageModel current, IReadOnlyList<LabelledText> train, IReadOnlyList<LabelledText> feedback,
        IReadOnlyList<LabelledText> dev, ModelRegistry registry, string createdUtc, TrainingSettings? settings = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(feedback);
        ArgumentNullException.ThrowIfNull(registry);
        var rows = new List<LabelledText>(train.Count + (feedback.Count * FeedbackWeight));
        rows.AddRange(train);
        for (var copy = 0; copy < FeedbackWeight; copy++)
        {
            rows.AddRange(feedback.Select(f => f with { Id = $"{f.Id}#{copy}" }));
        }

        var before = Evaluate(current, dev);
        var result = ModelTrainer.Train(task.Name, rows, dev, (settings ?? task.Defaults) with { DeduplicateTrain = false }, log);
        var after = Evaluate(result.Model, dev);
        var metric = (settings ?? task.Defaults).Selection;
        var activate = after.Score(metric) >= before.Score(metric);
        var version = registry.Add(result.Model, feedback.Count, metric.ToString(), before.Score(metric), after.Score(metric), activate, createdUtc);
        return new RetrainOutcome(task.Name, feedback.Count, metric, before, after, version);
    }

    /// <summary>A model's report on labelled rows (rows with labels the model does not know count as errors).</summary>
    /// <param name="model">The model.</param>
    /// <param name="rows">The rows.</param>
    /// <returns>The report.</returns>
    public static ClassificationReport Evaluate(LinearTriageModel model, IReadOnlyList<LabelledText> rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        var labels = model.Labels.ToList();
        var gold = new int[rows.Count];
        var predicted = new int[rows.Count];
        var p = new float[labels.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            gold[i] = labels.IndexOf(rows[i].Label);
            predicted[i] = model.Predict(rows[i].Text, p);
            if (gold[i] < 0)
            {
                // Unknown gold label: can never be right; count it against the most different class index.
                gold[i] = predicted[i] == 0 ? 1 : 0;
            }
        }

        return ClassificationReport.Compute(labels, gold, predicted);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(Dictionary<string, TaskModelVersions>))]
internal sealed partial class RegistryJson : JsonSerializerContext;
