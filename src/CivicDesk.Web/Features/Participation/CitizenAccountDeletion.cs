using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

/// <summary>
/// Deletes a citizen account in one transaction. Keep: contributions stay, shown as "deleted account" (the link to
/// the person is cut; supports still count). Remove: ideas and comments become "removed by their author"
/// placeholders with their text gone (so replies by others still make sense), supports and map features go.
/// The audit event names the account id and the counts, never the address (the audit chain cannot be erased).
/// </summary>
public static class CitizenAccountDeletion
{
    public static async Task DeleteAsync(CivicDeskDb db, AuditLog audit, long accountId, bool remove, DateTime now, CancellationToken ct)
    {
        var account = await db.CitizenAccounts.FirstAsync(a => a.Id == accountId, ct);
        // Gate first, then the database (see BeginWriteTransactionAsync): this transaction ends with an audited save.
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var ideas = await db.Ideas.CountAsync(i => i.CitizenAccountId == accountId, ct);
        var comments = await db.IdeaComments.CountAsync(c => c.CitizenAccountId == accountId, ct);
        var supports = await db.IdeaSupports.CountAsync(s => s.CitizenAccountId == accountId, ct);
        var features = await db.MapFeatures.CountAsync(f => f.CitizenAccountId == accountId, ct);
        if (remove)
        {
            await db.Ideas.Where(i => i.CitizenAccountId == accountId).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.State, ContributionState.Removed).SetProperty(i => i.Title, "").SetProperty(i => i.Text, "")
                .SetProperty(i => i.Latitude, (double?)null).SetProperty(i => i.Longitude, (double?)null)
                .SetProperty(i => i.PhotoFile, (string?)null).SetProperty(i => i.CitizenAccountId, (long?)null), ct);
            await db.IdeaComments.Where(c => c.CitizenAccountId == accountId).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.State, ContributionState.Removed).SetProperty(c => c.Text, "").SetProperty(c => c.CitizenAccountId, (long?)null), ct);
            await db.IdeaSupports.Where(s => s.CitizenAccountId == accountId).ExecuteDeleteAsync(ct);
            // A feature already turned into a case stays (the case refers to it); its author link is cut.
            await db.MapFeatures.Where(f => f.CitizenAccountId == accountId && f.CaseId == null).ExecuteDeleteAsync(ct);
        }

        await db.Ideas.Where(i => i.CitizenAccountId == accountId).ExecuteUpdateAsync(s => s.SetProperty(i => i.CitizenAccountId, (long?)null), ct);
        await db.IdeaComments.Where(c => c.CitizenAccountId == accountId).ExecuteUpdateAsync(s => s.SetProperty(c => c.CitizenAccountId, (long?)null), ct);
        await db.IdeaSupports.Where(s => s.CitizenAccountId == accountId).ExecuteUpdateAsync(s => s.SetProperty(x => x.CitizenAccountId, (long?)null), ct);
        await db.MapFeatures.Where(f => f.CitizenAccountId == accountId).ExecuteUpdateAsync(s => s.SetProperty(f => f.CitizenAccountId, (long?)null), ct);
        await db.ContentReports.Where(r => r.CitizenAccountId == accountId).ExecuteUpdateAsync(s => s.SetProperty(r => r.CitizenAccountId, (long?)null), ct);
        await db.CitizenSignInTokens.Where(t => t.Email == account.Email).ExecuteDeleteAsync(ct);
        db.CitizenAccounts.Remove(account);
        audit.RecordAs(account.OrganisationId, null, "citizen", "citizen.account-deleted", "CitizenAccount", accountId,
            after: new { contributions = remove ? "removed" : "kept", ideas, comments, supports, features, at = now });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
