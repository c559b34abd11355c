using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Newsroom;

/// <summary>The staff newsroom list: every post with its status, newest change first.</summary>
[Authorize(Policy = Policies.Newsroom)]
public sealed class StaffModel(CivicDeskDb db, TimeProvider clock) : PageModel
{
    public sealed record Row(long Id, string Title, string Slug, NewsPostStatus Status, DateTime UpdatedAt, DateTime? PublishedAt, string AuthorName);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public DateTime Now { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Now = clock.GetUtcNow().UtcDateTime;
        Rows = await db.NewsPosts.AsNoTracking().OrderByDescending(p => p.UpdatedAt).Take(200)
            .Select(p => new Row(p.Id, p.Title, p.Slug, p.Status, p.UpdatedAt, p.PublishedAt, p.AuthorName)).ToListAsync(ct);
    }

    /// <summary>A scheduled post whose embargo has passed is published: say so.</summary>
    public static (string Label, string Css) Tag(NewsPostStatus status, DateTime? publishedAt, DateTime now) => status switch
    {
        NewsPostStatus.Draft => ("Draft", "govuk-tag--grey"),
        NewsPostStatus.InReview => ("In review", "govuk-tag--yellow"),
        NewsPostStatus.Scheduled when publishedAt <= now => ("Published", "govuk-tag--green"),
        NewsPostStatus.Scheduled => ("Scheduled", "govuk-tag--blue"),
        NewsPostStatus.Published => ("Published", "govuk-tag--green"),
        _ => ("Withdrawn", "govuk-tag--red"),
    };
}
