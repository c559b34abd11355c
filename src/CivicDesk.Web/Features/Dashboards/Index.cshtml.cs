using CivicDesk.Web.Data;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// One dashboard for every role: analysts, comms and admins see the organisation; agents and team leads see only
/// their own teams' figures (the same rule as the inbox: <see cref="StaffViewer.SeesAll"/>).
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class IndexModel(DashboardData data, ConversationAccess access, CivicDeskDb db) : PageModel
{
    public DashboardFilter Filter { get; private set; } = new();
    public DashboardView View { get; private set; } = null!;
    public IReadOnlyList<(long Id, string Name)> Teams { get; private set; } = [];
    public string ScopeText { get; private set; } = "";

    public async Task OnGetAsync(DashboardFilter filter, CancellationToken ct)
    {
        // A malformed date is ignored (the default period applies) rather than failing the page.
        Filter = filter;
        var viewer = await access.ViewerAsync(ct);
        var scope = DashboardScopes.For(viewer);
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        Teams = teams.Where(t => scope.Allows(t.Id)).Select(t => (t.Id, t.Name)).ToList();
        if (Filter.Team is { } team && !scope.Allows(team))
        {
            Filter.Team = null;
        }

        var narrowed = scope.Narrow(Filter.Team);
        ScopeText = narrowed.TeamIds is null
            ? "All teams in the organisation."
            : "Only " + string.Join(", ", Teams.Where(t => narrowed.Allows(t.Id)).Select(t => t.Name)) + (scope.TeamIds is null ? "." : " (the teams you belong to).");
        View = await data.BuildAsync(Filter, narrowed, ct);
    }
}

public static class DashboardScopes
{
    /// <summary>Comms, analysts, admins and members of a sees-everything team see the organisation; everyone else their teams.</summary>
    public static DashboardScope For(StaffViewer viewer) => viewer.SeesAll ? DashboardScope.Everything : new DashboardScope(viewer.TeamIds);
}
