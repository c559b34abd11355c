using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Account;

[AllowAnonymous]
public sealed class SignInModel(SignInManager<StaffMember> signIn, UserManager<StaffMember> users, AuditLog audit) : PageModel
{
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

        var member = await users.FindByEmailAsync(Input.Email);
        if (member is null || !member.IsActive)
        {
            ModelState.AddModelError("", "Enter a correct email address and password");
            return Page();
        }

        var result = await signIn.PasswordSignInAsync(member, Input.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("/Account/SignInTwoFactor", new { ReturnUrl });
        }

        if (result.IsLockedOut)
        {
            audit.RecordAs(member.OrganisationId, member.Id, member.DisplayName, "staff.locked-out", "StaffMember", member.Id);
            await HttpContext.RequestServices.GetRequiredService<Data.CivicDeskDb>().SaveChangesAsync();
            ModelState.AddModelError("", "Your account is locked after too many failed attempts. Try again in 15 minutes.");
            return Page();
        }

        if (!result.Succeeded)
        {
            audit.RecordAs(member.OrganisationId, member.Id, member.DisplayName, "staff.sign-in-failed", "StaffMember", member.Id);
            await HttpContext.RequestServices.GetRequiredService<Data.CivicDeskDb>().SaveChangesAsync();
            ModelState.AddModelError("", "Enter a correct email address and password");
            return Page();
        }

        await AccountAudit.SignedInAsync(HttpContext, member, twoFactor: false);
        return LocalRedirect(SafeReturnUrl(ReturnUrl));
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
