using CivicDesk.Web.Features.Dashboards;

namespace CivicDesk.Web.Tests.Dashboards;

public sealed class EngagementIndexTests
{
    private static ComponentScore Score(int i, double? value) => new(EngagementIndex.Components[i], value, "");

    [Fact]
    public void Weights_AddUpToOne()
    {
        EngagementIndex.Components.Sum(c => c.Weight).ShouldBe(1, 1e-9);
    }

    [Fact]
    public void Combine_RescalesOverMeasuredComponents()
    {
        // Responsiveness 80 (0.30), resolution 50 (0.20), sentiment 70 (0.15): (24 + 10 + 10.5) / 0.65
        var scores = new[] { Score(0, 80), Score(1, null), Score(2, 50), Score(3, 70), Score(4, null), Score(5, null) };

        EngagementIndex.Combine(scores, 100).ShouldNotBeNull().ShouldBe(44.5 / 0.65, 1e-9);
    }

    [Fact]
    public void Combine_PublishesNothing_WithTooFewConversationsOrTooLittleMeasured()
    {
        EngagementIndex.Combine([Score(0, 80), Score(2, 50)], EngagementIndex.MinimumConversations - 1).ShouldBeNull();
        EngagementIndex.Combine([Score(0, 80), Score(1, null), Score(2, null), Score(3, null)], 100).ShouldBeNull(); // 30 % measured
    }
}
