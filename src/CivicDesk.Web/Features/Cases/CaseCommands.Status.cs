using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Cases;

/// <summary>Moving a case through its workflow.</summary>
public sealed partial class CaseCommands
{
    public async Task<CaseResult> ChangeStatusAsync(long caseId, CaseStatus? to, string? text, bool isPublic, CancellationToken ct,
        CaseActor? actor = null, ExternalUpdate? external = null)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null)
        {
            return CaseResult.NotFound;
        }

        if (external is not null && await AlreadyAppliedAsync(external, ct))
        {
            return new CaseResult(CaseOutcome.AlreadyApplied, c);
        }

        if (to is not { } next)
        {
            return CaseResult.Invalid("NewStatus", "Select a status");
        }

        if (next == CaseStatus.Duplicate)
        {
            return CaseResult.Invalid("NewStatus", "To mark a case as a duplicate, merge it into the case it duplicates");
        }

        if (!CaseWorkflow.CanMove(c.Status, next))
        {
            return CaseResult.Invalid("NewStatus", $"A case that is {c.Status.Label().ToLowerInvariant()} cannot be moved to {next.Label().ToLowerInvariant()}");
        }

        text = text?.Trim();
        if (text?.Length > MaxUpdateLength)
        {
            return CaseResult.Invalid("UpdateText", $"Update must be {MaxUpdateLength} characters or fewer");
        }

        var before = c.Status;
        var now = Now;
        c.MoveTo(next, now);
        var who = Actor(actor);
        db.CaseUpdates.Add(new CaseUpdate
        {
            OrganisationId = c.OrganisationId, CaseId = c.Id, Kind = CaseUpdateKind.StatusChange, StatusBefore = before, StatusAfter = next,
            Text = string.IsNullOrEmpty(text) ? null : text, IsPublic = isPublic, StaffId = who.StaffId, AuthorName = who.Name,
            ExternalUpdateId = external?.UpdateId, ExternalStatusCode = external?.StatusCode, CreatedAt = now,
        });
        Audit(actor, "case.status-changed", c.Id, before.Label(), isPublic ? $"{next.Label()} (public)" : next.Label());
        AddEvent(c, next.IsOpen() ? CaseEventType.Updated : CaseEventType.Closed);
        if (next.IsOpen() && !before.IsOpen())
        {
            await ChangedAsync(c, ct); // reopened: it joins the queue again
        }

        await using var tx = await db.BeginWriteTransactionAsync(ct);
        if (isPublic)
        {
            await notifier.QueueAsync(c, CaseNotifier.StatusText(c, next, text), ct);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        notifier.Ring();
        return CaseResult.Done(c);
    }
}
