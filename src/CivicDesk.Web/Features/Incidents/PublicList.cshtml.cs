using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Incidents;

/// <summary>Public list: active incidents, and those stood down in the last 90 days.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
[OutputCache(PolicyName = PublicPageCache.Policy)]
public sealed class PublicListModel(CivicDeskDb db, PublicOrganisationResolver organisations, TimeProvider clock) : PageModel
{
    public sealed record Row(string Title, string Slug, IncidentStatus Status, DateTime DeclaredAt, DateTime? StoodDownAt);

    public IReadOnlyList<Row> Incidents { get; private set; } = [];
    public string Zone => organisations.Current.TimeZoneId;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var org = organisations.Current;
        var since = clock.GetUtcNow().UtcDateTime.AddDays(-90);
        Incidents = await db.Incidents.IgnoreQueryFilters().AsNoTracking()
            .Where(i => i.OrganisationId == org.Id && (i.Status == IncidentStatus.Active || i.StoodDownAt >= since))
            .OrderBy(i => i.Status).ThenByDescending(i => i.DeclaredAt)
            .Select(i => new Row(i.Title, i.Slug, i.Status, i.DeclaredAt, i.StoodDownAt)).Take(100).ToListAsync(ct);
    }
}
