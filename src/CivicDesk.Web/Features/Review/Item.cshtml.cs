using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Review;

/// <summary>One review item: its text, history and (when the reviewer edited it) the difference; decide or resubmit.</summary>
[Authorize(Policy = Policies.Staff)]
public sealed class ItemModel(CivicDeskDb db, ReviewQueue queue) : PageModel
{
    public ReviewItem Item { get; private set; } = null!;
    public string? MentorName { get; private set; }
    public IReadOnlyList<ReviewEntry> History { get; private set; } = [];
    public IReadOnlyList<DiffSegment>? Diff { get; private set; }
    public IReviewHandler? Handler { get; private set; }
    public bool CanDecide { get; private set; }
    public bool IsAuthor { get; private set; }

    [BindProperty] public string? EditedText { get; set; }
    [BindProperty] public string? CoachingNote { get; set; }
    [BindProperty] public string? Text { get; set; }
    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostApproveAsync(long id, CancellationToken ct) =>
        await RespondAsync(id, await queue.ApproveAsync(id, null, ct), "Approved: it is on its way", ct);

    public async Task<IActionResult> OnPostApproveEditedAsync(long id, CancellationToken ct) =>
        await RespondAsync(id, await queue.ApproveAsync(id, EditedText, ct), "Approved with your edits: it is on its way", ct);

    public async Task<IActionResult> OnPostReturnAsync(long id, CancellationToken ct) =>
        await RespondAsync(id, await queue.ReturnAsync(id, CoachingNote, ct), "Returned to the trainee with your note", ct);

    public async Task<IActionResult> OnPostResubmitAsync(long id, CancellationToken ct) =>
        await RespondAsync(id, await queue.ResubmitAsync(id, Text, ct), "Sent for review again", ct);

    private async Task<IActionResult> RespondAsync(long id, ReviewResult result, string notice, CancellationToken ct)
    {
        switch (result.Outcome)
        {
            case ReviewOutcome.NotFound:
                return NotFound();
            case ReviewOutcome.Forbidden:
                return Forbid();
            case ReviewOutcome.Invalid:
                ModelState.AddModelError(result.Field ?? "", result.Error ?? "Check your answer");
                return await LoadAsync(id, ct) ? Page() : NotFound();
            default:
                Notice = notice;
                return Redirect($"/review/{id}");
        }
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var item = await db.ReviewItems.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        var me = User.StaffId();
        if (item is null)
        {
            return false;
        }

        IsAuthor = item.AuthorId == me;
        CanDecide = ReviewQueue.CanDecide(User, item);
        // Trainees see only their own items; other staff see the organisation's queue.
        if (!IsAuthor && ReviewQueue.MustBeReviewed(User))
        {
            return false;
        }

        Item = item;
        Handler = queue.Handler(item.Kind);
        MentorName = item.MentorId is null ? null : await db.Users.Where(u => u.Id == item.MentorId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct);
        History = await db.ReviewEntries.AsNoTracking().Where(e => e.ReviewItemId == id).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(ct);
        if (item.EditedByReviewer)
        {
            Diff = ReviewDiff.Compare(item.SubmittedText, item.ApprovedText!);
        }

        EditedText ??= item.SubmittedText;
        Text ??= item.SubmittedText;
        return true;
    }

    public static string ActionLabel(string action) => action switch
    {
        "submitted" => "Submitted for review",
        "resubmitted" => "Edited and resubmitted",
        "returned" => "Returned with a coaching note",
        "approved" => "Approved as written",
        "approved-with-edits" => "Approved with the reviewer's edits",
        _ => action,
    };
}
