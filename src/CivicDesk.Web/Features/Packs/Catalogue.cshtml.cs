using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Packs;

public sealed record CatalogueEntry(long Id, string Name, string? Description, string Contents, DateTime PublishedAt);

/// <summary>The public pack catalogue: the configuration packs this organisation shares, for other public bodies to download and import.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class CatalogueModel(PublicOrganisationResolver organisations, CivicDeskDb db) : PageModel
{
    public IReadOnlyList<CatalogueEntry> Packs { get; private set; } = [];
    public string OrganisationName { get; private set; } = "";

    public async Task OnGetAsync(CancellationToken ct)
    {
        var org = organisations.Current;
        OrganisationName = org.Name;
        Packs = await db.PublishedPacks.IgnoreQueryFilters().AsNoTracking()
            .Where(p => p.OrganisationId == org.Id && p.WithdrawnAt == null)
            .OrderByDescending(p => p.PublishedAt)
            .Select(p => new CatalogueEntry(p.Id, p.Name, p.Description, p.Contents, p.PublishedAt))
            .ToListAsync(ct);
    }

    /// <summary>The pack file exactly as published.</summary>
    public async Task<IActionResult> OnGetDownloadAsync(long id, CancellationToken ct)
    {
        var org = organisations.Current;
        var pack = await db.PublishedPacks.IgnoreQueryFilters().AsNoTracking()
            .Where(p => p.Id == id && p.OrganisationId == org.Id && p.WithdrawnAt == null)
            .Select(p => new { p.Json, p.PublishedAt }).SingleOrDefaultAsync(ct);
        if (pack is null)
        {
            return NotFound();
        }

        return File(System.Text.Encoding.UTF8.GetBytes(pack.Json), "application/json", $"civicdesk-pack-{id}-{pack.PublishedAt:yyyy-MM-dd}.json");
    }
}
