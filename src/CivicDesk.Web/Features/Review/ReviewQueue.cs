using System.Security.Claims;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Review;

/// <summary>
/// Applies an approved review item for the feature that owns its <see cref="ReviewItem.Kind"/> (Inbox for replies,
/// Newsroom for posts…). Registered as scoped services; the queue calls them inside its transaction, so the
/// approval and the thing it releases commit together.
/// </summary>
public interface IReviewHandler
{
    string Kind { get; }

    /// <summary>What a reviewer calls it ("Reply", "News post").</summary>
    string Label { get; }

    /// <summary>Where staff open the thing reviewed.</summary>
    string Link(ReviewItem item);

    /// <summary>
    /// Releases the approved text (queue the reply, publish the post) on the caller's <c>CivicDeskDb</c> without
    /// committing a transaction of its own. Returns an error staff can act on when it cannot go out any more.
    /// </summary>
    Task<ReviewApplied> ApplyAsync(ReviewItem item, string approvedText, CancellationToken ct);
}

/// <summary>What a handler did; <see cref="AfterCommit"/> runs once the transaction has committed (wake a worker).</summary>
public sealed record ReviewApplied(string? Error = null, Action? AfterCommit = null)
{
    public static readonly ReviewApplied Done = new();

    public static ReviewApplied Failed(string error) => new(error);
}

public enum ReviewOutcome
{
    Done,
    NotFound,
    Forbidden,
    Invalid,
}

public sealed record ReviewResult(ReviewOutcome Outcome, string? Field = null, string? Error = null, long? ItemId = null)
{
    public static readonly ReviewResult NotFound = new(ReviewOutcome.NotFound);
    public static readonly ReviewResult Forbidden = new(ReviewOutcome.Forbidden);

    public static ReviewResult Invalid(string field, string error) => new(ReviewOutcome.Invalid, field, error);

    public static ReviewResult Done(long id) => new(ReviewOutcome.Done, ItemId: id);
}

/// <summary>What a feature hands to the queue instead of sending: the text and what it belongs to.</summary>
public sealed record ReviewSubmission(string Kind, string SubjectId, string Title, string Text);

