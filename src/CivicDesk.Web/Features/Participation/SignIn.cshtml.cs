using System.Net.Mail;
using CivicDesk.Web.Features.Public;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Participation;

/// <summary>"Email me a sign-in link". The same answer for every valid address, known or not.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(ParticipationFeature.SignInRateLimit)]
public sealed class SignInModel(CitizenSignIn signIn, PublicOrganisationResolver organisations, IOptions<CitizenOptions> options) : PageModel
{
    [BindProperty] public string? Email { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var email = Email?.Trim() ?? "";
        if (email.Length == 0)
        {
            ModelState.AddModelError(nameof(Email), "Enter your email address");
        }
        else if (email.Length > 320 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || !email.Contains('.', StringComparison.Ordinal))
        {
            ModelState.AddModelError(nameof(Email), "Enter an email address in the correct format, like name@example.com");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        // The nonce ties the link to this browser; keep an existing one so an earlier link still works here.
        var nonce = Request.Cookies[CitizenAuth.BrowserCookie];
        if (nonce is not { Length: >= 40 and <= 64 })
        {
            nonce = CitizenAuth.NewSecret();
            Response.Cookies.Append(CitizenAuth.BrowserCookie, nonce, new CookieOptions
            {
                HttpOnly = true,
                Secure = Request.IsHttps,
                SameSite = SameSiteMode.Lax,
                IsEssential = true,
                MaxAge = options.Value.LinkLifetime + TimeSpan.FromMinutes(5),
            });
        }

        var organisation = organisations.Current;
        await signIn.RequestLinkAsync(organisation.Id, organisation.Name, email, nonce, CitizenSignIn.BaseUrl(Request, options.Value),
            CitizenSignIn.IsLocal(ReturnUrl) ? ReturnUrl : null, HttpContext.Connection.RemoteIpAddress?.ToString(), ct);
        return RedirectToPage("SignInSent");
    }
}
