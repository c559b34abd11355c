using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Features.Review;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Newsroom;

public static class NewsroomFeature
{
    public const int FeedSize = 50;

    public static WebApplicationBuilder AddNewsroomFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<NewsService>();
        builder.Services.AddScoped<IReviewHandler, NewsReviewHandler>();
        return builder;
    }

    /// <summary>Public feeds (whole newsroom and per tag) and post images. Pages are Razor Pages under /news.</summary>
    public static IEndpointRouteBuilder MapNewsroom(this IEndpointRouteBuilder app)
    {
        var news = app.MapGroup("/news").AllowAnonymous().WithTags("Newsroom");
        news.MapGet("/feed.{format}", (string format, HttpContext http, CancellationToken ct) => FeedAsync(format, null, http, ct));
        news.MapGet("/tags/{tag}/feed.{format}", (string tag, string format, HttpContext http, CancellationToken ct) => FeedAsync(format, tag, http, ct));
        news.MapGet("/images/{id:long}", ImageAsync);
        return app;
    }

    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static async Task<IResult> FeedAsync(string format, string? tag, HttpContext http, CancellationToken ct)
    {
        var services = http.RequestServices;
        var org = await services.GetRequiredService<PublicOrganisationResolver>().ResolveAsync(ct);
        if (org is null)
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        services.GetRequiredService<OrganisationContext>().Set(org.Id);
        var db = services.GetRequiredService<CivicDeskDb>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var baseUrl = BaseUrl(http.Request);
        tag = tag is null ? null : NewsService.NormaliseTag(tag);
        var entries = await EntriesAsync(db, org.Id, now, tag, baseUrl, FeedSize, ct);
        var root = tag is null ? $"{baseUrl}/news" : $"{baseUrl}/news/tags/{Uri.EscapeDataString(tag)}";
        var info = new FeedInfo(tag is null ? $"{org.Name}: news" : $"{org.Name}: news tagged {tag}",
            tag is null ? $"{baseUrl}/news" : $"{baseUrl}/news?tag={Uri.EscapeDataString(tag)}",
            $"{root}/feed.atom", $"{root}/feed.rss", $"{root}/feed.json", org.Name);
        return format switch
        {
            "atom" => Results.Text(NewsFeeds.Atom(info, entries), "application/atom+xml; charset=utf-8"),
            "rss" => Results.Text(NewsFeeds.Rss(info, entries), "application/rss+xml; charset=utf-8"),
            "json" => Results.Text(NewsFeeds.Json(info, entries), "application/feed+json; charset=utf-8"),
            _ => Results.NotFound(),
        };
    }

    /// <summary>The newest public posts as feed entries (optionally one tag): published, past embargo, not withdrawn.</summary>
    public static async Task<IReadOnlyList<FeedEntry>> EntriesAsync(CivicDeskDb db, long organisationId, DateTime now, string? tag, string baseUrl, int take, CancellationToken ct)
    {
        var posts = NewsService.Public(db.NewsPosts.AsNoTracking().Where(p => p.OrganisationId == organisationId), now);
        if (tag is not null)
        {
            var marker = $"|{tag}|";
            posts = posts.Where(p => p.Tags.Contains(marker));
        }

        var rows = await posts.OrderByDescending(p => p.PublishedAt).Take(take)
            .Select(p => new
            {
                p.Id, p.Slug, p.Title, p.Summary, p.BodyMarkdown, p.Tags, p.PublishedAt, p.UpdatedAt,
                Image = p.Images.OrderBy(i => i.Position).Select(i => new { i.Id, i.ContentType, Length = (long)i.Data.Length, i.AltText }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        return rows.Select(p => new FeedEntry(NewsService.PublicUrl(baseUrl, p.Slug), p.Title, p.Summary, NewsMarkdown.ToHtml(p.BodyMarkdown),
            p.PublishedAt!.Value, p.UpdatedAt > p.PublishedAt.Value ? p.UpdatedAt : p.PublishedAt.Value,
            p.Tags.Split('|', StringSplitOptions.RemoveEmptyEntries),
            p.Image is null ? null : new FeedEnclosure($"{baseUrl}/news/images/{p.Image.Id}", p.Image.ContentType, p.Image.Length, p.Image.AltText))).ToList();
    }

    private static async Task<IResult> ImageAsync(long id, HttpContext http, CancellationToken ct)
    {
        var services = http.RequestServices;
        var org = await services.GetRequiredService<PublicOrganisationResolver>().ResolveAsync(ct);
        if (org is null)
        {
            return Results.NotFound();
        }

        services.GetRequiredService<OrganisationContext>().Set(org.Id);
        var db = services.GetRequiredService<CivicDeskDb>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var image = await db.NewsPostImages.AsNoTracking().Where(i => i.Id == id && i.OrganisationId == org.Id)
            .Where(i => NewsService.Public(db.NewsPosts, now).Any(p => p.Id == i.NewsPostId)
                || db.NewsPosts.Any(p => p.Id == i.NewsPostId && p.Status == NewsPostStatus.Withdrawn && p.PublishedAt != null && p.PublishedAt <= now))
            .Select(i => new { i.Data, i.ContentType }).FirstOrDefaultAsync(ct);
        if (image is null)
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = "public, max-age=3600";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Bytes(image.Data, image.ContentType);
    }
}
