namespace CivicDesk.Triage.Learning;

/// <summary>A target from the triage issue, measured on the test split.</summary>
/// <param name="Metric">accuracy, macro_f1 or macro_recall.</param>
/// <param name="Minimum">The value to reach.</param>
public sealed record TaskTarget(string Metric, double Minimum);

/// <summary>A reference score for a dataset, shown beside our own.</summary>
/// <param name="System">The system.</param>
/// <param name="Metric">accuracy, macro_f1, macro_recall or f1.</param>
/// <param name="Value">The score (0..1).</param>
/// <param name="Source">Where it comes from.</param>
/// <param name="Comparable">True when measured on the same test split and protocol as ours.</param>
public sealed record PublishedBaseline(string System, string Metric, double Value, string Source, bool Comparable);

/// <summary>One triage task: a dataset folder, the metric it is judged by, its targets, reference scores and default settings.</summary>
/// <param name="Name">Task and dataset folder name.</param>
/// <param name="Description">What the model predicts.</param>
/// <param name="Selection">The dev metric for model selection.</param>
/// <param name="Targets">Issue targets on test.</param>
/// <param name="Baselines">Published and locally measured reference scores.</param>
/// <param name="Defaults">The settings the committed model was trained with (chosen on dev).</param>
public sealed record TriageTask(
    string Name,
    string Description,
    SelectionMetric Selection,
    IReadOnlyList<TaskTarget> Targets,
    IReadOnlyList<PublishedBaseline> Baselines,
    TrainingSettings Defaults);

/// <summary>The four learned triage tasks. Reference numbers are copied from each dataset's README under shared/data.</summary>
public static class TriageTasks
{
    private const string PeerBaselines = "measured on this test split, research/peer-baselines/RESULTS.md";

    /// <summary>
    /// Feature settings shared by all four models, so the pipeline tokenises and hashes a post once and reads one
    /// interleaved weight row per feature (see <see cref="ModelSet"/>). Chosen on dev: character 3–5-grams were
    /// within dev noise of each task's best variant (−0.01 macro-F1 on complaints' 344 dev rows, best on crisis and
    /// routing) and give 30% fewer features than 2–5-grams; 2^20 buckets did not beat 2^18 on routing.
    /// </summary>
    public static FeatureSettings SharedFeatures { get; } = new(Seed: 1, BucketBits: 18, WordNgramMax: 2, CharNgramMin: 3, CharNgramMax: 5);

    private static readonly TrainingSettings Shared = new() { Features = SharedFeatures, LearningRate = 0.1f };

    /// <summary>Complaint vs not (Preoţiuc-Pietro, Gaman and Aletras, ACL 2019).</summary>
    public static TriageTask Complaints { get; } = new(
        "complaints",
        "complaint or not_complaint (tweets to brands)",
        SelectionMetric.MacroF1,
        [new("macro_f1", 0.83)],
        [
            new("Preoţiuc-Pietro et al. 2019, best (distant supervision)", "f1", 0.79, "ACL 2019 abstract; cross-validation, not our split", false),
            new("Jin & Aletras 2020, transformers", "macro_f1", 0.87, "COLING 2020 abstract; cross-validation, not our split", false),
            new("Naive Bayes uni+bigrams", "macro_f1", 0.7896, PeerBaselines, true),
            new("VADER negative ⇒ complaint", "macro_f1", 0.6231, PeerBaselines, true),
            new("majority class", "macro_f1", 0.3908, PeerBaselines, true),
        ],
        Shared with { Selection = SelectionMetric.MacroF1, L2 = 1e-4f, ClassWeightPower = 0.5f, LowConfidenceTarget = 0.9 });

