namespace CivicDesk.Web.Domain;

public enum PublicationStatus
{
    /// <summary>A trainee's publication waiting in the review queue; nothing is delivered until it is approved.</summary>
    AwaitingReview,
    /// <summary>Deliveries are waiting for their due time or being delivered.</summary>
    Scheduled,
    /// <summary>Every delivery succeeded.</summary>
    Published,
    /// <summary>Some deliveries succeeded and some failed; the failures can be retried.</summary>
    PartlyFailed,
    /// <summary>Every delivery failed.</summary>
    Failed,
    /// <summary>Withdrawn before it went out.</summary>
    Cancelled,
}

/// <summary>
/// One thing the organisation says on its connected accounts: a text (with a variant per channel), images with
/// alt text, an optional due time and a link back to the newsroom page. Each channel has its own
/// <see cref="PublicationDelivery"/> row with its own state, so one network refusing leaves the others published.
/// </summary>
public sealed class Publication : IOrganisationOwned
{
    public const int MaxTextLength = 10_000;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Text { get; set; }
    /// <summary>The newsroom page (or incident page) it links back to; appended to every channel's text.</summary>
    public string? LinkUrl { get; set; }
    /// <summary>What made it ("news-post:12", "incident-update:3"), for the owning feature to find it again.</summary>
    public string? Source { get; set; }
    /// <summary>Long text may be posted as a thread on networks that have threads.</summary>
    public bool SplitIntoThread { get; set; }
    /// <summary>When it should go out; null means at once.</summary>
    public DateTime? DueAt { get; set; }
    public PublicationStatus Status { get; set; } = PublicationStatus.Scheduled;
    public string? CreatedById { get; set; }
    public required string CreatedByName { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public List<PublicationImage> Images { get; set; } = [];
    public List<PublicationDelivery> Deliveries { get; set; } = [];
}

/// <summary>An image attached to a publication: the bytes (in the database, so a restart loses nothing) and its alt text.</summary>
public sealed class PublicationImage : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long PublicationId { get; set; }
    public int Position { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public required byte[] Data { get; set; }
    public required string AltText { get; set; }
}

public enum DeliveryState
{
    /// <summary>Waiting for its due time (or its next retry).</summary>
    Pending,
    /// <summary>Claimed by a worker until <see cref="PublicationDelivery.ClaimExpiresAt"/>.</summary>
    InProgress,
    Delivered,
    /// <summary>Failed; retried automatically until the attempts run out, then waits for "retry".</summary>
    Failed,
    Cancelled,
}

/// <summary>
/// One publication on one channel. Crash safety (docs/publishing.md): a worker claims the row with a conditional
/// UPDATE that sets a fresh <see cref="ClaimToken"/> and a lease; <see cref="AttemptStartedAt"/> is set before the
/// network is called, so a claim that finds it set knows the last attempt's outcome is unknown and reconciles
/// (reads back the account's posts, or relies on the network's idempotency) before posting again.
/// </summary>
public sealed class PublicationDelivery : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long PublicationId { get; set; }
    public long ChannelId { get; set; }
    public ChannelKind Kind { get; set; }
    /// <summary>The text for this channel (its variant, or the publication's text), without the link.</summary>
    public required string Text { get; set; }
    public DeliveryState State { get; set; } = DeliveryState.Pending;
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTime NextAttemptAt { get; set; }
    /// <summary>Deterministic per delivery: Mastodon's Idempotency-Key, the Bluesky record key seed, the read-back marker.</summary>
    public required string IdempotencyKey { get; set; }
    public string? ClaimToken { get; set; }
    public DateTime? ClaimExpiresAt { get; set; }
    /// <summary>Set before the network is called, cleared when the outcome is recorded; set on a claim = outcome unknown.</summary>
    public DateTime? AttemptStartedAt { get; set; }
    /// <summary>The network's ids of the parts posted so far (a thread), JSON array; the first is the post.</summary>
    public string? PartsJson { get; set; }
    public string? RemoteId { get; set; }
    public string? RemoteUrl { get; set; }
    public DateTime? DeliveredAt { get; set; }
}
