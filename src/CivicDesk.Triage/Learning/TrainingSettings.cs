using System.Globalization;

namespace CivicDesk.Triage.Learning;

/// <summary>Settings of one training run. Chosen on dev; the defaults per task live in <see cref="TriageTasks"/>.</summary>
public sealed record TrainingSettings
{
    /// <summary>Feature extraction settings.</summary>
    public FeatureSettings Features { get; init; } = new();

    /// <summary>L2 penalty per mini-batch step on the rows a batch touches (lazy L2).</summary>
    public float L2 { get; init; } = 1e-4f;

    /// <summary>AdaGrad base learning rate.</summary>
    public float LearningRate { get; init; } = 0.1f;

    /// <summary>Examples per mini-batch.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Most passes over train.</summary>
    public int MaxEpochs { get; init; } = 25;

    /// <summary>Stop after this many epochs without a better dev score.</summary>
    public int Patience { get; init; } = 4;

    /// <summary>Class weight = (n / (k · n_class))^power: 0 ignores imbalance, 1 fully balances the classes.</summary>
    public float ClassWeightPower { get; init; } = 1f;

    /// <summary>Seed for shuffling (training is single-threaded and deterministic for a seed).</summary>
    public int Seed { get; init; } = 13;

    /// <summary>
    /// Train this many times with consecutive shuffle seeds (each early-stopped on dev) and average the weights.
    /// The model stays one linear model, so inference costs the same; averaging cuts the run-to-run noise of SGD,
    /// which on small sets (complaints: 2,759 rows) is as large as the differences between settings.
    /// </summary>
    public int SeedAverage { get; init; } = 1;

    /// <summary>Drop exact duplicate texts (after normalisation) from train, keeping the first; retweet copies otherwise count many times.</summary>
    public bool DeduplicateTrain { get; init; }

    /// <summary>The dev metric that picks the epoch (and, in a search, the settings).</summary>
    public SelectionMetric Selection { get; init; } = SelectionMetric.MacroF1;

    /// <summary>Dev accuracy the confident predictions must reach; sets <see cref="LinearTriageModel.LowConfidenceThreshold"/>.</summary>
    public double LowConfidenceTarget { get; init; } = 0.9;

    /// <summary>A one-line description, stored in the model file and card.</summary>
    /// <returns>The description.</returns>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"features {Features.Describe()}; adagrad lr {LearningRate} batch {BatchSize} l2 {L2:g3}; class weight power {ClassWeightPower}; "
        + $"max epochs {MaxEpochs} patience {Patience}; average of {SeedAverage} seed(s); dedupe {(DeduplicateTrain ? "yes" : "no")}; select on dev {Selection}; seed {Seed}");
}
