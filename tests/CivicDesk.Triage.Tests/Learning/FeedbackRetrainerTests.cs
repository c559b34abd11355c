using CivicDesk.Triage.Learning;

namespace CivicDesk.Triage.Tests.Learning;

public sealed class FeedbackRetrainerTests : IDisposable
{
    private static readonly TriageTask Services = new("services", "synthetic service groups", SelectionMetric.MacroF1, [], [],
        new TrainingSettings { Features = TestModels.SmallFeatures, MaxEpochs = 5, Patience = 2, Selection = SelectionMetric.MacroF1 });

    // The same key words under rotated labels: a model trained on these is wrong on every dev row.
    private static readonly (string, string[])[] Rotated =
    [
        ("waste", ["pothole", "tarmac", "crater", "road"]),
        ("lighting", ["bin", "rubbish", "collection", "recycling"]),
        ("roads", ["light", "lamp", "dark", "bulb"]),
    ];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "civicdesk-registry-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static LinearTriageModel TrainOn((string, string[])[] classes) =>
        ModelTrainer.Train("services", TestModels.Rows(300, 1, classes), TestModels.Rows(60, 2, TestModels.Services), Services.Defaults).Model;

    [Fact]
    public void Retrain_with_corrections_that_help_on_dev_activates_the_new_version_and_keeps_the_file()
    {
        var registry = ModelRegistry.Open(_folder);
        var current = TrainOn(Rotated);
        var dev = TestModels.Rows(60, 2, TestModels.Services);
        var corrections = TestModels.Rows(60, 7, TestModels.Services);

        var outcome = FeedbackRetrainer.Retrain(Services, current, TestModels.Rows(30, 5, TestModels.Services), corrections, dev, registry, "2026-11-22T00:00:00Z");

        outcome.Activated.ShouldBeTrue();
        outcome.Version.DevAfter.ShouldBeGreaterThanOrEqualTo(outcome.Version.DevBefore);
        outcome.After.MacroF1.ShouldBeGreaterThan(outcome.Before.MacroF1);
        outcome.FeedbackRows.ShouldBe(60);
        registry.ActiveVersion("services")!.Version.ShouldBe(1);
        File.Exists(Path.Combine(_folder, "services", "v1.cdtm")).ShouldBeTrue();
        // The registry is on disk: a fresh reader (the web app) sees the same active version and can load it.
        var reopened = ModelRegistry.Open(_folder);
        reopened.ActivePath("services").ShouldBe(Path.Combine(_folder, "services", "v1.cdtm"));
        reopened.LoadActive().Single().Task.ShouldBe("services");
    }

    [Fact]
    public void Retrain_that_is_worse_on_dev_is_stored_but_not_activated()
    {
        var registry = ModelRegistry.Open(_folder);
        var current = TrainOn(TestModels.Services);
        var dev = TestModels.Rows(60, 2, TestModels.Services);
        // "Corrections" that contradict the data, outweighing a small base train slice.
        var wrong = TestModels.Rows(90, 9, Rotated);

        var outcome = FeedbackRetrainer.Retrain(Services, current, TestModels.Rows(30, 5, TestModels.Services), wrong, dev, registry, "2026-11-22T00:00:00Z");

        outcome.Activated.ShouldBeFalse();
        outcome.Version.DevAfter.ShouldBeLessThan(outcome.Version.DevBefore);
        registry.ActiveVersion("services").ShouldBeNull();
        registry.Tasks["services"].Versions.Single().Activated.ShouldBeFalse();
        File.Exists(Path.Combine(_folder, "services", "v1.cdtm")).ShouldBeTrue();
        ModelRegistry.Open(_folder).LoadActive().ShouldBeEmpty();
    }

    [Fact]
    public void Rollback_returns_to_the_version_active_before_then_to_the_base_model()
    {
        var registry = ModelRegistry.Open(_folder);
        var model = TrainOn(TestModels.Services);
        registry.Add(model, 3, "MacroF1", 0.5, 0.6, activate: true, "t1");
        registry.Add(model, 4, "MacroF1", 0.6, 0.5, activate: false, "t2");
        registry.Add(model, 5, "MacroF1", 0.6, 0.7, activate: true, "t3");
        registry.ActiveVersion("services")!.Version.ShouldBe(3);

        registry.Rollback("services").ShouldBe((true, (int?)1));
        ModelRegistry.Open(_folder).ActiveVersion("services")!.Version.ShouldBe(1);
        registry.Rollback("services").ShouldBe((true, (int?)null));
        registry.ActivePath("services").ShouldBeNull();
        registry.Rollback("services").ShouldBe((false, (int?)null));
        registry.Rollback("no-such-task").ShouldBe((false, (int?)null));
        // Nothing is deleted: every version stays available.
        Directory.GetFiles(Path.Combine(_folder, "services"), "*.cdtm").Length.ShouldBe(3);
    }

    [Fact]
    public void A_damaged_registry_is_reported_not_ignored()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, ModelRegistry.FileName), "{ not json");
        Should.Throw<InvalidDataException>(() => ModelRegistry.Open(_folder));
    }
}
