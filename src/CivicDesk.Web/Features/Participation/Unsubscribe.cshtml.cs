using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

/// <summary>
/// Stops participation notices. GET shows a confirm button (mail scanners follow links); POST unsubscribes, and is
/// also the RFC 8058 one-click target, so it takes no antiforgery token: the protected token is the proof.
/// </summary>
[AllowAnonymous]
[PublicOrganisation]
[IgnoreAntiforgeryToken]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class UnsubscribeModel(CivicDeskDb db, ParticipationNotifier notifier) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "t")] public string? Token { get; set; }
    public bool Done { get; private set; }

    public IActionResult OnGet() => Token is null || notifier.AccountFromUnsubscribeToken(Token) is null ? NotFound() : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Token is null || notifier.AccountFromUnsubscribeToken(Token) is not { } id)
        {
            return NotFound();
        }

        await db.CitizenAccounts.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.NotificationsOff, true), ct);
        Done = true;
        return Page();
    }
}
