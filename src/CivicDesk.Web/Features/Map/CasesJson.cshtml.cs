using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace CivicDesk.Web.Features.Map;

/// <summary>
/// The public map's data: a GeoJSON FeatureCollection (RFC 7946, [longitude, latitude]) of open, located, public
/// cases with rounded coordinates and no personal data.
/// </summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class CasesJsonModel(PublicOrganisationResolver organisations, PublicCases cases) : PageModel
{
    public async Task<IActionResult> OnGetAsync(string? service, CancellationToken ct)
    {
        var org = organisations.Current;
        var open = await cases.OpenAsync(org.Id, string.IsNullOrEmpty(service) ? null : service, ct);
        var features = open.Where(c => c.Latitude is not null && c.Longitude is not null).Select(c => new
        {
            type = "Feature",
            id = c.Reference,
            geometry = new { type = "Point", coordinates = new[] { c.Longitude!.Value, c.Latitude!.Value } },
            properties = new
            {
                reference = c.Reference,
                service = c.ServiceName,
                service_code = c.ServiceCode,
                status = c.Status.Label(),
                url = "/cases/public/" + c.Reference,
            },
        });
        Response.Headers.CacheControl = "public, max-age=30";
        return new JsonResult(new { type = "FeatureCollection", features }) { ContentType = "application/geo+json" };
    }
}
