using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Account;

[AllowAnonymous]
public sealed class SignInTwoFactorModel(SignInManager<StaffMember> signIn, SignInThrottle throttle) : PageModel
{
    [BindProperty] public string? Code { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToPage("/Account/SignIn") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var member = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (member is null)
        {
            return RedirectToPage("/Account/SignIn");
        }

        var address = HttpContext.Connection.RemoteIpAddress;
        if (throttle.IsBlocked(address))
        {
            return SignInModel.TooManyAttempts(this);
        }

        var code = (Code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false);
        if (!result.Succeeded)
        {
            throttle.RecordFailure(address);
            ModelState.AddModelError(nameof(Code), result.IsLockedOut
                ? "Your account is locked after too many failed attempts. Try again in 15 minutes."
                : "The security code is not correct or has expired");
            return Page();
        }

        await AccountAudit.SignedInAsync(HttpContext, member, twoFactor: true);
        return LocalRedirect(SignInModel.SafeReturnUrl(ReturnUrl));
    }
}
