using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Public;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

public sealed record CommentRow(long Id, long? ParentId, string Text, ContributionState State, string? HiddenReason, string Author, DateTime CreatedAt, bool Mine);

/// <summary>One idea: its text, pin, photo, supporters and comments (one level of replies); support, comment, report.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(ParticipationFeature.ContributeRateLimit)]
public sealed class IdeaPageModel(CivicDeskDb db, CitizenSession session, ChallengeService service, PhotoStore photos) : PageModel
{
    // "new": PageModel has a Challenge() method (authentication challenge); this page is about a consultation challenge.
    public new Challenge Challenge { get; private set; } = null!;
    public IdeaRow Idea { get; private set; } = null!;
    public double? Latitude { get; private set; }
    public double? Longitude { get; private set; }
    public bool HasPhoto { get; private set; }
    public IReadOnlyList<CommentRow> Comments { get; private set; } = [];
    public CitizenAccount? Citizen { get; private set; }
    public DateTime Now { get; private set; }
    [BindProperty] public string? CommentText { get; set; }
    [BindProperty] public long? ParentId { get; set; }
    [BindProperty] public string? ReportReason { get; set; }
    [BindProperty] public long? ReportCommentId { get; set; }
    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(string slug, long id, CancellationToken ct) =>
        await LoadAsync(slug, id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostSupportAsync(string slug, long id, CancellationToken ct)
    {
        if (!await LoadAsync(slug, id, ct)) return NotFound();
        if (Citizen is null) return SignIn(slug, id);
        if (!Challenge.AcceptsSupports(Now) || Idea.State != ContributionState.Visible)
        {
            Notice = "Supports are closed for this idea.";
            return Redirect(Here(slug, id));
        }

        var added = await service.SupportAsync(Challenge.OrganisationId, id, Citizen.Id, ct);
        Notice = added ? "Thank you: you support this idea." : "You already support this idea.";
        return Redirect(Here(slug, id));
    }

    public async Task<IActionResult> OnPostWithdrawAsync(string slug, long id, CancellationToken ct)
    {
        if (!await LoadAsync(slug, id, ct)) return NotFound();
        if (Citizen is null) return SignIn(slug, id);
        await service.WithdrawSupportAsync(id, Citizen.Id, ct);
        Notice = "You no longer support this idea.";
        return Redirect(Here(slug, id));
    }

    public async Task<IActionResult> OnPostCommentAsync(string slug, long id, CancellationToken ct)
    {
        if (!await LoadAsync(slug, id, ct)) return NotFound();
        if (Citizen is null) return SignIn(slug, id);
        var text = CommentText?.Trim() ?? "";
        if (!Challenge.AcceptsComments(Now) || Idea.State != ContributionState.Visible)
        {
            ModelState.AddModelError(nameof(CommentText), "Comments are closed for this idea");
        }
        else if (text.Length == 0)
        {
            ModelState.AddModelError(nameof(CommentText), "Enter your comment");
        }
        else if (text.Length > 2000)
        {
            ModelState.AddModelError(nameof(CommentText), "Your comment must be 2,000 characters or fewer");
        }

        // One level deep: a reply answers a top-level comment of this idea.
        if (ParentId is { } parent && !Comments.Any(c => c.Id == parent && c.ParentId == null))
        {
            ModelState.AddModelError(nameof(CommentText), "You can reply only to a comment on this idea");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        db.IdeaComments.Add(new IdeaComment
        {
            OrganisationId = Challenge.OrganisationId,
            IdeaId = id,
            ParentCommentId = ParentId,
            CitizenAccountId = Citizen.Id,
            Text = text,
            State = Challenge.Moderation == ModerationMode.Pre ? ContributionState.Pending : ContributionState.Visible,
            CreatedAt = Now,
        });
        await db.SaveChangesAsync(ct);
        Notice = Challenge.Moderation == ModerationMode.Pre ? "Thank you: your comment will appear when a moderator has checked it." : "Your comment has been posted.";
        return Redirect(Here(slug, id) + "#comments");
    }

    public async Task<IActionResult> OnPostReportAsync(string slug, long id, CancellationToken ct)
    {
        if (!await LoadAsync(slug, id, ct)) return NotFound();
        if (Citizen is null) return SignIn(slug, id);
        if (HouseRules.Find(ReportReason) is null)
        {
            Notice = "Choose which house rule it breaks.";
            return Redirect(Here(slug, id));
        }

        if (ReportCommentId is { } commentId && Comments.All(c => c.Id != commentId))
        {
            return NotFound();
        }

        db.ContentReports.Add(new ContentReport
        {
            OrganisationId = Challenge.OrganisationId,
            IdeaId = ReportCommentId is null ? id : null,
            CommentId = ReportCommentId,
            CitizenAccountId = Citizen.Id,
            Reason = ReportReason!,
            CreatedAt = Now,
        });
        await db.SaveChangesAsync(ct);
        Notice = "Thank you: a moderator will look at it.";
        return Redirect(Here(slug, id));
    }

    public async Task<IActionResult> OnGetPhotoAsync(string slug, long id, CancellationToken ct)
    {
        if (!await LoadAsync(slug, id, ct) || Idea.State != ContributionState.Visible) return NotFound();
        var file = await db.Ideas.Where(i => i.Id == id).Select(i => i.PhotoFile).FirstOrDefaultAsync(ct);
        if (file is null || !Guid.TryParseExact(file, "N", out var guid) || photos.Find(Challenge.OrganisationId, guid) is not { } found)
        {
            return NotFound();
        }

        return PhysicalFile(found.Path, found.Kind.ContentType);
    }

    private static string Here(string slug, long id) => $"/participate/{slug}/ideas/{id}";

    private RedirectResult SignIn(string slug, long id) => Redirect("/participate/sign-in?returnUrl=" + Uri.EscapeDataString(Here(slug, id)));

    private async Task<bool> LoadAsync(string slug, long id, CancellationToken ct)
    {
        Now = service.Now;
        var now = Now;
        if (await db.Challenges.AsNoTracking().FirstOrDefaultAsync(c => c.Slug == slug && c.OpensAt != null && c.OpensAt <= now, ct) is not { } challenge)
        {
            return false;
        }

        Challenge = challenge;
        Citizen = await session.CurrentAsync(ct);
        var me = Citizen?.Id;
        if (await ChallengePageModel.IdeaRows(db, challenge.Id, me, ideaId: id).FirstOrDefaultAsync(ct) is not { } idea)
        {
            return false;
        }

        Idea = idea;
        var place = await db.Ideas.AsNoTracking().Where(i => i.Id == id).Select(i => new { i.Latitude, i.Longitude, i.PhotoFile }).FirstAsync(ct);
        (Latitude, Longitude, HasPhoto) = (place.Latitude, place.Longitude, place.PhotoFile != null);
        Comments = await db.IdeaComments.AsNoTracking()
            .Where(c => c.IdeaId == id && (c.State == ContributionState.Visible || c.State == ContributionState.Hidden || c.State == ContributionState.Removed
                                           || (c.State == ContributionState.Pending && me != null && c.CitizenAccountId == me)))
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id)
            .Select(c => new CommentRow(c.Id, c.ParentCommentId, c.Text, c.State, c.HiddenReason,
                db.CitizenAccounts.Where(a => a.Id == c.CitizenAccountId).Select(a => a.DisplayName).FirstOrDefault() ?? "deleted account",
                c.CreatedAt, me != null && c.CitizenAccountId == me))
            .ToListAsync(ct);
        return true;
    }
}
