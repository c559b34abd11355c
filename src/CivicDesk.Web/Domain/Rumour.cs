namespace CivicDesk.Web.Domain;

public enum RumourStatus
{
    Investigating,
    False,
    Misleading,
    True,
    Unverified,
}

/// <summary>A claim going round (a rumour), what we know about it, and — once published — our verdict.</summary>
public sealed class RumourClaim : IOrganisationOwned
{
    public const int MaxStatementLength = 500;
    public const int MaxNotesLength = 5000;
    public const int MaxFactsLength = 3000;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Statement { get; set; }
    public DateTime FirstSeenAt { get; set; }
    public RumourStatus Status { get; set; } = RumourStatus.Investigating;
    /// <summary>Staff-only: sources checked, who confirmed what.</summary>
    public string EvidenceNotes { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public required string CreatedByName { get; set; }
    public DateTime UpdatedAt { get; set; }

    // The published verdict: a "myths and facts" entry on the public page, and a rebuttal post.
    public RumourStatus? VerdictStatus { get; set; }
    public string? Facts { get; set; }
    public DateTime? VerdictPublishedAt { get; set; }
    public string? VerdictPublishedByName { get; set; }
    public string? RebuttalText { get; set; }
    public string RebuttalChannelIds { get; set; } = "";
    public string? RebuttalReference { get; set; }
}

public enum SightingState
{
    Attached,
    Dismissed,
}

/// <summary>
/// An inbound message that repeats a claim: attached by staff, or suggested and then accepted. A suggestion staff
/// dismissed is kept (state Dismissed) so it is not suggested again.
/// </summary>
public sealed class RumourSighting : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ClaimId { get; set; }
    public long MessageId { get; set; }
    public long ConversationId { get; set; }
    public long ChannelId { get; set; }
    public required string AuthorHandle { get; set; }
    /// <summary>When the author posted it.</summary>
    public DateTime SeenAt { get; set; }
    public SightingState State { get; set; } = SightingState.Attached;
    /// <summary>Why it was attached: "attached by Sam" or the suggestion's reason.</summary>
    public required string Reason { get; set; }
    public DateTime AddedAt { get; set; }
    public required string AddedByName { get; set; }
}

/// <summary>
/// One reply to one person who shared a claim, on their own channel. Unique per (claim, channel, author): nobody is
/// told twice, even when they shared the claim several times or staff press "send" again.
/// </summary>
public sealed class RumourReply : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ClaimId { get; set; }
    public long ChannelId { get; set; }
    public required string AuthorHandle { get; set; }
    public long ConversationId { get; set; }
    /// <summary>When the outbound queue may send it: replies are spaced out (rate limit).</summary>
    public DateTime SendAt { get; set; }
    public DateTime QueuedAt { get; set; }
    public required string QueuedByName { get; set; }
}
