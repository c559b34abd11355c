using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Account;

[AllowAnonymous]
public sealed class SignOutModel(SignInManager<StaffMember> signIn, AuditLog audit, CivicDeskDb db) : PageModel
{
    public void OnGet()
    {
    }

    // POST only (with the antiforgery token): a link or image cannot sign someone out.
    public async Task<IActionResult> OnPostAsync()
    {
        if (User.OrganisationId() is { } org)
        {
            audit.RecordAs(org, User.StaffId(), User.DisplayNameOf(), "staff.signed-out", "StaffMember", User.StaffId());
            await db.SaveChangesAsync();
        }

        await signIn.SignOutAsync();
        return RedirectToPage();
    }
}
