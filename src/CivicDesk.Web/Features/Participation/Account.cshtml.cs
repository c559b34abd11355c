using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

/// <summary>The citizen's own account: display name, optional postcode, notices, sign out, delete.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed partial class AccountModel(CitizenSession session, CivicDeskDb db, AuditLog audit, TimeProvider clock) : PageModel
{
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? Postcode { get; set; }
    [BindProperty] public bool Notifications { get; set; }
    /// <summary>Delete: "keep" (contributions stay as "deleted account") or "remove".</summary>
    [BindProperty] public string? Contributions { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty(SupportsGet = true)] public bool Welcome { get; set; }
    public string Email { get; private set; } = "";
    public bool Saved { get; private set; }

    public async Task<IActionResult> OnGetAsync(bool saved, CancellationToken ct)
    {
        if (await session.CurrentAsync(ct) is not { } account)
        {
            return Redirect("/participate/sign-in?returnUrl=/participate/account");
        }

        Email = account.Email;
        DisplayName = account.DisplayName;
        Postcode = account.Postcode;
        Notifications = !account.NotificationsOff;
        Saved = saved;
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        if (await session.CurrentAsync(ct) is not { } current)
        {
            return Redirect("/participate/sign-in?returnUrl=/participate/account");
        }

        Email = current.Email;
        var name = DisplayName?.Trim() ?? "";
        if (name.Length == 0)
        {
            ModelState.AddModelError(nameof(DisplayName), "Enter the name to show next to what you write");
        }
        else if (name.Length > 60)
        {
            ModelState.AddModelError(nameof(DisplayName), "Name must be 60 characters or fewer");
        }

        var postcode = Postcode?.Trim().ToUpperInvariant() ?? "";
        if (postcode.Length > 0 && !UkPostcode().IsMatch(postcode))
        {
            ModelState.AddModelError(nameof(Postcode), "Enter a real postcode, like GL50 1PZ, or leave it empty");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        await db.CitizenAccounts.Where(a => a.Id == current.Id).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.DisplayName, name)
            .SetProperty(a => a.Postcode, postcode.Length == 0 ? null : postcode)
            .SetProperty(a => a.NotificationsOff, !Notifications), ct);
        return CitizenSignIn.IsLocal(ReturnUrl) && ReturnUrl != "/participate/account" ? Redirect(ReturnUrl!) : Redirect("/participate/account?saved=true");
    }

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await HttpContext.SignOutAsync(CitizenAuth.Scheme);
        return Redirect("/participate");
    }

    public async Task<IActionResult> OnPostDeleteAsync(CancellationToken ct)
    {
        if (await session.CurrentAsync(ct) is not { } current)
        {
            return Redirect("/participate/sign-in");
        }

        Email = current.Email;
        DisplayName = current.DisplayName;
        Notifications = !current.NotificationsOff;
        if (Contributions is not ("keep" or "remove"))
        {
            ModelState.AddModelError(nameof(Contributions), "Choose whether to keep or remove what you wrote");
            return Page();
        }

        await CitizenAccountDeletion.DeleteAsync(db, audit, current.Id, remove: Contributions == "remove", clock.GetUtcNow().UtcDateTime, ct);
        await HttpContext.SignOutAsync(CitizenAuth.Scheme);
        return Redirect("/participate/account/deleted");
    }

    // The postcode shapes of the UK (BS 7666), with an optional space.
    [GeneratedRegex(@"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")]
    private static partial Regex UkPostcode();
}
