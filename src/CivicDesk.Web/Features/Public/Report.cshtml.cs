using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Public;

/// <summary>The report form. It posts to <see cref="ReportSendModel"/>.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class ReportModel(IOptions<PublicOptions> options) : ReportFormPage(options)
{
    public void OnGet()
    {
    }
}
