using CivicDesk.Web.Domain;
using Case = CivicDesk.Web.Domain.Case;

namespace CivicDesk.Web.Tests.Cases;

public sealed class CaseWorkflowTests
{
    private static readonly DateTime Now = new(2026, 11, 22, 9, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(CaseStatus.Open, CaseStatus.Investigating, true)]
    [InlineData(CaseStatus.Investigating, CaseStatus.InProgress, true)]
    [InlineData(CaseStatus.InProgress, CaseStatus.Open, true)]
    [InlineData(CaseStatus.ActionScheduled, CaseStatus.Fixed, true)]
    [InlineData(CaseStatus.Open, CaseStatus.Closed, true)]
    [InlineData(CaseStatus.Open, CaseStatus.Reopened, false)]
    [InlineData(CaseStatus.Fixed, CaseStatus.Closed, true)]
    [InlineData(CaseStatus.Fixed, CaseStatus.NoFurtherAction, true)]
    [InlineData(CaseStatus.Fixed, CaseStatus.Reopened, true)]
    [InlineData(CaseStatus.Fixed, CaseStatus.InProgress, false)]
    [InlineData(CaseStatus.Fixed, CaseStatus.Duplicate, false)]
    [InlineData(CaseStatus.Closed, CaseStatus.Reopened, true)]
    [InlineData(CaseStatus.Closed, CaseStatus.Fixed, false)]
    [InlineData(CaseStatus.Closed, CaseStatus.Open, false)]
    [InlineData(CaseStatus.Reopened, CaseStatus.InProgress, true)]
    [InlineData(CaseStatus.Reopened, CaseStatus.Open, true)]
    [InlineData(CaseStatus.Duplicate, CaseStatus.Reopened, false)]
    [InlineData(CaseStatus.Duplicate, CaseStatus.Open, false)]
    [InlineData(CaseStatus.Open, CaseStatus.Open, false)]
    public void CanMove_follows_the_workflow(CaseStatus from, CaseStatus to, bool allowed) =>
        CaseWorkflow.CanMove(from, to).ShouldBe(allowed);

    [Fact]
    public void Closing_sets_ClosedAt_and_reopening_clears_it()
    {
        var c = NewCase();
        c.MoveTo(CaseStatus.Fixed, Now);
        c.ClosedAt.ShouldBe(Now);
        c.IsOpen.ShouldBeFalse();

        c.MoveTo(CaseStatus.Closed, Now.AddDays(1));
        c.ClosedAt.ShouldBe(Now, "closing a fixed case for good keeps the first close time");

        c.MoveTo(CaseStatus.Reopened, Now.AddDays(2));
        c.ClosedAt.ShouldBeNull();
        c.IsOpen.ShouldBeTrue();
        c.UpdatedAt.ShouldBe(Now.AddDays(2));
    }

    [Fact]
    public void Refused_move_throws_and_changes_nothing()
    {
        var c = NewCase();
        c.MoveTo(CaseStatus.Closed, Now);
        Should.Throw<InvalidOperationException>(() => c.MoveTo(CaseStatus.InProgress, Now));
        c.Status.ShouldBe(CaseStatus.Closed);
    }

    [Fact]
    public void Duplicate_is_reached_only_by_merging()
    {
        var c = NewCase();
        Should.Throw<InvalidOperationException>(() => c.MoveTo(CaseStatus.Duplicate, Now));
        c.MarkDuplicateOf(99, Now);
        c.Status.ShouldBe(CaseStatus.Duplicate);
        c.MergedIntoCaseId.ShouldBe(99);
        c.ClosedAt.ShouldBe(Now);
        CaseWorkflow.NextFrom(CaseStatus.Duplicate).ShouldBeEmpty();
        CaseWorkflow.NextFrom(CaseStatus.Open).ShouldNotContain(CaseStatus.Duplicate);
    }

    [Fact]
    public void A_case_cannot_be_merged_into_itself()
    {
        var c = NewCase();
        c.Id = 7;
        Should.Throw<InvalidOperationException>(() => c.MarkDuplicateOf(7, Now));
    }

    [Theory]
    [InlineData(CaseStatus.Open, "open", "OPEN")]
    [InlineData(CaseStatus.Investigating, "open", "INVESTIGATING")]
    [InlineData(CaseStatus.InProgress, "open", "IN_PROGRESS")]
    [InlineData(CaseStatus.ActionScheduled, "open", "ACTION_SCHEDULED")]
    [InlineData(CaseStatus.Reopened, "open", "REOPEN")]
    [InlineData(CaseStatus.Fixed, "closed", "FIXED")]
    [InlineData(CaseStatus.Duplicate, "closed", "DUPLICATE")]
    [InlineData(CaseStatus.NotResponsible, "closed", "NOT_COUNCILS_RESPONSIBILITY")]
    [InlineData(CaseStatus.NoFurtherAction, "closed", "NO_FURTHER_ACTION")]
    [InlineData(CaseStatus.InternalReferral, "closed", "INTERNAL_REFERRAL")]
    [InlineData(CaseStatus.Closed, "closed", "CLOSED")]
    public void Open311_and_extended_names(CaseStatus status, string open311, string extended)
    {
        status.Open311Status().ShouldBe(open311);
        status.ExtendedStatus().ShouldBe(extended);
        CaseWorkflow.ParseExtended(extended).ShouldBe(status);
    }

    [Theory]
    [InlineData("in progress", CaseStatus.InProgress)]
    [InlineData("not councils responsibility", CaseStatus.NotResponsible)]
    [InlineData("fixed", CaseStatus.Fixed)]
    [InlineData("UNCHANGED", null)]
    [InlineData("FOR_TRIAGE", null)]
    [InlineData("", null)]
    public void ParseExtended_reads_FixMyStreet_spellings(string name, CaseStatus? expected) =>
        CaseWorkflow.ParseExtended(name).ShouldBe(expected);

    private static Case NewCase() => new()
    {
        OrganisationId = 1, Reference = "CS-TEST01", ServiceCode = "pothole", Title = "Pothole", Description = "A pothole", CreatedAt = Now, UpdatedAt = Now,
    };
}