    /// <summary>Tweet polarity (TweetEval sentiment = SemEval-2017 Task 4A).</summary>
    public static TriageTask Sentiment { get; } = new(
        "sentiment",
        "negative, neutral or positive",
        SelectionMetric.MacroRecall,
        [new("macro_recall", 0.66)],
        [
            new("TimeLMs-2021", "macro_recall", 0.737, "TweetEval README leaderboard (official test)", true),
            new("BERTweet", "macro_recall", 0.734, "TweetEval README leaderboard (official test)", true),
            new("RoBERTa-Retrained", "macro_recall", 0.728, "TweetEval README leaderboard (official test)", true),
            new("RoBERTa-Base", "macro_recall", 0.713, "TweetEval README leaderboard (official test)", true),
            new("FastText", "macro_recall", 0.629, "TweetEval README leaderboard (official test)", true),
            new("SVM", "macro_recall", 0.629, "TweetEval README leaderboard (official test)", true),
            new("LSTM", "macro_recall", 0.583, "TweetEval README leaderboard (official test)", true),
            new("wink-sentiment lexicon", "macro_recall", 0.5785, PeerBaselines, true),
            new("AFINN lexicon", "macro_recall", 0.5748, PeerBaselines, true),
            new("VADER lexicon", "macro_recall", 0.5588, PeerBaselines, true),
            new("Naive Bayes uni+bigrams", "macro_recall", 0.5230, PeerBaselines, true),
        ],
        Shared with { Selection = SelectionMetric.MacroRecall, L2 = 3e-4f, ClassWeightPower = 1f, LowConfidenceTarget = 0.8 });

    /// <summary>FixMyStreet service group (Cheltenham area reports).</summary>
    public static TriageTask ServiceRequests { get; } = new(
        "service_requests_fms",
        "one of 17 service groups (FixMyStreet categories mapped to groups)",
        SelectionMetric.AccuracyAndMacroF1,
        [new("accuracy", 0.80), new("macro_f1", 0.60)],
        [
            new("Naive Bayes uni+bigrams", "accuracy", 0.649, PeerBaselines, true),
            new("Naive Bayes uni+bigrams", "macro_f1", 0.399, PeerBaselines, true),
            new("majority class", "accuracy", 0.386, PeerBaselines, true),
        ],
        Shared with { Selection = SelectionMetric.AccuracyAndMacroF1, L2 = 3e-4f, ClassWeightPower = 1f, LowConfidenceTarget = 0.9 });

    /// <summary>Crisis tweet information type (CrisisLexT26, Olteanu, Vieweg and Castillo, CSCW 2015), split by event.</summary>
    public static TriageTask Crisis { get; } = new(
        "crisis",
        "information type of a crisis-time tweet (8 classes)",
        SelectionMetric.MacroF1,
        [new("macro_f1", 0.45)],
        [
            new("Burel et al. 2017, information type", "f1", 0.61, "SemDeep 2017 abstract; different protocol, not our event split", false),
            new("Naive Bayes uni+bigrams", "macro_f1", 0.320, PeerBaselines, true),
            new("Naive Bayes uni+bigrams", "accuracy", 0.496, PeerBaselines, true),
            new("majority class", "accuracy", 0.219, PeerBaselines, true),
        ],
        Shared with { Selection = SelectionMetric.MacroF1, L2 = 3e-4f, ClassWeightPower = 0.5f, LowConfidenceTarget = 0.8 });

    /// <summary>All tasks.</summary>
    public static IReadOnlyList<TriageTask> All { get; } = [Complaints, Sentiment, ServiceRequests, Crisis];

    /// <summary>The task of that name, or null.</summary>
    /// <param name="name">Task name.</param>
    /// <returns>The task, or null.</returns>
    public static TriageTask? Find(string name) => All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The file name of a task's model inside a model folder: <c>&lt;task&gt;.cdtm</c>.</summary>
    /// <param name="task">Task name.</param>
    /// <returns>The file name.</returns>
    public static string ModelFileName(string task) => task + ".cdtm";

    /// <summary>
    /// A small grid around a task's defaults for <c>civicdesk triage train --search</c>: feature variants crossed
    /// with L2 and class-weight power (learning rate fixed: 0.1 won every early comparison). Selection happens on dev only.
    /// </summary>
    /// <param name="task">The task.</param>
    /// <returns>The settings to try, defaults first.</returns>
    public static IReadOnlyList<TrainingSettings> SearchGrid(TriageTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var d = task.Defaults;
        var grid = new List<TrainingSettings> { d };
        FeatureSettings[] features =
        [
            d.Features,
            d.Features with { CharNgramMin = 3, CharNgramMax = 5 },
            d.Features with { WordNgramMax = 3 },
            d.Features with { CharNgramMin = 0, CharNgramMax = 0 },
        ];
        foreach (var f in features.Distinct())
        {
            foreach (var l2 in (float[])[3e-5f, 1e-4f, 3e-4f, 1e-3f])
            {
                foreach (var power in (float[])[0.5f, 1f])
                {
                    var s = d with { Features = f, L2 = l2, ClassWeightPower = power };
                    if (!grid.Contains(s))
                    {
                        grid.Add(s);
                    }
                }
            }
        }

        return grid;
    }
}
