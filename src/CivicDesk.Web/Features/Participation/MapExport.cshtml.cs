using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

/// <summary>
/// A mapping project's verified features as open data: features.geojson (RFC 7946; the ids and attributes as stored,
/// nothing about who added them) and features.csv. Re-importing the GeoJSON into a project gives the same file back.
/// </summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class MapExportModel(CivicDeskDb db, MapProjects maps) : PageModel
{
    public async Task<IActionResult> OnGetAsync(string slug, string file, CancellationToken ct)
    {
        var project = await db.MapProjects.AsNoTracking().FirstOrDefaultAsync(p => p.Slug == slug, ct);
        if (project is null || file is not ("features.geojson" or "features.csv"))
        {
            return NotFound();
        }

        var features = await maps.VerifiedAsync(project.Id, ct);
        return file == "features.geojson"
            ? File(Encoding.UTF8.GetBytes(MapGeoJson.Write(features)), "application/geo+json", $"{slug}.geojson")
            : File(Encoding.UTF8.GetBytes(MapProjects.Csv(project, features)), "text/csv; charset=utf-8", $"{slug}.csv");
    }
}
