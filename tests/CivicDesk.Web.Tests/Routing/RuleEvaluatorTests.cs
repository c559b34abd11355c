using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Routing;

namespace CivicDesk.Web.Tests.Routing;

public sealed class RuleEvaluatorTests
{
    private const long Customer = 1, Highways = 2, Waste = 3;

    private static readonly Dictionary<long, string> Teams = new() { [Customer] = "Customer Services", [Highways] = "Highways", [Waste] = "Waste" };

    private static RoutingRule Rule(int position, long team = Highways) =>
        new() { Id = 100 + position, OrganisationId = 1, Position = position, Name = $"Rule {position}", TeamId = team };

    private static RoutingInput Input(string text = "", ChannelKind channel = ChannelKind.WebForm, string? kind = null, string? category = null,
        string? sentiment = null, bool urgent = false, string? place = null) => new(text, channel, kind, category, sentiment, urgent, place);

    private static RuleBook Book(params RoutingRule[] rules) => new(1, rules.Select(CompiledRule.From), Teams, Customer);

    private static RuleCheck Check(RoutingRule rule, RoutingInput input) => RuleEvaluator.CheckAll([CompiledRule.From(rule)], input).Single();

    [Fact]
    public void Decide_CategoryRule_NamesTeamRuleAndCondition()
    {
        var rule = Rule(3);
        rule.Category = "highways_road_surface";

        var decision = Book(WithKeywords(Rule(1, Waste), "bin"), rule).Decide(Input("pothole", category: "highways_road_surface"));

        decision.TeamId.ShouldBe(Highways);
        decision.TeamName.ShouldBe("Highways");
        decision.RuleId.ShouldBe(rule.Id);
        decision.RulePosition.ShouldBe(3);
        decision.Reason.ShouldBe("routed to Highways by rule 3: category = highways_road_surface");
    }

    [Fact]
    public void Decide_NoRuleMatches_GoesToTheDefaultTeam()
    {
        var rule = WithKeywords(Rule(1), "pothole");

        var decision = Book(rule).Decide(Input("The bins were not collected"));

        decision.TeamId.ShouldBe(Customer);
        decision.RuleId.ShouldBeNull();
        decision.RulePosition.ShouldBeNull();
        decision.Priority.ShouldBeNull();
        decision.Reason.ShouldBe("no rule matched; default team Customer Services");
    }

    [Fact]
    public void Decide_NoRulesAtAll_GoesToTheDefaultTeam() =>
        Book().Decide(Input("anything")).TeamId.ShouldBe(Customer);

    [Fact]
    public void Decide_KeywordRule_SaysWhichKeywordMatched() =>
        Book(WithKeywords(Rule(2), "tarmac, pothole")).Decide(Input("Huge POTHOLE outside"))
            .Reason.ShouldBe("routed to Highways by rule 2: keyword \"pothole\"");

    [Fact]
    public void Decide_SeveralConditions_AreJoinedWithAnd()
    {
        var rule = Rule(5, Customer);
        rule.ChannelKind = ChannelKind.Twitter;
        rule.Sentiment = "negative";

        var decision = Book(rule).Decide(Input("awful", ChannelKind.Twitter, sentiment: "negative"));

        decision.Reason.ShouldBe("routed to Customer Services by rule 5: channel = Twitter and sentiment = negative");
    }

    [Fact]
    public void Decide_EverySetConditionMustHold()
    {
        var rule = Rule(1);
        rule.ChannelKind = ChannelKind.Twitter;
        rule.Sentiment = "negative";

        Book(rule).Decide(Input("awful", ChannelKind.Facebook, sentiment: "negative")).RuleId.ShouldBeNull();
    }

    [Fact]
    public void Decide_FirstMatchingRuleInPositionOrderWins()
    {
        var second = WithKeywords(Rule(2, Waste), "pothole");
        var first = WithKeywords(Rule(1, Highways), "pothole");

        // Given out of order: the book orders by position.
        var decision = Book(second, first).Decide(Input("pothole"));

        decision.TeamId.ShouldBe(Highways);
        decision.RulePosition.ShouldBe(1);
    }

