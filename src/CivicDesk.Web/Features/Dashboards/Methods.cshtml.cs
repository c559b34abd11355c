using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>The published methods: how dashboard figures, emerging issues, channel shift and the engagement index are made. Public on purpose.</summary>
[AllowAnonymous]
public sealed class MethodsModel : PageModel
{
    public void OnGet()
    {
    }
}
