using System.Text.Json.Serialization;

namespace CivicDesk.Triage.Learning;

/// <summary>How a model was made and how it scored on dev; stored in the model file's header.</summary>
public sealed record ModelInfo
{
    /// <summary>When training finished (UTC, ISO 8601).</summary>
    public string CreatedUtc { get; init; } = "";

    /// <summary>Training settings in words (see <see cref="TrainingSettings.Describe"/>).</summary>
    public string Training { get; init; } = "";

    /// <summary>Rows used for training.</summary>
    public int TrainRows { get; init; }

    /// <summary>Rows in the dev split.</summary>
    public int DevRows { get; init; }

    /// <summary>The epoch whose weights were kept (early stopping on dev).</summary>
    public int BestEpoch { get; init; }

    /// <summary>Dev accuracy of the saved (quantised, calibrated) model.</summary>
    public double DevAccuracy { get; init; }

    /// <summary>Dev macro-F1 of the saved model.</summary>
    public double DevMacroF1 { get; init; }

    /// <summary>Dev macro-recall of the saved model.</summary>
    public double DevMacroRecall { get; init; }

    /// <summary>Dev accuracy the low-confidence threshold was chosen to reach on the confident predictions.</summary>
    public double LowConfidenceTarget { get; init; }

    /// <summary>Share of dev predictions at or above the threshold.</summary>
    public double DevCoverage { get; init; }

    /// <summary>Accuracy of those dev predictions.</summary>
    public double DevConfidentAccuracy { get; init; }

    /// <summary>Dev negative log-likelihood before and after temperature scaling.</summary>
    public string DevNll { get; init; } = "";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ModelInfo))]
internal sealed partial class LearningJson : JsonSerializerContext;
