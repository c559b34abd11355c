using CivicDesk.Web.Features.Public;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Features.Participation;

/// <summary>
/// The link from the mail. It signs in on GET: a mail scanner that fetches it has no browser cookie, so it cannot
/// use it up (the link is bound to the browser that asked).
/// </summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class SignInLinkModel(CitizenSignIn signIn, PublicOrganisationResolver organisations) : PageModel
{
    public SignInLinkResult Result { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, string? returnUrl, CancellationToken ct)
    {
        var (result, account) = await signIn.UseLinkAsync(organisations.Current.Id, token, Request.Cookies[CitizenAuth.BrowserCookie], ct);
        Result = result;
        if (account is null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await HttpContext.SignInAsync(CitizenAuth.Scheme, CitizenAuth.Principal(account));
        var next = CitizenSignIn.IsLocal(returnUrl) ? returnUrl! : "/participate";
        return account.DisplayName.Length == 0
            ? Redirect("/participate/account?welcome=1&returnUrl=" + Uri.EscapeDataString(next))
            : Redirect(next);
    }
}
