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

/// <summary>"You said, we did": the published response, per theme and per idea.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class ResponseModel(CivicDeskDb db, MarkdownRenderer markdown) : PageModel
{
    // "new": PageModel has a Challenge() method (authentication challenge); this page is about a consultation challenge.
    public new Challenge Challenge { get; private set; } = null!;
    public string SummaryHtml { get; private set; } = "";
    public IReadOnlyList<IdeaTheme> Themes { get; private set; } = [];
    public IReadOnlyList<IdeaRow> Ideas { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await db.Challenges.AsNoTracking().FirstOrDefaultAsync(c => c.Slug == slug && c.ResponsePublishedAt != null, ct) is not { } challenge)
        {
            return NotFound();
        }

        Challenge = challenge;
        SummaryHtml = markdown.ToSafeHtml(challenge.ResponseSummary);
        Themes = await db.IdeaThemes.AsNoTracking().Where(t => t.ChallengeId == challenge.Id).OrderBy(t => t.Id).ToListAsync(ct);
        Ideas = await ChallengePageModel.IdeaRows(db, challenge.Id, null, visibleOnly: true).ToListAsync(ct);
        return Page();
    }
}