/// <summary>
/// The trainee review queue. A trainee's reply or post becomes a <see cref="ReviewItem"/>; their mentor approves it
/// (as written, or edited: both texts are kept and the difference shown), or returns it with a coaching note; the
/// trainee edits and resubmits. Everyone else publishes directly (<see cref="MustBeReviewed"/>). Every step is an
/// audit event in the same transaction as the change.
/// </summary>
public sealed class ReviewQueue(
    CivicDeskDb db,
    AuditLog audit,
    IHttpContextAccessor http,
    IServiceProvider services,
    TimeProvider clock)
{
    /// <summary>A trainee's work waits for review; a trainee who also holds a publishing role is trusted by that role.</summary>
    public static bool MustBeReviewed(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Trainee) && !user.IsInRole(Roles.Agent) && !user.IsInRole(Roles.TeamLead)
        && !user.IsInRole(Roles.Comms) && !user.IsInRole(Roles.Admin);

    /// <summary>The reviewer may decide: the named mentor, or a team lead or admin (covers absence and trainees with no mentor); never the author.</summary>
    public static bool CanDecide(ClaimsPrincipal user, ReviewItem item) =>
        user.StaffId() is { } me && me != item.AuthorId && !MustBeReviewed(user)
        && (item.MentorId == me || user.IsInRole(Roles.TeamLead) || user.IsInRole(Roles.Admin));

    /// <summary>True when the signed-in member's replies and posts must wait for review.</summary>
    public bool CurrentUserMustBeReviewed => http.HttpContext?.User is { } user && MustBeReviewed(user);

    // Resolved when needed, not injected: the inbox's handler itself depends on the inbox's commands, which use this queue.
    public IReviewHandler? Handler(string kind) => services.GetServices<IReviewHandler>().FirstOrDefault(h => h.Kind == kind);

    private ClaimsPrincipal User => http.HttpContext?.User ?? throw new InvalidOperationException("No signed-in user.");

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Queues a trainee's text for review; saves it (with its audit event) and returns the item's id.</summary>
    public async Task<ReviewResult> SubmitAsync(ReviewSubmission submission, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var text = submission.Text.Trim();
        if (text.Length == 0)
        {
            return ReviewResult.Invalid("Text", "Enter the text to send for review");
        }

        if (text.Length > ReviewItem.MaxTextLength)
        {
            return ReviewResult.Invalid("Text", $"Text must be {ReviewItem.MaxTextLength} characters or fewer");
        }

        var staffId = User.StaffId() ?? throw new InvalidOperationException("The user has no staff id.");
        var mentor = await db.Users.Where(u => u.Id == staffId).Select(u => u.MentorId).SingleOrDefaultAsync(ct);
        var now = Now;
        var item = new ReviewItem
        {
            OrganisationId = db.CurrentOrganisationId ?? throw new InvalidOperationException("No organisation."),
            Kind = submission.Kind, SubjectId = submission.SubjectId, Title = Truncate(submission.Title, 200),
            AuthorId = staffId, AuthorName = User.DisplayNameOf(), MentorId = mentor, SubmittedText = text, SubmittedAt = now,
        };
        item.Entries.Add(Entry(item, "submitted", text, null, now));
        db.ReviewItems.Add(item);
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        audit.Record("review.submitted", "ReviewItem", item.Id, null, $"{submission.Kind} {submission.SubjectId}: {text.Length} characters");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ReviewResult.Done(item.Id);
    }

    /// <summary>The trainee edits a returned item and sends it back to the queue.</summary>
    public async Task<ReviewResult> ResubmitAsync(long id, string? text, CancellationToken ct)
    {
        var item = await db.ReviewItems.SingleOrDefaultAsync(r => r.Id == id, ct);
        if (item is null || item.AuthorId != User.StaffId())
        {
            return ReviewResult.NotFound;
        }

        if (item.Status != ReviewStatus.Returned)
        {
            return ReviewResult.Invalid("Text", "Only an item returned to you can be resubmitted");
        }

        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return ReviewResult.Invalid("Text", "Enter the text to send for review");
        }

        if (text.Length > ReviewItem.MaxTextLength)
        {
            return ReviewResult.Invalid("Text", $"Text must be {ReviewItem.MaxTextLength} characters or fewer");
        }

        var before = item.SubmittedText;
        item.SubmittedText = text;
        item.Status = ReviewStatus.Waiting;
        item.Round++;
        item.SubmittedAt = Now;
        // The mentor may have changed since the first submission.
        item.MentorId = await db.Users.Where(u => u.Id == item.AuthorId).Select(u => u.MentorId).SingleOrDefaultAsync(ct);
        db.ReviewEntries.Add(Entry(item, "resubmitted", text, null, Now));
        audit.Record("review.resubmitted", "ReviewItem", item.Id, before, text);
        await db.SaveChangesAsync(ct);
        return ReviewResult.Done(item.Id);
    }

    /// <summary>Approves as written (<paramref name="editedText"/> null or unchanged) or with the reviewer's edit; the handler releases it.</summary>
    public async Task<ReviewResult> ApproveAsync(long id, string? editedText, CancellationToken ct)
    {
        var item = await db.ReviewItems.SingleOrDefaultAsync(r => r.Id == id, ct);
        if (item is null)
        {
            return ReviewResult.NotFound;
        }

        if (!CanDecide(User, item))
        {
            return ReviewResult.Forbidden;
        }

        if (item.Status != ReviewStatus.Waiting)
        {
            return ReviewResult.Invalid("EditedText", item.Status == ReviewStatus.Approved ? "This item has already been approved" : "This item is back with its author");
        }

        var text = string.IsNullOrWhiteSpace(editedText) ? item.SubmittedText : editedText.Trim().ReplaceLineEndings("\n");
        if (text.Length > ReviewItem.MaxTextLength)
        {
            return ReviewResult.Invalid("EditedText", $"Text must be {ReviewItem.MaxTextLength} characters or fewer");
        }

        if (Handler(item.Kind) is not { } handler)
        {
            return ReviewResult.Invalid("EditedText", $"Nothing in this installation can send a {item.Kind}");
        }

        var edited = !string.Equals(text, item.SubmittedText.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        // Claim: only one reviewer's approval may release the item, even from two browsers at once.
        var claimed = await db.ReviewItems.Where(r => r.Id == id && r.Status == ReviewStatus.Waiting && r.Round == item.Round)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReviewStatus.Approved), ct);
        if (claimed == 0)
        {
            return ReviewResult.Invalid("EditedText", "Someone else decided this item a moment ago");
        }

        var applied = await handler.ApplyAsync(item, text, ct);
        if (applied.Error is not null)
        {
            await tx.RollbackAsync(ct);
            return ReviewResult.Invalid("EditedText", applied.Error);
        }

        var now = Now;
        item.Status = ReviewStatus.Approved;
        item.ApprovedText = edited ? text : item.SubmittedText;
        item.DecidedAt = now;
        item.DecidedById = User.StaffId();
        item.DecidedByName = User.DisplayNameOf();
        item.CoachingNote = null;
        db.ReviewEntries.Add(Entry(item, edited ? "approved-with-edits" : "approved", item.ApprovedText, null, now));
        audit.Record(edited ? "review.approved-with-edits" : "review.approved", "ReviewItem", item.Id,
            edited ? item.SubmittedText : null, edited ? text : $"{item.Kind} {item.SubjectId} released");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        applied.AfterCommit?.Invoke();
        return ReviewResult.Done(item.Id);
    }

    /// <summary>Sends the item back to its author with a coaching note.</summary>
    public async Task<ReviewResult> ReturnAsync(long id, string? note, CancellationToken ct)
    {
        var item = await db.ReviewItems.SingleOrDefaultAsync(r => r.Id == id, ct);
        if (item is null)
        {
            return ReviewResult.NotFound;
        }

        if (!CanDecide(User, item))
        {
            return ReviewResult.Forbidden;
        }

        note = note?.Trim();
        if (string.IsNullOrEmpty(note))
        {
            return ReviewResult.Invalid("CoachingNote", "Enter a coaching note that says what to change");
        }

        if (note.Length > ReviewItem.MaxNoteLength)
        {
            return ReviewResult.Invalid("CoachingNote", $"Coaching note must be {ReviewItem.MaxNoteLength} characters or fewer");
        }

        if (item.Status != ReviewStatus.Waiting)
        {
            return ReviewResult.Invalid("CoachingNote", "Only an item waiting for review can be returned");
        }

        var now = Now;
        item.Status = ReviewStatus.Returned;
        item.CoachingNote = note;
        item.DecidedAt = now;
        item.DecidedById = User.StaffId();
        item.DecidedByName = User.DisplayNameOf();
        db.ReviewEntries.Add(Entry(item, "returned", null, note, now));
        audit.Record("review.returned", "ReviewItem", item.Id, null, note);
        await db.SaveChangesAsync(ct);
        return ReviewResult.Done(item.Id);
    }

    private ReviewEntry Entry(ReviewItem item, string action, string? text, string? note, DateTime at) => new()
    {
        OrganisationId = item.OrganisationId, ReviewItemId = item.Id, Action = action, Text = text, Note = note,
        ActorId = User.StaffId(), ActorName = User.DisplayNameOf(), At = at,
    };

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
