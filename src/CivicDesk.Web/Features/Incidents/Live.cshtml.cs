using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Incidents;

/// <summary>
/// The public live page. The whole page works without JavaScript; with it, htmx asks every few seconds for the live
/// part with the version the page shows, and the server answers 204 (nothing to swap) until something changed.
/// </summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
[OutputCache(PolicyName = PublicPageCache.Policy, VaryByQueryKeys = ["version"])]
public sealed class LiveModel(CivicDeskDb db, PublicOrganisationResolver organisations, PhotoStore photos, IOptions<IncidentOptions> options) : PageModel
{
    /// <summary>What the live part shows; <paramref name="ForSwap"/> adds the screen-reader announcement sent out of band to htmx.</summary>
    public sealed record LiveView(Incident Incident, IReadOnlyList<IncidentUpdate> Updates, string Zone, int RefreshSeconds, bool ForSwap = false);

    public LiveView View { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await LoadAsync(slug, ct) is not { } view)
        {
            return NotFound();
        }

        View = view;
        return Page();
    }

    /// <summary>The live part alone, for htmx; 204 when the page already shows <paramref name="version"/>.</summary>
    public async Task<IActionResult> OnGetLiveAsync(string slug, int? version, CancellationToken ct)
    {
        var org = organisations.Current;
        var current = await db.Incidents.IgnoreQueryFilters().Where(i => i.OrganisationId == org.Id && i.Slug == slug)
            .Select(i => (int?)i.Version).SingleOrDefaultAsync(ct);
        if (current is null)
        {
            return NotFound();
        }

        Response.Headers.CacheControl = "no-store";
        if (version == current)
        {
            return StatusCode(StatusCodes.Status204NoContent);
        }

        return Partial("_Live", (await LoadAsync(slug, ct))! with { ForSwap = true });
    }

    /// <summary>A photo on one of this incident's updates; nothing else in the photo store is reachable this way.</summary>
    public async Task<IActionResult> OnGetPhotoAsync(string slug, Guid photoId, CancellationToken ct)
    {
        var org = organisations.Current;
        var known = await db.IncidentUpdates.IgnoreQueryFilters()
            .Where(u => u.OrganisationId == org.Id && u.PhotoId == photoId)
            .Join(db.Incidents.IgnoreQueryFilters().Where(i => i.Slug == slug && i.OrganisationId == org.Id), u => u.IncidentId, i => i.Id, (u, i) => u.Id)
            .AnyAsync(ct);
        if (!known || photos.Find(org.Id, photoId) is not { } found)
        {
            return NotFound();
        }

        Response.Headers.CacheControl = "public, max-age=3600";
        return PhysicalFile(found.Path, found.Kind.ContentType);
    }

    private async Task<LiveView?> LoadAsync(string slug, CancellationToken ct)
    {
        var org = organisations.Current;
        var incident = await db.Incidents.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(i => i.OrganisationId == org.Id && i.Slug == slug, ct);
        if (incident is null)
        {
            return null;
        }

        var updates = await db.IncidentUpdates.IgnoreQueryFilters().AsNoTracking()
            .Where(u => u.IncidentId == incident.Id).OrderByDescending(u => u.PostedAt).ThenByDescending(u => u.Id).ToListAsync(ct);
        return new LiveView(incident, updates, org.TimeZoneId, options.Value.LiveRefreshSeconds);
    }
}
