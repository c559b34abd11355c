using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Rumours;

/// <summary>Public "myths and facts": every claim with a published verdict, newest first. Nothing unpublished shows.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class MythsAndFactsModel(CivicDeskDb db, PublicOrganisationResolver organisations) : PageModel
{
    public sealed record Entry(long Id, string Statement, RumourStatus Verdict, string Facts, DateTime PublishedAt);

    public IReadOnlyList<Entry> Entries { get; private set; } = [];
    public string Zone => organisations.Current.TimeZoneId;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var org = organisations.Current;
        Entries = await db.RumourClaims.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.OrganisationId == org.Id && c.VerdictPublishedAt != null && c.VerdictStatus != null && c.Facts != null)
            .OrderByDescending(c => c.VerdictPublishedAt)
            .Select(c => new Entry(c.Id, c.Statement, c.VerdictStatus!.Value, c.Facts!, c.VerdictPublishedAt!.Value))
            .Take(200).ToListAsync(ct);
    }
}
