using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Platform;

/// <summary>
/// Who is looking: their roles, their teams, and what the <see cref="Policies.CaseWorker"/> policy says about them.
/// The rules below read only this record, so they can be tested without a database or an HTTP request.
/// </summary>
public sealed record StaffViewer(
    string StaffId,
    string DisplayName,
    IReadOnlySet<string> Roles,
    IReadOnlySet<long> TeamIds,
    bool InTeamThatSeesAll,
    bool CanWork)
{
    private static readonly string[] SeeAllRoles = [Domain.Roles.Comms, Domain.Roles.Analyst, Domain.Roles.Admin];
    private static readonly string[] CrossTeamRoles = [Domain.Roles.TeamLead, Domain.Roles.Admin, Domain.Roles.Comms];

    /// <summary>Comms, analysts, admins and contact-centre teams see the whole organisation's conversations.</summary>
    public bool SeesAll => InTeamThatSeesAll || Roles.Overlaps(SeeAllRoles);

    /// <summary>Team leads, admins, comms and contact-centre teams may hand a conversation to any team.</summary>
    public bool AssignsAcrossTeams => CanWork && (InTeamThatSeesAll || Roles.Overlaps(CrossTeamRoles));
}

/// <summary>
/// Least privilege for conversations, in one place. Every inbox page and handler asks this service (and cases,
/// templates, SLA and triage pages reuse the same rules, which is why it lives in Platform rather than in Inbox); the other
/// organisation's rows are already invisible through the global query filter, so a foreign id is simply not found.
/// </summary>
public sealed class ConversationAccess(CivicDeskDb db, IHttpContextAccessor http, IAuthorizationService authorization)
{
    private StaffViewer? _viewer;

    /// <summary>The signed-in member of staff, loaded once per request.</summary>
    public async Task<StaffViewer> ViewerAsync(CancellationToken ct)
    {
        if (_viewer is not null)
        {
            return _viewer;
        }

        var user = http.HttpContext?.User ?? throw new InvalidOperationException("No signed-in user.");
        var staffId = user.StaffId() ?? throw new InvalidOperationException("The user has no staff id.");
        var teams = await db.TeamMemberships.AsNoTracking()
            .Where(m => m.StaffMemberId == staffId)
            .Select(m => new { m.TeamId, m.Team!.SeesAllConversations })
            .ToListAsync(ct);
        var canWork = (await authorization.AuthorizeAsync(user, Policies.CaseWorker)).Succeeded;
        _viewer = new StaffViewer(
            staffId,
            user.DisplayNameOf(),
            Domain.Roles.All.Where(user.IsInRole).ToHashSet(StringComparer.Ordinal),
            teams.Select(t => t.TeamId).ToHashSet(),
            teams.Any(t => t.SeesAllConversations),
            canWork);
        return _viewer;
    }

    /// <summary>Restricts a query to the conversations the viewer may see.</summary>
    public static IQueryable<Conversation> Visible(IQueryable<Conversation> conversations, StaffViewer viewer)
    {
        if (viewer.SeesAll)
        {
            return conversations;
        }

        var teamIds = viewer.TeamIds.ToList();
        var staffId = viewer.StaffId;
        return conversations.Where(c => (c.AssignedTeamId != null && teamIds.Contains(c.AssignedTeamId.Value)) || c.AssignedStaffId == staffId);
    }

    /// <summary>
    /// The same conversations as <see cref="Visible"/>, as disjoint parts that each need no OR: one per team of the
    /// viewer (<see cref="VisiblePart.Team"/> set), and the conversations assigned to the viewer in no team of theirs.
    /// Counting or listing part by part lets every read seek an index on (team, …) or (staff, …); the OR in
    /// <see cref="Visible"/> can use neither, so SQLite walked the organisation's status index and checked each row
    /// (an agent's inbox counts took 25–120 ms each at 1 M messages, bench inbox --sql).
    /// </summary>
    public static IReadOnlyList<VisiblePart> VisibleParts(IQueryable<Conversation> conversations, StaffViewer viewer)
    {
        if (viewer.SeesAll)
        {
            return [new VisiblePart(conversations, null)];
        }

        var teamIds = viewer.TeamIds.Order().ToList();
        var staffId = viewer.StaffId;
        var parts = teamIds.Select(team => new VisiblePart(conversations.Where(c => c.AssignedTeamId == team), team)).ToList();
        parts.Add(new VisiblePart(
            conversations.Where(c => c.AssignedStaffId == staffId && (c.AssignedTeamId == null || !teamIds.Contains(c.AssignedTeamId.Value))), null));
        return parts;
    }

    public static bool CanSee(StaffViewer viewer, long? assignedTeamId, string? assignedStaffId) =>
        viewer.SeesAll
        || (assignedTeamId is { } team && viewer.TeamIds.Contains(team))
        || (assignedStaffId is not null && assignedStaffId == viewer.StaffId);

    /// <summary>Reply, note, change status or priority: case workers, on conversations they can see.</summary>
    public static bool CanWorkOn(StaffViewer viewer, long? assignedTeamId, string? assignedStaffId) =>
        viewer.CanWork && CanSee(viewer, assignedTeamId, assignedStaffId);

    /// <summary>
    /// Assign to a team and, optionally, a person in it. Cross-team roles may choose any team; an agent may choose
    /// only one of their own teams, and a person in it (themselves included).
    /// </summary>
    public static bool CanAssign(StaffViewer viewer, long? currentTeamId, string? currentStaffId, long targetTeamId) =>
        CanWorkOn(viewer, currentTeamId, currentStaffId) && (viewer.AssignsAcrossTeams || viewer.TeamIds.Contains(targetTeamId));

    /// <summary>Teams the viewer may choose in the assign control.</summary>
    public static bool MayChooseTeam(StaffViewer viewer, long teamId) => viewer.AssignsAcrossTeams || viewer.TeamIds.Contains(teamId);
}

/// <summary>
/// Part of the conversations a viewer may see (<see cref="ConversationAccess.VisibleParts"/>). <see cref="Team"/>, when
/// set, is the one team every conversation of the part is assigned to, so a caller can skip a part that a team filter
/// rules out without asking the database.
/// </summary>
public sealed record VisiblePart(IQueryable<Conversation> Conversations, long? Team)
{
    /// <summary>False when every conversation of this part is in another team than <paramref name="team"/>.</summary>
    public bool MayHoldTeam(long? team) => team is null || Team is null || Team == team;
}
