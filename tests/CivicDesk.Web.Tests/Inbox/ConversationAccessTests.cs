using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Inbox;

public sealed class ConversationAccessTests : IClassFixture<CivicDeskFactory>
{
    private const long CustomerServices = 1, Highways = 2, Waste = 3;
    private readonly CivicDeskFactory _factory;

    public ConversationAccessTests(CivicDeskFactory factory) => _factory = factory;

    private static StaffViewer Viewer(string role, bool seesAllTeam = false, params long[] teams) => new(
        "me", "Me", new HashSet<string> { role }, teams.Length == 0 ? new HashSet<long> { CustomerServices } : teams.ToHashSet(), seesAllTeam,
        CanWork: role != Roles.Analyst);

    [Theory]
    [InlineData(Roles.Agent, false)]
    [InlineData(Roles.TeamLead, false)]
    [InlineData(Roles.Comms, true)]
    [InlineData(Roles.Analyst, true)]
    [InlineData(Roles.Admin, true)]
    public void Another_teams_conversation_is_visible_only_to_roles_that_see_everything(string role, bool visible)
    {
        ConversationAccess.CanSee(Viewer(role), Highways, null).ShouldBe(visible);
        ConversationAccess.CanSee(Viewer(role), CustomerServices, null).ShouldBeTrue();
    }

    [Fact]
    public void An_agent_sees_conversations_assigned_to_them_in_any_team()
    {
        ConversationAccess.CanSee(Viewer(Roles.Agent), Highways, "me").ShouldBeTrue();
        ConversationAccess.CanSee(Viewer(Roles.Agent), Highways, "someone-else").ShouldBeFalse();
        ConversationAccess.CanSee(Viewer(Roles.Agent), null, null).ShouldBeFalse();
    }

    [Fact]
    public void Members_of_a_team_that_sees_all_conversations_see_every_team()
    {
        var viewer = Viewer(Roles.Agent, seesAllTeam: true);
        viewer.SeesAll.ShouldBeTrue();
        ConversationAccess.CanSee(viewer, Waste, null).ShouldBeTrue();
    }

    [Fact]
    public void Analysts_read_but_never_work_a_conversation()
    {
        var analyst = Viewer(Roles.Analyst);
        ConversationAccess.CanSee(analyst, Highways, null).ShouldBeTrue();
        ConversationAccess.CanWorkOn(analyst, CustomerServices, null).ShouldBeFalse();
        ConversationAccess.CanAssign(analyst, CustomerServices, null, CustomerServices).ShouldBeFalse();
    }

    [Fact]
    public void Case_workers_work_only_what_they_can_see()
    {
        ConversationAccess.CanWorkOn(Viewer(Roles.Agent), CustomerServices, null).ShouldBeTrue();
        ConversationAccess.CanWorkOn(Viewer(Roles.Agent), Highways, null).ShouldBeFalse();
        ConversationAccess.CanWorkOn(Viewer(Roles.Comms), Highways, null).ShouldBeTrue();
    }

    [Theory]
    [InlineData(Roles.Agent, false, false)]
    [InlineData(Roles.Agent, true, true)]
    [InlineData(Roles.TeamLead, false, true)]
    [InlineData(Roles.Comms, false, true)]
    [InlineData(Roles.Admin, false, true)]
    [InlineData(Roles.Analyst, false, false)]
    public void Assigning_to_another_team_needs_a_cross_team_role_or_a_contact_centre_team(string role, bool seesAllTeam, bool allowed) =>
        ConversationAccess.CanAssign(Viewer(role, seesAllTeam), CustomerServices, null, Highways).ShouldBe(allowed);

    [Fact]
    public void An_agent_may_assign_within_their_own_teams()
    {
        var agent = Viewer(Roles.Agent, false, CustomerServices, Waste);
        ConversationAccess.CanAssign(agent, CustomerServices, null, Waste).ShouldBeTrue();
        ConversationAccess.CanAssign(agent, CustomerServices, null, CustomerServices).ShouldBeTrue();
        ConversationAccess.CanAssign(agent, CustomerServices, null, Highways).ShouldBeFalse();
        ConversationAccess.MayChooseTeam(agent, Highways).ShouldBeFalse();
    }

    [Fact]
    public async Task Visible_filters_the_query_to_the_viewers_teams_and_assignments()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var mine = await InboxTestData.ConversationAsync(_factory, org);
        var highways = await InboxTestData.ConversationAsync(_factory, org, arrange: c => c.AssignedTeamId = org.Teams["Highways"]);
        var assignedToMe = await InboxTestData.ConversationAsync(_factory, org, arrange: c =>
        {
            c.AssignedTeamId = org.Teams["Waste"];
            c.AssignedStaffId = org.Staff[Roles.Agent].Id;
        });

        var agent = new StaffViewer(org.Staff[Roles.Agent].Id, "Agent", new HashSet<string> { Roles.Agent },
            new HashSet<long> { org.Teams["Customer Services"] }, false, true);
        var ids = await InboxTestData.WithDbAsync(_factory, org.Id, db =>
            ConversationAccess.Visible(db.Conversations, agent).Select(c => c.Id).ToListAsync());
        ids.ShouldBe([mine.Id, assignedToMe.Id], ignoreOrder: true);

        var analyst = agent with { Roles = new HashSet<string> { Roles.Analyst }, CanWork = false };
        var all = await InboxTestData.WithDbAsync(_factory, org.Id, db =>
            ConversationAccess.Visible(db.Conversations, analyst).Select(c => c.Id).ToListAsync());
        all.ShouldBe([mine.Id, highways.Id, assignedToMe.Id], ignoreOrder: true);
    }

    [Fact]
    public async Task Another_organisations_rows_are_invisible_even_to_a_viewer_who_sees_all()
    {
        var a = await TestOrganisation.CreateAsync(_factory);
        var b = await TestOrganisation.CreateAsync(_factory);
        var theirs = await InboxTestData.ConversationAsync(_factory, b);
        var admin = new StaffViewer(a.Staff[Roles.Admin].Id, "Admin", new HashSet<string> { Roles.Admin }, new HashSet<long>(), false, true);
        var found = await InboxTestData.WithDbAsync(_factory, a.Id, (CivicDeskDb db) =>
            ConversationAccess.Visible(db.Conversations, admin).AnyAsync(c => c.Id == theirs.Id));
        found.ShouldBeFalse();
    }
}