    [Fact]
    public void Decide_DisabledRule_IsSkipped()
    {
        var disabled = WithKeywords(Rule(1, Highways), "pothole");
        disabled.IsEnabled = false;
        var next = WithKeywords(Rule(2, Waste), "pothole");

        Book(disabled, next).Decide(Input("pothole")).TeamId.ShouldBe(Waste);
    }

    [Fact]
    public void Decide_RuleWithoutConditions_NeverMatches() =>
        Book(Rule(1)).Decide(Input("anything")).RuleId.ShouldBeNull();

    [Fact]
    public void Decide_RuleSetsPriority()
    {
        var rule = Rule(1);
        rule.UrgentOnly = true;
        rule.SetPriority = Priority.Urgent;

        Book(rule).Decide(Input("gas smell", urgent: true)).Priority.ShouldBe(Priority.Urgent);
    }

    [Theory]
    [InlineData("pothole", "There is a pothole here", true)]
    [InlineData("pothole", "THERE IS A POTHOLE HERE", true)]
    [InlineData("pothole", "Potholes everywhere", false)]
    [InlineData("pot", "pothole", false)]
    [InlineData("road surface", "the road   surface is breaking up", true)]
    [InlineData("road surface", "surface of the road", false)]
    [InlineData("fly-tip", "another fly tip in the lane", true)]
    [InlineData("bins, recycling", "Recycling not collected", true)]
    [InlineData("isn't", "it isn’t fixed", true)]
    public void Keywords_MatchWholeWordsAndPhrasesAnyCase(string keywords, string text, bool matches) =>
        Check(WithKeywords(Rule(1), keywords), Input(text)).Matched.ShouldBe(matches);

    [Fact]
    public void Keywords_NoneFound_ExplainsWhichWereLookedFor() =>
        Check(WithKeywords(Rule(1), "pothole, tarmac"), Input("graffiti")).Conditions.Single().WhyNot
            .ShouldBe("none of the keywords found: \"pothole\", \"tarmac\"");

    [Theory]
    [InlineData(@"pot\s*holes?", "Two POT HOLES", true)]
    [InlineData(@"^urgent", "not urgent", false)]
    [InlineData(@"\bGL5[0-3]\b", "near gl52 3ab", true)]
    public void Pattern_IsACaseInsensitiveRegex(string pattern, string text, bool matches)
    {
        var rule = Rule(1);
        rule.Pattern = pattern;

        Check(rule, Input(text)).Matched.ShouldBe(matches);
    }

    [Fact]
    public void Pattern_TimingOut_CountsAsNoMatchAndIsReported()
    {
        var slow = Rule(1);
        slow.Pattern = @"^(\w+\s?)*$";
        var next = WithKeywords(Rule(2, Waste), "bins");
        var timedOut = new List<long>();
        // Catastrophic backtracking: many words and a final character that cannot match.
        var text = string.Concat(Enumerable.Repeat("bins ", 40)) + "!";

        var match = RuleEvaluator.FirstMatch([CompiledRule.From(slow), CompiledRule.From(next)], Input(text), r => timedOut.Add(r.Id));

        match.ShouldNotBeNull();
        match.Rule.Id.ShouldBe(next.Id);
        timedOut.ShouldBe([slow.Id]);
        Check(slow, Input(text)).Conditions.Single().WhyNot!.ShouldContain("counts as no match");
    }

    [Fact]
    public void Pattern_InvalidInTheDatabase_NeverMatchesAndSaysWhy()
    {
        var rule = Rule(1);
        rule.Pattern = "pothole(";

        var compiled = CompiledRule.From(rule);
        compiled.PatternError.ShouldNotBeNull();
        var check = Check(rule, Input("pothole("));
        check.Matched.ShouldBeFalse();
        check.Conditions.Single().WhyNot!.ShouldStartWith("pattern is not valid");
    }

