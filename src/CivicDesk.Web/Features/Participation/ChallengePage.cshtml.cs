using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

public sealed record IdeaRow(long Id, string Title, string Text, ContributionState State, string? HiddenReason, string Author,
    int Supports, int Comments, bool SupportedByMe, string? Theme, string? Response);

/// <summary>A challenge: its question, background, documents, phases and ideas (most supported first).</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class ChallengePageModel(CivicDeskDb db, CitizenSession session, MarkdownRenderer markdown, TimeProvider clock) : PageModel
{
    // "new": PageModel has a Challenge() method (authentication challenge); this page is about a consultation challenge.
    public new Challenge Challenge { get; private set; } = null!;
    public ChallengePhase Phase { get; private set; }
    public string BackgroundHtml { get; private set; } = "";
    public IReadOnlyList<ChallengeDocument> Documents { get; private set; } = [];
    public IReadOnlyList<IdeaRow> Ideas { get; private set; } = [];
    public CitizenAccount? Citizen { get; private set; }
    public DateTime Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        Now = clock.GetUtcNow().UtcDateTime;
        if (await db.Challenges.AsNoTracking().FirstOrDefaultAsync(c => c.Slug == slug && c.OpensAt != null && c.OpensAt <= Now, ct) is not { } challenge)
        {
            return NotFound();
        }

        Challenge = challenge;
        Phase = challenge.PhaseAt(Now);
        BackgroundHtml = markdown.ToSafeHtml(challenge.Background);
        Citizen = await session.CurrentAsync(ct);
        Documents = await db.ChallengeDocuments.AsNoTracking().Where(d => d.ChallengeId == challenge.Id).OrderBy(d => d.Id).ToListAsync(ct);
        Ideas = await IdeaRows(db, challenge.Id, Citizen?.Id).ToListAsync(ct);
        return Page();
    }

    /// <summary>Ideas as the public sees them: pending ones are left out (except the viewer's own), removed ones too.</summary>
    /// <remarks>Filters and ordering come before the projection: EF cannot translate either over a constructed record.</remarks>
    internal static IQueryable<IdeaRow> IdeaRows(CivicDeskDb db, long challengeId, long? me, long? ideaId = null, bool visibleOnly = false) =>
        db.Ideas.AsNoTracking()
            .Where(i => i.ChallengeId == challengeId && i.State != ContributionState.Removed
                        && (i.State != ContributionState.Pending || (me != null && i.CitizenAccountId == me)))
            .Where(i => ideaId == null || i.Id == ideaId)
            .Where(i => !visibleOnly || i.State == ContributionState.Visible)
            .OrderByDescending(i => db.IdeaSupports.Count(s => s.IdeaId == i.Id)).ThenBy(i => i.Id)
            .Select(i => new IdeaRow(i.Id, i.Title, i.Text, i.State, i.HiddenReason,
                i.Origin == IdeaOrigin.Social ? "from social media"
                    : db.CitizenAccounts.Where(a => a.Id == i.CitizenAccountId).Select(a => a.DisplayName).FirstOrDefault() ?? "deleted account",
                db.IdeaSupports.Count(s => s.IdeaId == i.Id),
                db.IdeaComments.Count(c => c.IdeaId == i.Id && c.State == ContributionState.Visible),
                me != null && db.IdeaSupports.Any(s => s.IdeaId == i.Id && s.CitizenAccountId == me),
                db.IdeaThemes.Where(t => t.Id == i.ThemeId).Select(t => t.Title).FirstOrDefault(),
                i.Response));
}
