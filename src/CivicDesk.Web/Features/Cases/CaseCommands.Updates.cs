using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Cases;

/// <summary>Public updates and internal notes.</summary>
public sealed partial class CaseCommands
{
    /// <summary>A public update (sent to every reporter and shown on public pages) or an internal note.</summary>
    public async Task<CaseResult> AddUpdateAsync(long caseId, string? text, bool isPublic, CancellationToken ct,
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

        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return CaseResult.Invalid("UpdateText", isPublic ? "Enter an update" : "Enter a note");
        }

        if (text.Length > MaxUpdateLength)
        {
            return CaseResult.Invalid("UpdateText", $"Update must be {MaxUpdateLength} characters or fewer");
        }

        var now = Now;
        var who = Actor(actor);
        c.UpdatedAt = now;
        db.CaseUpdates.Add(new CaseUpdate
        {
            OrganisationId = c.OrganisationId, CaseId = c.Id, Kind = isPublic ? CaseUpdateKind.PublicUpdate : CaseUpdateKind.InternalNote,
            Text = text, IsPublic = isPublic, StaffId = who.StaffId, AuthorName = who.Name,
            ExternalUpdateId = external?.UpdateId, ExternalStatusCode = external?.StatusCode, CreatedAt = now,
        });
        Audit(actor, isPublic ? "case.update-added" : "case.note-added", c.Id, null, $"{text.Length} characters");
        AddEvent(c, CaseEventType.Updated);
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        if (isPublic)
        {
            await notifier.QueueAsync(c, CaseNotifier.UpdateText(c, text), ct);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        notifier.Ring();
        return CaseResult.Done(c);
    }
}
