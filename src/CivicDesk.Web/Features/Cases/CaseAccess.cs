using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Features.Cases;

/// <summary>
/// Who may see and work a case: the same least-privilege rules as conversations (<see cref="ConversationAccess"/>),
/// keyed on the case's team and assignee. Another organisation's cases are already invisible (query filter).
/// </summary>
public static class CaseAccess
{
    public static IQueryable<Case> Visible(IQueryable<Case> cases, StaffViewer viewer)
    {
        if (viewer.SeesAll)
        {
            return cases;
        }

        var teamIds = viewer.TeamIds.ToList();
        var staffId = viewer.StaffId;
        return cases.Where(c => (c.TeamId != null && teamIds.Contains(c.TeamId.Value)) || c.AssignedStaffId == staffId);
    }

    public static bool CanSee(StaffViewer viewer, Case c) => ConversationAccess.CanSee(viewer, c.TeamId, c.AssignedStaffId);

    public static bool CanWorkOn(StaffViewer viewer, Case c) => ConversationAccess.CanWorkOn(viewer, c.TeamId, c.AssignedStaffId);

    public static bool CanAssign(StaffViewer viewer, Case c, long targetTeamId) =>
        ConversationAccess.CanAssign(viewer, c.TeamId, c.AssignedStaffId, targetTeamId);
}
