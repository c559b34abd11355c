using CivicDesk.Web.Features.Public;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Participation;

/// <summary>The one answer to a sign-in request, whatever the address.</summary>
[AllowAnonymous]
[PublicOrganisation]
public sealed class SignInSentModel : PageModel
{
    public void OnGet()
    {
    }
}
