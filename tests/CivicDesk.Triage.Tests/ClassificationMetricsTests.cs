namespace CivicDesk.Triage.Tests;

public sealed class ClassificationMetricsTests
{
    [Fact]
    public void Compute_CountsAccuracyAndMacroF1OverGoldLabels()
    {
        // a: gold 3, two predicted right, and a b predicted as a → P 2/3, R 2/3. b: gold 2, predicted once (wrongly) → P 0, R 0.
        var metrics = ClassificationMetrics.Compute([("a", "a"), ("a", "a"), ("a", "b"), ("b", "a"), ("b", "none")]);

        metrics.Count.ShouldBe(5);
        metrics.Accuracy.ShouldBe(2.0 / 5, 1e-9);
        var a = metrics.PerLabel.Single(l => l.Label == "a");
        a.Precision.ShouldBe(2.0 / 3, 1e-9);
        a.Recall.ShouldBe(2.0 / 3, 1e-9);
        var b = metrics.PerLabel.Single(l => l.Label == "b");
        b.Precision.ShouldBe(0, 1e-9);
        b.F1.ShouldBe(0, 1e-9);
        metrics.MacroF1.ShouldBe((2.0 / 3 + 0) / 2, 1e-9);
        metrics.PerLabel.Select(l => l.Label).ShouldBe(["a", "b"]);
    }

    [Fact]
    public void Compute_Nothing_GivesZeroes()
    {
        var metrics = ClassificationMetrics.Compute([]);

        metrics.Count.ShouldBe(0);
        metrics.Accuracy.ShouldBe(0);
        metrics.PerLabel.ShouldBeEmpty();
    }
}
