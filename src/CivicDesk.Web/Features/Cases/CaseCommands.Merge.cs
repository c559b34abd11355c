using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Cases;

/// <summary>Adding messages to a case and merging duplicates.</summary>
public sealed partial class CaseCommands
{
    /// <summary>"Add to case": links a message (and its conversation as a reporter) to an existing case.</summary>
    public async Task<CaseResult> LinkMessageAsync(long caseId, long messageId, CancellationToken ct, CaseActor? actor = null)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        var message = await db.Messages.SingleOrDefaultAsync(m => m.Id == messageId, ct);
        if (c is null || message is null)
        {
            return CaseResult.NotFound;
        }

        if (c.Status == CaseStatus.Duplicate)
        {
            return CaseResult.Invalid("CaseReference", "That case was merged into another: add the message to that case instead");
        }

        if (await db.CaseMessages.AnyAsync(x => x.CaseId == caseId && x.MessageId == messageId, ct))
        {
            return CaseResult.Done(c);
        }

        if (await PurposeLimitationRefusalAsync([message], ct) is { } refusal)
        {
            return CaseResult.Invalid("MessageIds", refusal);
        }

        var now = Now;
        var newReporter = await LinkMessageRowsAsync(c, message, now, ct);
        c.UpdatedAt = now;
        Audit(actor, "case.message-linked", c.Id, null, newReporter ? $"message {messageId}, new reporter" : $"message {messageId}");
        AddEvent(c, CaseEventType.Updated);
        await db.SaveChangesAsync(ct);
        return CaseResult.Done(c);
    }

    /// <summary>
    /// Merges <paramref name="duplicateId"/> into <paramref name="survivorId"/>: the duplicate becomes Duplicate, and every
    /// message, reporter and photo of it is linked to the survivor, so resolving the survivor tells all of them.
    /// </summary>
    public async Task<CaseResult> MergeAsync(long duplicateId, long survivorId, CancellationToken ct, CaseActor? actor = null)
    {
        if (duplicateId == survivorId)
        {
            return CaseResult.Invalid("SurvivorReference", "A case cannot be merged into itself");
        }

        var duplicate = await db.Cases.SingleOrDefaultAsync(x => x.Id == duplicateId, ct);
        var survivor = await db.Cases.SingleOrDefaultAsync(x => x.Id == survivorId, ct);
        if (duplicate is null || survivor is null)
        {
            return CaseResult.NotFound;
        }

        if (!duplicate.IsOpen)
        {
            return CaseResult.Invalid("SurvivorReference", $"{duplicate.Reference} is {duplicate.Status.Label().ToLowerInvariant()}: only an open case can be merged");
        }

        if (!survivor.IsOpen)
        {
            return CaseResult.Invalid("SurvivorReference", $"{survivor.Reference} is {survivor.Status.Label().ToLowerInvariant()}: reopen it before merging into it");
        }

        var now = Now;
        var who = Actor(actor);
        var before = duplicate.Status;
        duplicate.MarkDuplicateOf(survivor.Id, now);
        survivor.UpdatedAt = now;

        var survivorMessages = await db.CaseMessages.Where(x => x.CaseId == survivor.Id).Select(x => x.MessageId).ToListAsync(ct);
        var moved = await db.CaseMessages.Where(x => x.CaseId == duplicate.Id && !survivorMessages.Contains(x.MessageId)).ToListAsync(ct);
        foreach (var m in moved)
        {
            db.CaseMessages.Add(new CaseMessage { OrganisationId = survivor.OrganisationId, CaseId = survivor.Id, MessageId = m.MessageId, LinkedAt = now, LinkedByStaffId = who.StaffId });
        }

        var survivorConversations = await db.CaseReporters.Where(x => x.CaseId == survivor.Id && x.ConversationId != null).Select(x => x.ConversationId).ToListAsync(ct);
        var reporters = await db.CaseReporters.AsNoTracking().Where(x => x.CaseId == duplicate.Id).ToListAsync(ct);
        var added = 0;
        foreach (var r in reporters.Where(r => r.ConversationId is null || !survivorConversations.Contains(r.ConversationId)))
        {
            db.CaseReporters.Add(new CaseReporter
            {
                OrganisationId = survivor.OrganisationId, CaseId = survivor.Id, ConversationId = r.ConversationId,
                Name = r.Name, Email = r.Email, Phone = r.Phone, AddedAt = now,
            });
            added++;
        }

        foreach (var p in await db.CasePhotos.AsNoTracking().Where(x => x.CaseId == duplicate.Id).ToListAsync(ct))
        {
            AddPhoto(survivor, p.MessageId, new AttachmentInfo(p.FileName, p.ContentType, p.Length, p.StoredPath, p.Url), now);
        }

        await db.CaseDuplicateCandidates
            .Where(x => (x.CaseId == duplicate.Id && x.CandidateCaseId == survivor.Id) || (x.CaseId == survivor.Id && x.CandidateCaseId == duplicate.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Dismissed, true), ct);

        db.CaseUpdates.Add(new CaseUpdate
        {
            OrganisationId = duplicate.OrganisationId, CaseId = duplicate.Id, Kind = CaseUpdateKind.StatusChange, StatusBefore = before,
            StatusAfter = CaseStatus.Duplicate, Text = $"Merged into {survivor.Reference}", IsPublic = true, StaffId = who.StaffId,
            AuthorName = who.Name, CreatedAt = now,
        });
        db.CaseUpdates.Add(new CaseUpdate
        {
            OrganisationId = survivor.OrganisationId, CaseId = survivor.Id, Kind = CaseUpdateKind.InternalNote,
            Text = $"{duplicate.Reference} merged into this case: {moved.Count} message(s) and {added} reporter(s) added",
            StaffId = who.StaffId, AuthorName = who.Name, CreatedAt = now,
        });
        Audit(actor, "case.merged", duplicate.Id, before.Label(), $"duplicate of {survivor.Reference}");
        Audit(actor, "case.merged-into", survivor.Id, null, $"{duplicate.Reference}: {moved.Count} message(s), {added} reporter(s)");
        AddEvent(duplicate, CaseEventType.Merged);
        AddEvent(survivor, CaseEventType.Updated);
        await db.SaveChangesAsync(ct);
        return CaseResult.Done(survivor);
    }
}
