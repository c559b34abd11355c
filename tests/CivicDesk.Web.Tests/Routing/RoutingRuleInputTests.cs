using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Routing;

namespace CivicDesk.Web.Tests.Routing;

public sealed class RoutingRuleInputTests
{
    private static readonly long[] TeamIds = [1, 2];

    private static RoutingRuleInput Valid() => new() { Name = "Potholes", TeamId = 2, Keywords = "pothole" };

    [Fact]
    public void Problems_ValidRule_HasNone() => Valid().Problems(TeamIds).ShouldBeEmpty();

    [Fact]
    public void Problems_UnknownTeam_IsReportedOnTheTeamField()
    {
        var input = Valid();
        input.TeamId = 99;

        input.Problems(TeamIds).ShouldBe([("TeamId", "Choose a team from the list")]);
    }

    [Fact]
    public void Problems_NoTeam_IsReported()
    {
        var input = Valid();
        input.TeamId = null;

        input.Problems(TeamIds).Select(p => p.Field).ShouldBe(["TeamId"]);
    }

    [Fact]
    public void Problems_InvalidRegex_IsReportedWithTheParsersReason()
    {
        var input = Valid();
        input.Pattern = "pot(hole";

        var problem = input.Problems(TeamIds).ShouldHaveSingleItem();
        problem.Field.ShouldBe("Pattern");
        problem.Message.ShouldStartWith("Enter a valid regular expression");
    }

    [Fact]
    public void Problems_NoCondition_IsReported()
    {
        var input = new RoutingRuleInput { Name = "Everything", TeamId = 1, Keywords = " , ,", PlaceContains = "  " };

        input.Problems(TeamIds).Select(p => p.Message).ShouldHaveSingleItem().ShouldStartWith("Add at least one condition");
    }

    [Theory]
    [InlineData(nameof(RoutingRuleInput.Kind))]
    [InlineData(nameof(RoutingRuleInput.Category))]
    [InlineData(nameof(RoutingRuleInput.Sentiment))]
    public void Problems_LabelNotInTheTriageLabelSet_IsReported(string field)
    {
        var input = Valid();
        typeof(RoutingRuleInput).GetProperty(field)!.SetValue(input, "made_up");

        input.Problems(TeamIds).Select(p => p.Field).ShouldBe([field]);
    }

    [Fact]
    public void Problems_KeywordWithoutLetters_IsReported()
    {
        var input = Valid();
        input.Keywords = "pothole, !!!";

        input.Problems(TeamIds).ShouldBe([("Keywords", "Keyword \"!!!\" has no letters or numbers to match")]);
    }

    [Fact]
    public void ApplyTo_TidiesTheRule()
    {
        var input = new RoutingRuleInput
        {
            Name = "  Potholes ", TeamId = 2, Keywords = " pothole ,, tarmac ", Pattern = " ", Kind = "", Category = "highways_road_surface",
            ChannelKind = ChannelKind.Twitter, UrgentOnly = true, SetPriority = Priority.High, IsEnabled = false,
        };
        var rule = new RoutingRule { Name = "" };

        input.ApplyTo(rule);

        rule.Name.ShouldBe("Potholes");
        rule.Keywords.ShouldBe("pothole, tarmac");
        rule.Pattern.ShouldBeNull();
        rule.Kind.ShouldBeNull();
        rule.Category.ShouldBe("highways_road_surface");
        (rule.TeamId, rule.ChannelKind, rule.UrgentOnly, rule.SetPriority, rule.IsEnabled).ShouldBe((2L, ChannelKind.Twitter, true, Priority.High, false));
    }
}
