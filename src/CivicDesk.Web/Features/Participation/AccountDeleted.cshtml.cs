using CivicDesk.Web.Features.Public;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Participation;

[AllowAnonymous]
[PublicOrganisation]
public sealed class AccountDeletedModel : PageModel
{
    public void OnGet()
    {
    }
}
