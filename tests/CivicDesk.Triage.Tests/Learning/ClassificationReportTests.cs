using CivicDesk.Triage.Learning;

namespace CivicDesk.Triage.Tests.Learning;

public sealed class ClassificationReportTests
{
    // gold a a a b b c, predicted a a b b c c — worked by hand:
    // confusion a:[2,1,0] b:[0,1,1] c:[0,0,1]; accuracy 4/6
    // precision a 2/2, b 1/2, c 1/2; recall a 2/3, b 1/2, c 1/1; F1 a 0.8, b 0.5, c 2/3
    private static readonly string[] Labels = ["a", "b", "c"];
    private static readonly int[] Gold = [0, 0, 0, 1, 1, 2];
    private static readonly int[] Predicted = [0, 0, 1, 1, 2, 2];

    [Fact]
    public void Scores_match_a_hand_computed_example()
    {
        var r = ClassificationReport.Compute(Labels, Gold, Predicted);
        r.Total.ShouldBe(6);
        r.Accuracy.ShouldBe(4 / 6.0, 1e-12);
        r.PerClass.Select(c => c.Precision).ShouldBe([1.0, 0.5, 0.5], 1e-12);
        r.PerClass.Select(c => c.Recall).ShouldBe([2 / 3.0, 0.5, 1.0], 1e-12);
        r.PerClass.Select(c => c.F1).ShouldBe([0.8, 0.5, 2 / 3.0], 1e-12);
        r.PerClass.Select(c => c.Support).ShouldBe([3, 2, 1]);
        r.MacroF1.ShouldBe((0.8 + 0.5 + (2 / 3.0)) / 3, 1e-12);
        r.MacroRecall.ShouldBe(((2 / 3.0) + 0.5 + 1) / 3, 1e-12);
        r.MacroPrecision.ShouldBe(2 / 3.0, 1e-12);
    }

    [Fact]
    public void Confusion_matrix_rows_are_gold_and_columns_predicted()
    {
        var r = ClassificationReport.Compute(Labels, Gold, Predicted);
        r.ConfusionMatrix[0].ShouldBe([2, 1, 0]);
        r.ConfusionMatrix[1].ShouldBe([0, 1, 1]);
        r.ConfusionMatrix[2].ShouldBe([0, 0, 1]);
    }

    [Fact]
    public void A_class_absent_from_gold_and_predictions_does_not_count_in_macro_averages()
    {
        var r = ClassificationReport.Compute(["a", "b", "unused"], [0, 1, 1], [0, 1, 0]);
        // a: P 1/2 R 1 F1 2/3; b: P 1 R 1/2 F1 2/3
        r.MacroF1.ShouldBe(2 / 3.0, 1e-12);
        r.MacroRecall.ShouldBe(0.75, 1e-12);
    }

    [Fact]
    public void A_class_never_predicted_scores_zero_precision_and_f1()
    {
        var r = ClassificationReport.Compute(["a", "b"], [0, 1], [0, 0]);
        r.PerClass[1].Precision.ShouldBe(0);
        r.PerClass[1].F1.ShouldBe(0);
        r.MacroF1.ShouldBe(((2 * 0.5 * 1 / 1.5) + 0) / 2, 1e-12);
        r.Score(SelectionMetric.AccuracyAndMacroF1).ShouldBe((0.5 + r.MacroF1) / 2, 1e-12);
    }

    [Fact]
    public void String_labels_are_scored_over_their_union()
    {
        var r = ClassificationReport.Compute(["x", "y"], ["x", "z"], ["x", "y", "z"]);
        r.Labels.ShouldBe(["x", "y", "z"]);
        r.Accuracy.ShouldBe(0.5);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        Should.Throw<ArgumentException>(() => ClassificationReport.Compute(Labels, [0, 1], [0]));
    }
}
