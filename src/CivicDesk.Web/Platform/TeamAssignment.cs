using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Platform;

/// <summary>A checked choice of team and, optionally, an active member of it.</summary>
public sealed record TeamAssignment(Team Team, string? StaffId, string? StaffName)
{
    /// <summary>"Highways" or "Highways, Jo Bloggs", as the audit log records it.</summary>
    public string Description => StaffName is null ? Team.Name : $"{Team.Name}, {StaffName}";

    /// <summary>True when the work is already assigned exactly so (the command then changes nothing).</summary>
    public bool IsCurrent(long? teamId, string? staffId) => teamId == Team.Id && staffId == StaffId;

    /// <summary>
    /// The one assignment check shared by conversations and cases: the team must exist (the organisation query
    /// filter hides other organisations' teams), the viewer must be allowed to choose it, and a named person must be
    /// an active member of that team. The refusal comes before the person check so nothing is learnt about a team's
    /// members by someone who may not assign to it.
    /// </summary>
    public static async Task<(TeamAssignment? Assignment, CommandResult? Refused)> CheckAsync(
        CivicDeskDb db, long? teamId, string? staffId, Func<long, bool> mayChooseTeam, CancellationToken ct)
    {
        var team = teamId is { } t ? await db.Teams.SingleOrDefaultAsync(x => x.Id == t, ct) : null;
        if (team is null)
        {
            return (null, CommandResult.Invalid("TeamId", "Select a team"));
        }

        if (!mayChooseTeam(team.Id))
        {
            return (null, CommandResult.Forbidden);
        }

        staffId = string.IsNullOrEmpty(staffId) ? null : staffId;
        string? staffName = null;
        if (staffId is not null)
        {
            staffName = await db.TeamMemberships.Where(m => m.TeamId == team.Id && m.StaffMemberId == staffId)
                .Join(db.Users.Where(u => u.IsActive), m => m.StaffMemberId, u => u.Id, (m, u) => u.DisplayName)
                .SingleOrDefaultAsync(ct);
            if (staffName is null)
            {
                return (null, CommandResult.Invalid("StaffId", $"Select a person in {team.Name}, or nobody in particular"));
            }
        }

        return (new TeamAssignment(team, staffId, staffName), null);
    }

    /// <summary>The current assignment in words ("nobody", a team, a person, or both) for the audit log's "before".</summary>
    public static async Task<string> DescribeAsync(CivicDeskDb db, long? teamId, string? staffId, CancellationToken ct)
    {
        var team = teamId is { } t ? await db.Teams.Where(x => x.Id == t).Select(x => x.Name).SingleOrDefaultAsync(ct) : null;
        var person = staffId is null ? null : await db.Users.Where(u => u.Id == staffId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct);
        return (team, person) switch
        {
            (null, null) => "nobody",
            (_, null) => team!,
            (null, _) => person!,
            _ => $"{team}, {person}",
        };
    }
}
