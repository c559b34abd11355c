using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Newsroom;

/// <summary>The public newsroom: published posts, newest first, filtered by tag and searched by words.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class IndexModel(CivicDeskDb db, PublicOrganisationResolver organisation, TimeProvider clock) : PageModel
{
    public const int PageSize = 20;

    public sealed record Row(string Slug, string Title, string Summary, DateTime PublishedAt, IReadOnlyList<string> Tags);

    [BindProperty(SupportsGet = true)] public string? Tag { get; set; }
    [BindProperty(SupportsGet = true, Name = "q")] public string? Query { get; set; }
    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public IReadOnlyList<string> AllTags { get; private set; } = [];
    public int Total { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var orgId = organisation.Current.Id;
        var posts = NewsService.Public(db.NewsPosts.AsNoTracking().Where(p => p.OrganisationId == orgId), now);
        AllTags = (await posts.Select(p => p.Tags).ToListAsync(ct))
            .SelectMany(t => t.Split('|', StringSplitOptions.RemoveEmptyEntries)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (!string.IsNullOrWhiteSpace(Tag))
        {
            var marker = $"|{NewsService.NormaliseTag(Tag)}|";
            posts = posts.Where(p => p.Tags.Contains(marker));
        }

        if (!string.IsNullOrWhiteSpace(Query))
        {
            foreach (var word in Query.Trim().ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(8))
            {
                // LIKE on lower-cased text is case-insensitive on SQLite and PostgreSQL alike; the reader's % and _ are literal.
                var pattern = "%" + word.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
                posts = posts.Where(p => EF.Functions.Like(p.Title.ToLower(), pattern, "\\") || EF.Functions.Like(p.Summary.ToLower(), pattern, "\\")
                    || EF.Functions.Like(p.BodyMarkdown.ToLower(), pattern, "\\"));
            }
        }

        Total = await posts.CountAsync(ct);
        PageNumber = Math.Max(1, PageNumber);
        var rows = await posts.OrderByDescending(p => p.PublishedAt).Skip((PageNumber - 1) * PageSize).Take(PageSize)
            .Select(p => new { p.Slug, p.Title, p.Summary, p.PublishedAt, p.Tags }).ToListAsync(ct);
        Rows = rows.Select(r => new Row(r.Slug, r.Title, r.Summary, r.PublishedAt!.Value, r.Tags.Split('|', StringSplitOptions.RemoveEmptyEntries))).ToList();
    }

    public static string Date(DateTime utc) => utc.ToString("d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB"));
}