    [Theory]
    [InlineData("complaint", "complaint", true)]
    [InlineData("complaint", "Complaint", true)]
    [InlineData("complaint", "question", false)]
    [InlineData("complaint", null, false)]
    public void Kind_MustEqualTheTriageKind(string ruleKind, string? messageKind, bool matches)
    {
        var rule = Rule(1);
        rule.Kind = ruleKind;

        Check(rule, Input(kind: messageKind)).Matched.ShouldBe(matches);
    }

    [Fact]
    public void Category_Mismatch_ExplainsBoth()
    {
        var rule = Rule(1);
        rule.Category = "flytipping";

        Check(rule, Input(category: "street_lighting")).Conditions.Single().WhyNot.ShouldBe("category is street_lighting, not flytipping");
    }

    [Fact]
    public void Sentiment_MustEqualTheTriageSentiment()
    {
        var rule = Rule(1);
        rule.Sentiment = "negative";

        Check(rule, Input(sentiment: "negative")).Matched.ShouldBeTrue();
        Check(rule, Input(sentiment: "positive")).Matched.ShouldBeFalse();
    }

    [Fact]
    public void Channel_MustBeTheMessagesChannel()
    {
        var rule = Rule(1);
        rule.ChannelKind = ChannelKind.Twitter;

        Check(rule, Input(channel: ChannelKind.Twitter)).Matched.ShouldBeTrue();
        Check(rule, Input(channel: ChannelKind.Email)).Conditions.Single().WhyNot.ShouldBe("channel is Email, not Twitter");
    }

    [Fact]
    public void UrgentOnly_NeedsAnUrgentMessage()
    {
        var rule = Rule(1);
        rule.UrgentOnly = true;

        Check(rule, Input(urgent: true)).Matched.ShouldBeTrue();
        Check(rule, Input(urgent: false)).Conditions.Single().WhyNot.ShouldBe("not urgent");
    }

    [Theory]
    [InlineData("GL50", "GL50 1PQ", true)]
    [InlineData("dog lane", "Dog Lane", true)]
    [InlineData("GL51", "GL50 1PQ", false)]
    [InlineData("GL50", null, false)]
    public void PlaceContains_IsACaseInsensitiveSubstringOfThePlace(string contains, string? place, bool matches)
    {
        var rule = Rule(1);
        rule.PlaceContains = contains;

        Check(rule, Input(place: place)).Matched.ShouldBe(matches);
    }

    [Fact]
    public void CheckAll_ExplainsEveryConditionOfEveryRule()
    {
        var rule = WithKeywords(Rule(1), "pothole");
        rule.ChannelKind = ChannelKind.Twitter;
        rule.UrgentOnly = true;
        var disabled = WithKeywords(Rule(2), "pothole");
        disabled.IsEnabled = false;

        var checks = Book(rule, disabled).Explain(Input("pothole", ChannelKind.Email));

        checks.Count.ShouldBe(2);
        checks[0].Matched.ShouldBeFalse();
        checks[0].Conditions.Select(c => c.Holds).ShouldBe([false, false, true]);
        checks[0].Conditions.Where(c => !c.Holds).Select(c => c.WhyNot).ShouldBe(["channel is Email, not Twitter", "not urgent"]);
        checks[1].Matched.ShouldBeFalse();
        checks[1].Conditions.Single().Holds.ShouldBeTrue();
    }

    [Fact]
    public void Describe_PutsConditionsIntoWords()
    {
        var rule = WithKeywords(Rule(1), "pothole, tarmac");
        rule.Category = "highways_road_surface";
        rule.UrgentOnly = true;

        RuleEvaluator.Describe(CompiledRule.From(rule)).ShouldBe(["keywords \"pothole\" or \"tarmac\"", "category = highways_road_surface", "urgent"]);
    }

    private static RoutingRule WithKeywords(RoutingRule rule, string keywords)
    {
        rule.Keywords = keywords;
        return rule;
    }
}
