using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Cases;

/// <summary>
/// Staff decide whether the reporter's description and address may be published (Open311 GET requests shows them to
/// the public only then). Kept apart from <see cref="CaseCommands"/>: one use case, one file.
/// </summary>
public sealed class CasePublicText(CivicDeskDb db, AuditLog audit, TimeProvider clock, IHttpContextAccessor http)
{
    public async Task<CaseResult> SetAsync(long caseId, bool publish, CancellationToken ct)
    {
        var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null)
        {
            return CaseResult.NotFound;
        }

        if (publish && c.NonPublic)
        {
            return CaseResult.Invalid("PublishText", "This case is not public, so its description cannot be published");
        }

        if ((c.PublicTextReviewedAt is not null) == publish)
        {
            return new CaseResult(CaseOutcome.AlreadyApplied, c);
        }

        var before = new { published = c.PublicTextReviewedAt is not null, by = c.PublicTextReviewedBy };
        c.PublicTextReviewedAt = publish ? clock.GetUtcNow().UtcDateTime : null;
        c.PublicTextReviewedBy = publish ? http.HttpContext?.User.DisplayNameOf() : null;
        audit.Record(publish ? "case.public-text-approved" : "case.public-text-withdrawn", "Case", c.Id, before,
            new { published = publish, by = c.PublicTextReviewedBy });
        await db.SaveChangesAsync(ct);
        return CaseResult.Done(c);
    }
}
