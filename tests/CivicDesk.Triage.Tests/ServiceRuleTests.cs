namespace CivicDesk.Triage.Tests;

/// <summary>
/// Issue 14: what councils are told about but others run (gas, water, electricity, bills, trains) had no category, so a
/// gas leak came out as "flytipping, 19 % confident". The service rules give these a category, with the phrase as
/// evidence and whose job it is as the reason, in both engines; the learned model (no training data for them) yields.
/// </summary>
public sealed class ServiceRuleTests
{
    private static readonly Lazy<ModelTriageEngine> Models = new(() => ModelTriageEngine.Load(ModelFolder()));

    [Theory]
    [InlineData("There is a gas leak outside 14 Mill Lane", ServiceRules.Gas, "gas leak")]
    [InlineData("I can smell gas near the school gates on Dog Lane", ServiceRules.Gas, "smell gas")]
    [InlineData("Strong smell of gas in the alley behind the shops", ServiceRules.Gas, "smell of gas")]
    [InlineData("Gas is hissing out of a pipe the roadworks dug up", ServiceRules.Gas, "Gas is hissing")]
    [InlineData("Burst water main on Station Road, water everywhere", ServiceRules.Water, "Burst water main")]
    [InlineData("We have had no water since this morning in Albert Street", ServiceRules.Water, "no water")]
    [InlineData("Raw sewage coming up through the manhole on Brook Street", ServiceRules.Water, "Raw sewage")]
    [InlineData("Power cut across the whole of Meadow Close since 6pm", ServiceRules.Electricity, "Power cut")]
    [InlineData("Power lines down across the lane after the storm", ServiceRules.Electricity, "Power lines")]
    [InlineData("My energy supplier has doubled my direct debit", ServiceRules.OtherService, "energy supplier")]
    [InlineData("The 8.10 train was cancelled again this morning", ServiceRules.OtherService, "train was cancelled")]
    public void Utilities_and_other_services_are_categorised_by_rule_with_a_reason(string text, string category, string phrase)
    {
        foreach (var label in new[] { Triage.Of(text).Category, Models.Value.Triage(new TriageInput(text)).Category })
        {
            label.Value.ShouldBe(category);
            label.Source.ShouldBe("rule");
            label.Confidence.ShouldBe(1.0);
            label.IsLowConfidence.ShouldBeFalse();
            label.Evidence.Single().Feature.ShouldBe(phrase);
            label.Reason.ShouldBe(ServiceRules.For(category)!.Reason);
        }

        var fast = Models.Value.Label(new TriageInput(text));
        fast.Category.Value.ShouldBe(category);
        fast.Category.Reason.ShouldNotBeNull();
        fast.NeedsHuman.ShouldBeFalse("a rule-given category names its reason; nobody needs to confirm it");
    }

    [Fact]
    public void A_gas_leak_is_still_urgent_and_the_advice_says_who_to_call()
    {
        var result = Models.Value.Triage(new TriageInput("I can smell gas in the street outside number 4"));

        result.Urgency.IsUrgent.ShouldBeTrue();
        result.Category.Value.ShouldBe(ServiceRules.Gas);
        ServiceRules.For(ServiceRules.Gas)!.CitizenAdvice!.ShouldContain("0800 111 999");
        ServiceRules.For(ServiceRules.Electricity)!.CitizenAdvice!.ShouldContain("105");
        ServiceRules.For("highways_road_surface").ShouldBeNull();
    }

    [Theory]
    [InlineData("There is no smell of gas any more, thanks for sorting it")]
    [InlineData("Huge pothole on Dog Lane outside number 4")]
    [InlineData("The street light outside number 22 is out")]
    [InlineData("Greenhouse gas targets should include council vans")]
    [InlineData("Water is pooling in the road because the drain is blocked")]
    public void Other_texts_keep_the_models_category(string text)
    {
        Triage.Of(text).Category.Source.ShouldNotBe("rule");
        var label = Models.Value.Triage(new TriageInput(text)).Category;
        label.Source.ShouldBe("model");
        label.Reason.ShouldBeNull();
    }

    [Fact]
    public void Every_rule_category_is_a_triage_label()
    {
        new[] { ServiceRules.Gas, ServiceRules.Water, ServiceRules.Electricity, ServiceRules.OtherService }
            .ShouldAllBe(c => TriageLabels.Categories.Contains(c) && ServiceRules.For(c) != null);
    }

    private static string ModelFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CivicDesk.slnx")))
            {
                return Path.Combine(dir.FullName, "models");
            }
        }

        throw new DirectoryNotFoundException("Repository root not found.");
    }
}
