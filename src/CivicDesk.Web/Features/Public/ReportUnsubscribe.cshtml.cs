using CivicDesk.Web.Data;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Public;

/// <summary>
/// Stops email updates on one report. GET shows a confirm button (mail scanners follow links); POST unsubscribes and is
/// also the RFC 8058 one-click target, so it takes no antiforgery token: the random token in the link is the proof.
/// </summary>
[AllowAnonymous]
[PublicOrganisation]
[IgnoreAntiforgeryToken]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class ReportUnsubscribeModel(CivicDeskDb db, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "t")] public string? Token { get; set; }
    public bool Done { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        Token is { Length: > 0 and <= 64 } && await db.CaseEmailSubscriptions.AnyAsync(s => s.UnsubscribeToken == Token, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Token is not { Length: > 0 and <= 64 } || !await db.CaseEmailSubscriptions.AnyAsync(s => s.UnsubscribeToken == Token, ct))
        {
            return NotFound();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await db.CaseEmailSubscriptions.Where(s => s.UnsubscribeToken == Token && s.UnsubscribedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.UnsubscribedAt, now), ct);
        Done = true;
        return Page();
    }
}
