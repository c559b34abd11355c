using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Cases;

/// <summary>Who works on a case, how urgent it is and when it is due.</summary>
public sealed partial class CaseCommands
{
    public async Task<CaseResult> AssignAsync(long caseId, long? teamId, string? staffId, CancellationToken ct, CaseActor? actor = null)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null)
        {
            return CaseResult.NotFound;
        }

        // Who may assign is the caller's check (CaseAccess.CanAssign on pages; an API key may assign anywhere).
        var (choice, invalid) = await TeamAssignment.CheckAsync(db, teamId, staffId, _ => true, ct);
        if (choice is null)
        {
            return CaseResult.Invalid(invalid!.Field!, invalid.Error!);
        }

        if (choice.IsCurrent(c.TeamId, c.AssignedStaffId))
        {
            return CaseResult.Done(c);
        }

        var before = await TeamAssignment.DescribeAsync(db, c.TeamId, c.AssignedStaffId, ct);
        c.TeamId = choice.Team.Id;
        c.AssignedStaffId = choice.StaffId;
        c.UpdatedAt = Now;
        Audit(actor, "case.assigned", c.Id, before, choice.Description);
        AddEvent(c, CaseEventType.Updated);
        await ChangedAsync(c, ct);
        await db.SaveChangesAsync(ct);
        return CaseResult.Done(c);
    }

    public async Task<CaseResult> ChangePriorityAsync(long caseId, Priority? to, CancellationToken ct, CaseActor? actor = null)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null)
        {
            return CaseResult.NotFound;
        }

        if (to is not { } priority)
        {
            return CaseResult.Invalid("NewPriority", "Select a priority");
        }

        if (priority == c.Priority)
        {
            return CaseResult.Done(c);
        }

        var before = c.Priority;
        c.Priority = priority;
        c.UpdatedAt = Now;
        Audit(actor, "case.priority-changed", c.Id, before.ToString(), priority.ToString());
        AddEvent(c, CaseEventType.Updated);
        await ChangedAsync(c, ct);
        await db.SaveChangesAsync(ct);
        return CaseResult.Done(c);
    }

    public async Task<CaseResult> SetDueAsync(long caseId, DateTime? dueAt, CancellationToken ct, CaseActor? actor = null)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null)
        {
            return CaseResult.NotFound;
        }

        if (c.DueAt == dueAt)
        {
            return CaseResult.Done(c);
        }

        var before = c.DueAt;
        c.DueAt = dueAt;
        c.UpdatedAt = Now;
        Audit(actor, "case.due-changed", c.Id, before?.ToString("O"), dueAt?.ToString("O"));
        AddEvent(c, CaseEventType.Updated);
        await db.SaveChangesAsync(ct);
        return CaseResult.Done(c);
    }
}
