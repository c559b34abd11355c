using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Account;

[AllowAnonymous]
public sealed class SignInModel(SignInManager<StaffMember> signIn, UserManager<StaffMember> users, AuditLog audit, SignInThrottle throttle) : PageModel
{
    /// <summary>
    /// The one answer to every failure (unknown address, wrong password, locked or inactive account): a different
    /// message would tell a guesser which addresses are real, and which ones they have locked.
    /// </summary>
    public const string Failure = "Enter a correct email address and password. After 5 wrong attempts an account is locked for 15 minutes";

    /// <summary>A hash made once, checked for unknown addresses so they take as long as known ones.</summary>
    private static readonly Lazy<string> DecoyHash = new(() =>
        new PasswordHasher<StaffMember>().HashPassword(new StaffMember { DisplayName = "decoy" }, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))));

    [BindProperty] public SignInInput Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var address = HttpContext.Connection.RemoteIpAddress;
        if (throttle.IsBlocked(address))
        {
            // Checked before the password so a blocked address learns nothing, even from a right guess.
            return TooManyAttempts(this);
        }

        var member = await users.FindByEmailAsync(Input.Email);
        if (member is null || !member.IsActive)
        {
            // Same work as a real check (one PBKDF2 verification), so response time does not reveal which addresses exist.
            users.PasswordHasher.VerifyHashedPassword(member ?? new StaffMember { DisplayName = "decoy" }, DecoyHash.Value, Input.Password);
            throttle.RecordFailure(address);
            ModelState.AddModelError("", Failure);
            return Page();
        }

        var result = await signIn.PasswordSignInAsync(member, Input.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("/Account/SignInTwoFactor", new { ReturnUrl });
        }

        if (result.IsLockedOut)
        {
            throttle.RecordFailure(address);
            audit.RecordAs(member.OrganisationId, member.Id, member.DisplayName, "staff.locked-out", "StaffMember", member.Id);
            await HttpContext.RequestServices.GetRequiredService<Data.CivicDeskDb>().SaveChangesAsync();
            ModelState.AddModelError("", Failure);
            return Page();
        }

        if (!result.Succeeded)
        {
            throttle.RecordFailure(address);
            audit.RecordAs(member.OrganisationId, member.Id, member.DisplayName, "staff.sign-in-failed", "StaffMember", member.Id);
            await HttpContext.RequestServices.GetRequiredService<Data.CivicDeskDb>().SaveChangesAsync();
            ModelState.AddModelError("", Failure);
            return Page();
        }

        await AccountAudit.SignedInAsync(HttpContext, member, twoFactor: false);
        // A guest curator has one page; the inbox would only tell them "access denied".
        if (string.IsNullOrEmpty(ReturnUrl) && await HttpContext.RequestServices.GetRequiredService<UserManager<StaffMember>>().IsInRoleAsync(member, Roles.Curator))
        {
            return LocalRedirect("/curate");
        }

        return LocalRedirect(SafeReturnUrl(ReturnUrl));
    }

    /// <summary>429 with the page and a plain explanation; the address's window, not any account, is what is blocked.</summary>
    internal static IActionResult TooManyAttempts(PageModel page)
    {
        page.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        page.HttpContext.Response.Headers.RetryAfter = "900";
        page.ModelState.AddModelError("", "There have been too many failed sign-in attempts from your network. Wait 15 minutes and try again");
        return page.Page();
    }

    /// <summary>Only local paths: an open redirect after sign-in is a phishing aid.</summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl : "/inbox";

    public sealed class SignInInput
    {
        [Required(ErrorMessage = "Enter your email address")]
        [EmailAddress(ErrorMessage = "Enter an email address in the correct format, like name@example.gov.uk")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter your password")]
        public string Password { get; set; } = "";
    }
}

internal static class AccountAudit
{
    public static async Task SignedInAsync(HttpContext http, StaffMember member, bool twoFactor)
    {
        var audit = http.RequestServices.GetRequiredService<AuditLog>();
        audit.RecordAs(member.OrganisationId, member.Id, member.DisplayName, "staff.signed-in", "StaffMember", member.Id,
            after: new { twoFactor, ip = http.Connection.RemoteIpAddress?.ToString() });
        await http.RequestServices.GetRequiredService<Data.CivicDeskDb>().SaveChangesAsync();
    }
}
