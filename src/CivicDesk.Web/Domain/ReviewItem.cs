namespace CivicDesk.Web.Domain;

public enum ReviewStatus
{
    /// <summary>Submitted by a trainee; waits for their mentor (or, with no mentor named, any team lead or admin).</summary>
    Waiting,
    /// <summary>Sent back with a coaching note; the trainee may edit and resubmit.</summary>
    Returned,
    /// <summary>Approved (as written or edited by the reviewer) and handed to its feature to go out.</summary>
    Approved,
}

/// <summary>
/// Something a trainee wrote that goes out only after review: an inbox reply, a news post, a publication. The owning
/// feature knows what <see cref="Kind"/> and <see cref="SubjectId"/> mean and applies the approved text; the queue
/// keeps the texts (what the trainee wrote, what the reviewer changed) and every step in <see cref="Entries"/>.
/// </summary>
public sealed class ReviewItem : IOrganisationOwned
{
    public const int MaxTextLength = 20_000;
    public const int MaxNoteLength = 2_000;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>Which feature applies it: "reply", "news-post", "publication"…</summary>
    public required string Kind { get; set; }
    /// <summary>The feature's id for the thing reviewed (a conversation id for a reply, a post id for a news post).</summary>
    public required string SubjectId { get; set; }
    /// <summary>A short description for the queue ("Reply to CD-2026-0001").</summary>
    public required string Title { get; set; }
    public required string AuthorId { get; set; }
    public required string AuthorName { get; set; }
    /// <summary>The trainee's mentor when it was submitted; null: no mentor named, any team lead or admin may decide.</summary>
    public string? MentorId { get; set; }
    public ReviewStatus Status { get; set; } = ReviewStatus.Waiting;
    /// <summary>The trainee's latest text.</summary>
    public required string SubmittedText { get; set; }
    /// <summary>What went out: the submitted text, or the reviewer's edit of it.</summary>
    public string? ApprovedText { get; set; }
    /// <summary>The latest coaching note (returned items).</summary>
    public string? CoachingNote { get; set; }
    /// <summary>1 for the first submission, +1 for each resubmission.</summary>
    public int Round { get; set; } = 1;
    public DateTime SubmittedAt { get; set; }
    public DateTime? DecidedAt { get; set; }
    public string? DecidedById { get; set; }
    public string? DecidedByName { get; set; }
    public List<ReviewEntry> Entries { get; set; } = [];

    /// <summary>True when the reviewer changed the text before approving (the diff is shown from both texts).</summary>
    public bool EditedByReviewer => ApprovedText is not null && !string.Equals(ApprovedText, SubmittedText, StringComparison.Ordinal);
}

/// <summary>One step of a review: submitted, returned (with its note), resubmitted, approved (with the text that went out).</summary>
public sealed class ReviewEntry : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ReviewItemId { get; set; }
    public required string Action { get; set; }
    public string? Text { get; set; }
    public string? Note { get; set; }
    public string? ActorId { get; set; }
    public required string ActorName { get; set; }
    public DateTime At { get; set; }
}
