using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Newsroom;

/// <summary>One public post: sanitised HTML from its Markdown, images with alt text, "last updated" and the change log; a withdrawn post says so.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class PostModel(CivicDeskDb db, PublicOrganisationResolver organisation, TimeProvider clock) : PageModel
{
    public NewsPost Post { get; private set; } = null!;
    public string Html { get; private set; } = "";
    public IReadOnlyList<(long Id, string AltText)> Images { get; private set; } = [];
    public IReadOnlyList<NewsPostChange> Changes { get; private set; } = [];
    public bool Withdrawn => Post.Status == NewsPostStatus.Withdrawn;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var orgId = organisation.Current.Id;
        var posts = db.NewsPosts.AsNoTracking().Where(p => p.OrganisationId == orgId && p.Slug == slug);
        var post = await NewsService.Public(posts, now).SingleOrDefaultAsync(ct)
            ?? await posts.SingleOrDefaultAsync(p => p.Status == NewsPostStatus.Withdrawn && p.PublishedAt != null && p.PublishedAt <= now, ct);
        if (post is null)
        {
            return NotFound();
        }

        Post = post;
        Html = Withdrawn ? "" : NewsMarkdown.ToHtml(post.BodyMarkdown);
        Images = Withdrawn ? [] : (await db.NewsPostImages.AsNoTracking().Where(i => i.NewsPostId == post.Id).OrderBy(i => i.Position)
            .Select(i => new { i.Id, i.AltText }).ToListAsync(ct)).Select(i => (i.Id, i.AltText)).ToList();
        Changes = await db.NewsPostChanges.AsNoTracking().Where(c => c.NewsPostId == post.Id).OrderByDescending(c => c.At).ToListAsync(ct);
        return Page();
    }
}
