using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Map;

/// <summary>
/// The public map of reported problems. The server-rendered list is the page; the Leaflet map (case-map.js, fed by
/// /map/cases.json) is an enhancement on top, so no JavaScript or no tiles still leaves a working page.
/// </summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
[OutputCache(PolicyName = PublicPageCache.Policy, VaryByQueryKeys = ["service"], Tags = [PublicPageCache.MapTag])]
public sealed class IndexModel(PublicOrganisationResolver organisations, PublicCases cases, IOptions<MapOptions> options) : PageModel
{
    public IReadOnlyList<PublicCase> Cases { get; private set; } = [];
    public IReadOnlyList<PublicService> Services { get; private set; } = [];
    public string? Service { get; private set; }
    public MapOptions Map => options.Value;
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public async Task OnGetAsync(string? service, CancellationToken ct)
    {
        var org = organisations.Current;
        Zone = InboxText.Zone(org.TimeZoneId);
        Services = await cases.ServicesAsync(org.Id, ct);
        Service = Services.Any(s => s.Code == service) ? service : null;
        Cases = await cases.OpenAsync(org.Id, Service, ct);
    }

    public string When(DateTime utc) => InboxText.When(utc, Zone);
}
