using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Review;

/// <summary>
/// The review queue. Reviewers see what waits for them (a team lead or admin also sees items with no mentor named
/// and every waiting item); a trainee sees their own items, returned ones first with the coaching note.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class IndexModel(CivicDeskDb db, ReviewQueue queue) : PageModel
{
    public sealed record Row(long Id, string Kind, string Title, string AuthorName, string? MentorName, ReviewStatus Status, string Text,
        string? CoachingNote, int Round, DateTime SubmittedAt, DateTime? DecidedAt, string? DecidedByName, bool Edited);

    public bool IsTrainee { get; private set; }
    public IReadOnlyList<Row> ForMe { get; private set; } = [];
    public IReadOnlyList<Row> Others { get; private set; } = [];
    public IReadOnlyList<Row> Mine { get; private set; } = [];

    public string KindLabel(string kind) => queue.Handler(kind)?.Label ?? kind;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var me = User.StaffId()!;
        IsTrainee = ReviewQueue.MustBeReviewed(User);
        var names = await db.Users.AsNoTracking().Select(u => new { u.Id, u.DisplayName }).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        Row ToRow(ReviewItem r) => new(r.Id, r.Kind, r.Title, r.AuthorName, r.MentorId is { } m && names.TryGetValue(m, out var n) ? n : null,
            r.Status, r.SubmittedText, r.CoachingNote, r.Round, r.SubmittedAt, r.DecidedAt, r.DecidedByName, r.EditedByReviewer);

        var mine = await db.ReviewItems.AsNoTracking().Where(r => r.AuthorId == me).OrderByDescending(r => r.SubmittedAt).Take(100).ToListAsync(ct);
        Mine = mine.OrderBy(r => r.Status switch { ReviewStatus.Returned => 0, ReviewStatus.Waiting => 1, _ => 2 }).Select(ToRow).ToList();
        if (IsTrainee)
        {
            return;
        }

        ForMe = (await db.ReviewItems.AsNoTracking().Where(r => r.Status == ReviewStatus.Waiting && r.MentorId == me)
            .OrderBy(r => r.SubmittedAt).Take(200).ToListAsync(ct)).Select(ToRow).ToList();
        if (User.IsInRole(Roles.TeamLead) || User.IsInRole(Roles.Admin))
        {
            Others = (await db.ReviewItems.AsNoTracking().Where(r => r.Status == ReviewStatus.Waiting && (r.MentorId == null || r.MentorId != me) && r.AuthorId != me)
                .OrderBy(r => r.SubmittedAt).Take(200).ToListAsync(ct)).Select(ToRow).ToList();
        }
    }

    public static string When(DateTime at) => at.ToString("d MMM yyyy HH:mm", System.Globalization.CultureInfo.GetCultureInfo("en-GB"));

    public static (string Label, string Css) StatusTag(ReviewStatus status) => status switch
    {
        ReviewStatus.Waiting => ("Waiting for review", "govuk-tag--yellow"),
        ReviewStatus.Returned => ("Returned to you", "govuk-tag--orange"),
        _ => ("Approved", "govuk-tag--green"),
    };
}
