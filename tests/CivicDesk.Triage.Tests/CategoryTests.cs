namespace CivicDesk.Triage.Tests;

public sealed class CategoryTests
{
    [Theory]
    [InlineData("Massive pothole outside the school, nearly lost a wheel", "highways_road_surface", "pothole")]
    [InlineData("The street light outside number 12 has been out for a week", "street_lighting", "street light")]
    [InlineData("Someone has fly-tipped a mattress and a sofa in the lane", "flytipping", "mattress")]
    [InlineData("Blocked gully, the road floods every time it rains", "drainage_flooding", "gully")]
    [InlineData("Overhanging branches from a tree are blocking the footpath sign", "trees_vegetation", "overhanging")]
    [InlineData("Offensive graffiti sprayed on the bus shelter", "graffiti_flyposting", "graffiti")]
    [InlineData("Pedestrian crossing button not working, green man never comes on", "traffic_signals_crossings", "green man")]
    [InlineData("Dog poo bin needs emptying, overflowing again", "bins_refuse_recycling", "poo bin")]
    [InlineData("Untaxed car with flat tyres abandoned for months", "abandoned_vehicles", "untaxed")]
    [InlineData("Loose paving slab is a trip hazard", "pavements_footways", "trip hazard")]
    [InlineData("Broken glass all over the pavement by the shops", "street_cleaning_litter", "broken glass")]
    [InlineData("Cars parked on double yellow lines and the zig zags every morning", "parking", "zig zags")]
    public void Category_CueWords_GiveTheirServiceGroupWithEvidence(string text, string expected, string evidence)
    {
        var category = Triage.Of(text).Category;

        category.Value.ShouldBe(expected);
        category.Features().ShouldContain(evidence);
        category.Confidence.ShouldBeInRange(0.3, 1);
    }

    [Fact]
    public void Category_TrafficLight_IsSignalsNotStreetLighting()
    {
        // "light" alone points to street lighting; inside "traffic light" it must not count.
        var category = Triage.Of("Traffic light stuck on red at the junction").Category;

        category.Value.ShouldBe("traffic_signals_crossings");
        category.Features().ShouldNotContain("light");
    }

    [Fact]
    public void Category_PluralForms_MatchTheirSingularCue() =>
        Triage.Of("All the drains are blocked").Category.Value.ShouldBe("drainage_flooding");

    [Fact]
    public void Category_NothingMatches_IsNoneWithFallbackConfidence()
    {
        var category = Triage.Of("Hello, what are your opening hours?").Category;

        category.Value.ShouldBe("none");
        category.Confidence.ShouldBe(KeywordTriageEngine.FallbackConfidence);
        category.Evidence.ShouldBeEmpty();
    }

    [Fact]
    public void Category_MoreCues_GiveHigherConfidence()
    {
        var one = Triage.Of("There is a hole here").Category;
        var many = Triage.Of("Deep pothole, the road surface is crumbling and the tarmac has gone").Category;

        one.Value.ShouldBe("highways_road_surface");
        many.Value.ShouldBe("highways_road_surface");
        many.Confidence.ShouldBeGreaterThan(one.Confidence);
    }

    [Fact]
    public void Category_CompetingGroups_LowerConfidence()
    {
        var clear = Triage.Of("Graffiti on the wall").Category;
        var mixed = Triage.Of("Graffiti on the wall next to the fly-tipped mattress").Category;

        mixed.Confidence.ShouldBeLessThan(clear.Confidence);
    }

    [Fact]
    public void Category_RepeatedWord_CountsOnce()
    {
        var once = Triage.Of("pothole").Category;
        var repeated = Triage.Of("pothole pothole pothole pothole").Category;

        repeated.Confidence.ShouldBe(once.Confidence);
        repeated.Evidence.Count.ShouldBe(1);
    }

    [Fact]
    public void Category_EvidenceIsStrongestFirst()
    {
        var evidence = Triage.Of("The road has a deep pothole and a cracked surface").Category.Evidence;

        evidence.Select(e => e.Weight).ShouldBe(evidence.Select(e => e.Weight).OrderByDescending(w => w));
    }

    [Fact]
    public void Category_ValuesAreAlwaysKnownLabels()
    {
        string[] texts = ["pothole", "bins", "tree down", "", "hello", "graffiti and rubbish dumped", "parking on the zig zags"];

        texts.Select(t => Triage.Of(t).Category.Value).ShouldAllBe(v => TriageLabels.Categories.Contains(v));
    }
}
