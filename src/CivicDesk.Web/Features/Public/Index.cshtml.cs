using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.RateLimiting;

namespace CivicDesk.Web.Features.Public;

/// <summary>The GOV.UK start page for the citizen service.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
[OutputCache(PolicyName = PublicPageCache.Policy)]
public sealed class IndexModel(PublicOrganisationResolver organisations) : PageModel
{
    public PublicOrganisation Organisation { get; private set; } = null!;

    public void OnGet() => Organisation = organisations.Current;
}
