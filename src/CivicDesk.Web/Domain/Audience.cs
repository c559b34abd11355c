namespace CivicDesk.Web.Domain;

/// <summary>
/// What one connected account (a <see cref="Channel"/> with a <see cref="ChannelConnection"/>) looked like on one
/// local day of its organisation: followers, accounts it follows and posts, as the network reported them. One row per
/// account and day: a second read the same day replaces the first (the latest read of a day is that day's figure).
/// A figure the network does not publish (Facebook has no "following" for a Page) is null, never 0.
/// </summary>
public sealed class AccountAudienceSnapshot : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ChannelId { get; set; }
    public ChannelKind Kind { get; set; }
    /// <summary>The organisation's local day the figures were read on.</summary>
    public DateOnly Day { get; set; }
    public long? Followers { get; set; }
    public long? Following { get; set; }
    public long? Posts { get; set; }
    /// <summary>
    /// People who saw anything from the account on the network's latest full day, where the network reports it (a
    /// Facebook Page's insights, <c>page_total_media_view_unique</c>); null elsewhere and when the Page has no insights.
    /// </summary>
    public long? Reach { get; set; }
    /// <summary>The call the figures came from, e.g. "app.bsky.actor.getProfile" or "GET /api/v1/accounts/:id".</summary>
    public required string Source { get; set; }
    public DateTime FetchedAt { get; set; }
}

/// <summary>
/// The reactions to one published post (a delivered <see cref="PublicationDelivery"/>: one publication on one
/// network) on one local day, as the network counted them. Null where the network has no such count (Mastodon has no
/// quote count). One row per delivery and day; a rerun the same day replaces it.
/// </summary>
public sealed class PostReachSnapshot : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long PublicationDeliveryId { get; set; }
    public long PublicationId { get; set; }
    public long ChannelId { get; set; }
    public ChannelKind Kind { get; set; }
    public DateOnly Day { get; set; }
    /// <summary>Likes, favourites (Mastodon) or reactions of every kind (Facebook).</summary>
    public long? Likes { get; set; }
    /// <summary>Reposts, boosts (Mastodon), retweets (X) or shares (Facebook).</summary>
    public long? Reposts { get; set; }
    /// <summary>Replies, or comments (Facebook).</summary>
    public long? Replies { get; set; }
    /// <summary>Quote posts (Bluesky, X); null where the network does not count them.</summary>
    public long? Quotes { get; set; }
    /// <summary>
    /// How often the post was seen, where the network reports it: X's <c>impression_count</c> (times shown) or the
    /// Facebook post insight <c>post_total_media_view_unique</c> (people who saw it). Null where the network publishes
    /// neither (Bluesky, Mastodon), for X posts read before X added the count, and for Pages without insights.
    /// </summary>
    public long? Views { get; set; }
    public required string Source { get; set; }
    public DateTime FetchedAt { get; set; }
}

/// <summary>
/// The audience job's bookkeeping for one connected account: the last local day it was read in full, a lease so that
/// one node reads it at a time (claimed with <c>RowClaims</c>), and the last error in words staff can act on. A failed
/// read leaves <see cref="LastCompletedDay"/> as it was, so the next run tries again; nothing of a failed read is stored.
/// </summary>
public sealed class AudienceReadState : IOrganisationOwned
{
    public const int MaxErrorLength = 1000;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ChannelId { get; set; }
    /// <summary>The organisation's local day of the last complete read (profile and posts); null before the first.</summary>
    public DateOnly? LastCompletedDay { get; set; }
    /// <summary>Not tried again before this (a failed read waits; a rate limit waits for the network's reset time).</summary>
    public DateTime? NextAttemptAt { get; set; }
    public string? ClaimToken { get; set; }
    public DateTime? ClaimExpiresAt { get; set; }
    public DateTime? LastAttemptAt { get; set; }
    public DateTime? LastSuccessAt { get; set; }
    /// <summary>Why the last read failed (null when it succeeded); also partial failures such as posts that could not be read.</summary>
    public string? LastError { get; set; }
    public DateTime? LastErrorAt { get; set; }
}
