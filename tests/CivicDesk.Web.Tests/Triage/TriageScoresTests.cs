using CivicDesk.Triage;
using CivicDesk.Web.Features.Triage;

namespace CivicDesk.Web.Tests.Triage;

/// <summary>The compact stored form of triage labels and the explanation recomputed from it when a message is opened.</summary>
public sealed class TriageScoresTests
{
    private static readonly TriageResult Result = new(
        new("kind", "complaint", 0.93456, [new("pothole", 1.2)], 0.5, "model+keywords"),
        new("category", "highways_road_surface", 0.71, [new("pothole", 2.0)], 0.3, "model"),
        new("sentiment", "negative", 0.88, [], 0.4, "model"),
        new(false, null, null), null, "models test", new("crisis_type", "other", 0.41, [], 0.2, "model"));

    [Fact]
    public void Keeps_each_label_its_confidence_and_source_in_a_few_bytes_and_reads_them_back()
    {
        var stored = TriageScores.Format(Result)!;

        stored.ShouldBe("kind=complaint:0.935:model+keywords;category=highways_road_surface:0.71:model;sentiment=negative:0.88:model;crisis_type=other:0.41:model");
        var labels = TriageScores.Parse(stored);
        labels["kind"].ShouldBe(new TriageLabel("kind", "complaint", 0.935, [], null, "model+keywords"), new LabelComparer());
        labels["crisis_type"].Value.ShouldBe("other");
        TriageScores.Format(null).ShouldBeNull();
        TriageScores.Parse(null).ShouldBeEmpty();
        TriageScores.Parse("kind=;nonsense;bogus=x:1;sentiment=neutral:abc").ShouldBeEmpty();
    }

    [Fact]
    public void Explains_stored_labels_with_the_engines_evidence_only_where_the_engine_still_agrees()
    {
        var engine = new FixedEngine(Result with
        {
            Category = new TriageLabel("category", "street_lighting", 0.6, [new("lamp", 1.0)], 0.3, "model"),
        });

        var explained = TriageScores.Explain(TriageScores.Format(Result), "text", null, null, engine)!;

        explained.Kind.Value.ShouldBe("complaint");
        explained.Kind.Confidence.ShouldBe(0.935);
        explained.Kind.Evidence.ShouldHaveSingleItem().Feature.ShouldBe("pothole");
        explained.Kind.Threshold.ShouldBe(0.5);
        // The engine now says street lighting: its evidence would explain another label, so none is shown.
        explained.Category.Value.ShouldBe("highways_road_surface");
        explained.Category.Confidence.ShouldBe(0.71);
        explained.Category.Evidence.ShouldBeEmpty();
        TriageScores.Explain(null, "text", null, null, engine).ShouldBeNull();
    }

    [Fact]
    public void A_failing_engine_still_shows_the_stored_labels()
    {
        var explained = TriageScores.Explain(TriageScores.Format(Result), "text", null, null, new FailingEngine())!;

        explained.Sentiment.Value.ShouldBe("negative");
        explained.Sentiment.Evidence.ShouldBeEmpty();
        explained.Urgency.IsUrgent.ShouldBeFalse();
    }

    private sealed class FixedEngine(TriageResult result) : ITriageEngine
    {
        public string Version => "fixed";

        public TriageResult Triage(TriageInput input) => result;
    }

    private sealed class FailingEngine : ITriageEngine
    {
        public string Version => "failing";

        public TriageResult Triage(TriageInput input) => throw new InvalidOperationException("model file damaged");
    }

    private sealed class LabelComparer : IEqualityComparer<TriageLabel>
    {
        public bool Equals(TriageLabel? x, TriageLabel? y) =>
            x is not null && y is not null && x.Task == y.Task && x.Value == y.Value && x.Confidence == y.Confidence && x.Source == y.Source
            && x.Evidence.Count == y.Evidence.Count;

        public int GetHashCode(TriageLabel obj) => obj.Value.GetHashCode(StringComparison.Ordinal);
    }
}
