using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Tests.Domain;

public sealed class ConversationWorkflowTests
{
    private static Conversation New() => new() { Reference = "CD-TEST01", CitizenHandle = "@c", Subject = "s" };

    [Theory]
    [InlineData(ConversationStatus.New, ConversationStatus.Open, true)]
    [InlineData(ConversationStatus.Open, ConversationStatus.WaitingOnCitizen, true)]
    [InlineData(ConversationStatus.WaitingOnCitizen, ConversationStatus.Open, true)]
    [InlineData(ConversationStatus.Open, ConversationStatus.Resolved, true)]
    [InlineData(ConversationStatus.Resolved, ConversationStatus.Open, true)]
    [InlineData(ConversationStatus.Resolved, ConversationStatus.Closed, true)]
    [InlineData(ConversationStatus.Closed, ConversationStatus.Open, false)]
    [InlineData(ConversationStatus.Open, ConversationStatus.New, false)]
    [InlineData(ConversationStatus.Resolved, ConversationStatus.WaitingOnCitizen, false)]
    [InlineData(ConversationStatus.Open, ConversationStatus.Open, false)]
    public void CanMove_follows_the_life_cycle(ConversationStatus from, ConversationStatus to, bool allowed) =>
        ConversationWorkflow.CanMove(from, to).ShouldBe(allowed);

    [Fact]
    public void Resolving_stamps_the_time_and_reopening_clears_it()
    {
        var c = New();
        var t0 = new DateTime(2026, 11, 21, 9, 0, 0, DateTimeKind.Utc);
        c.MoveTo(ConversationStatus.Open, t0);
        c.MoveTo(ConversationStatus.Resolved, t0.AddHours(2));
        c.ResolvedAt.ShouldBe(t0.AddHours(2));
        c.MoveTo(ConversationStatus.Open, t0.AddHours(3));
        c.ResolvedAt.ShouldBeNull();
        c.Status.ShouldBe(ConversationStatus.Open);
    }

    [Fact]
    public void An_illegal_move_is_refused_and_changes_nothing()
    {
        var c = New();
        c.MoveTo(ConversationStatus.Resolved, DateTime.UtcNow);
        c.MoveTo(ConversationStatus.Closed, DateTime.UtcNow);
        Should.Throw<InvalidOperationException>(() => c.MoveTo(ConversationStatus.Open, DateTime.UtcNow));
        c.Status.ShouldBe(ConversationStatus.Closed);
    }

    [Fact]
    public void NextFrom_lists_only_allowed_moves() =>
        ConversationWorkflow.NextFrom(ConversationStatus.Resolved).ShouldBe([ConversationStatus.Open, ConversationStatus.Closed]);
}
