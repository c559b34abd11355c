namespace CivicDesk.Web.Domain;

/// <summary>
/// A member of the public with an account for taking part (ideas, comments, supports, crowd-map features).
/// Separate from staff: no password, signed in by a one-time email link. The address is kept lower-cased.
/// </summary>
public sealed class CitizenAccount : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Email { get; set; }
    /// <summary>Shown next to contributions; empty until the citizen chooses one on first sign-in.</summary>
    public string DisplayName { get; set; } = "";
    public string? Postcode { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastSignedInAt { get; set; }
    /// <summary>Participation notices (outcome published); the sign-in mail itself is always sent when asked for.</summary>
    public bool NotificationsOff { get; set; }
}

/// <summary>
/// One sign-in link. Only hashes are stored: of the token in the link, and of the nonce in the cookie of the browser
/// that asked. The link works once, until <see cref="ExpiresAt"/>, and only in that browser.
/// </summary>
public sealed class CitizenSignInToken : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>The address asked for, lower-cased (whether or not an account exists yet).</summary>
    public required string Email { get; set; }
    public required string TokenHash { get; set; }
    public required string BrowserHash { get; set; }
    public string? RequestedFrom { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? UsedAt { get; set; }
}

public enum ModerationMode
{
    /// <summary>Contributions appear at once; moderators act on reports and the queue afterwards.</summary>
    Post,
    /// <summary>Contributions wait in the queue until a moderator approves them.</summary>
    Pre,
}

public enum ContributionState
{
    Visible,
    /// <summary>Waiting for a moderator (pre-moderated challenge).</summary>
    Pending,
    /// <summary>Hidden by a moderator: a public placeholder shows the house rule it broke.</summary>
    Hidden,
    /// <summary>Removed with its author's account: not shown at all.</summary>
    Removed,
}

/// <summary>The phases of a challenge, in order; which one applies follows from the challenge's dates.</summary>
public enum ChallengePhase
{
    Draft,
    Ideas,
    Discussion,
    Support,
    Closed,
    ResponsePublished,
}

/// <summary>A challenge or consultation: a question put to the public, with its phases and owner team.</summary>
public sealed class Challenge : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public required string Question { get; set; }
    /// <summary>Markdown; rendered through Markdig and HtmlSanitizer, never as raw HTML.</summary>
    public string Background { get; set; } = "";
    public long OwnerTeamId { get; set; }
    public ModerationMode Moderation { get; set; } = ModerationMode.Post;
    /// <summary>Posts carrying this hashtag (without #) become candidate ideas through a listening search.</summary>
    public string? Hashtag { get; set; }
    public long? ListeningSearchId { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public string? PlaceName { get; set; }
    /// <summary>Null while a draft; the ideas phase starts here.</summary>
    public DateTime? OpensAt { get; set; }
    public DateTime? DiscussionFrom { get; set; }
    public DateTime? SupportFrom { get; set; }
    public DateTime? ClosesAt { get; set; }
    public DateTime? ResponsePublishedAt { get; set; }
    public string? ResponseSummary { get; set; }
    public DateTime CreatedAt { get; set; }

    public ChallengePhase PhaseAt(DateTime now) =>
        ResponsePublishedAt is not null ? ChallengePhase.ResponsePublished
        : OpensAt is null || now < OpensAt ? ChallengePhase.Draft
        : ClosesAt is { } close && now >= close ? ChallengePhase.Closed
        : SupportFrom is { } support && now >= support ? ChallengePhase.Support
        : DiscussionFrom is { } discussion && now >= discussion ? ChallengePhase.Discussion
        : ChallengePhase.Ideas;

    /// <summary>New ideas only in the ideas phase; comments until support closes; supports until the challenge closes.</summary>
    public bool AcceptsIdeas(DateTime now) => PhaseAt(now) == ChallengePhase.Ideas;
    public bool AcceptsComments(DateTime now) => PhaseAt(now) is ChallengePhase.Ideas or ChallengePhase.Discussion or ChallengePhase.Support;
    public bool AcceptsSupports(DateTime now) => PhaseAt(now) is ChallengePhase.Ideas or ChallengePhase.Discussion or ChallengePhase.Support;
}

/// <summary>A document published with a challenge (a link to the council's own copy).</summary>
public sealed class ChallengeDocument : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ChallengeId { get; set; }
    public required string Title { get; set; }
    public required string Url { get; set; }
}

/// <summary>A group of similar ideas, suggested by text similarity and confirmed by staff; may carry a response.</summary>
public sealed class IdeaTheme : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ChallengeId { get; set; }
    public required string Title { get; set; }
    public string? Response { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum IdeaOrigin
{
    Citizen,
    /// <summary>A social post matching the challenge hashtag, accepted by staff.</summary>
    Social,
}

public sealed class Idea : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ChallengeId { get; set; }
    /// <summary>Null once the author deleted their account and chose to keep it ("deleted account").</summary>
    public long? CitizenAccountId { get; set; }
    public required string Title { get; set; }
    public required string Text { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    /// <summary>File name under the data directory's uploads (never served as a static file).</summary>
    public string? PhotoFile { get; set; }
    public string? PhotoContentType { get; set; }
    public IdeaOrigin Origin { get; set; }
    /// <summary>For social ideas: the message it came from.</summary>
    public long? MessageId { get; set; }
    public ContributionState State { get; set; }
    public string? HiddenReason { get; set; }
    public long? ThemeId { get; set; }
    /// <summary>"You said, we did": the organisation's answer to this idea.</summary>
    public string? Response { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One citizen's support for one idea; (IdeaId, CitizenAccountId) is unique, so double clicks count once.</summary>
public sealed class IdeaSupport : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long IdeaId { get; set; }
    /// <summary>Null once the supporter deleted their account and kept their contributions (the support still counts).</summary>
    public long? CitizenAccountId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A comment on an idea, or a reply to one (one level deep: a reply has no replies).</summary>
public sealed class IdeaComment : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long IdeaId { get; set; }
    public long? ParentCommentId { get; set; }
    public long? CitizenAccountId { get; set; }
    public required string Text { get; set; }
    public ContributionState State { get; set; }
    public string? HiddenReason { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A citizen's report that an idea or comment breaks a house rule: it puts the item in the moderation queue.</summary>
public sealed class ContentReport : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long? IdeaId { get; set; }
    public long? CommentId { get; set; }
    public long? CitizenAccountId { get; set; }
    public required string Reason { get; set; }
    public string? Detail { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
}

public enum MapGeometryKind
{
    Point,
    Line,
    /// <summary>An area (a GeoJSON Polygon without holes as drawn; files may bring holes).</summary>
    Polygon,
}

/// <summary>A crowd-mapping project: one map layer with a feature schema (geometry kind, typed attributes, photo).</summary>
public sealed class MapProject : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public string Description { get; set; } = "";
    public MapGeometryKind Geometry { get; set; }
    /// <summary>JSON array of <c>MapAttribute</c> (name, label, type, choices, required).</summary>
    public string AttributesJson { get; set; } = "[]";
    public bool PhotoRequired { get; set; }
    public long OwnerTeamId { get; set; }
    /// <summary>The case service a verified feature becomes a case in (e.g. drainage).</summary>
    public string? CaseServiceCode { get; set; }
    /// <summary>Layer colour in the legend and on the map (#rrggbb).</summary>
    public string Colour { get; set; } = "#1d70b8";
    public bool IsOpen { get; set; } = true;
    public DateTime CreatedAt { get; set; }
}

public enum MapFeatureState
{
    Pending,
    Verified,
    Rejected,
}

public sealed class MapFeature : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long MapProjectId { get; set; }
    public long? CitizenAccountId { get; set; }
    /// <summary>The geometry as a GeoJSON geometry object (WGS 84 longitude, latitude).</summary>
    public required string GeometryJson { get; set; }
    /// <summary>Attribute values as a JSON object, checked against the project's schema.</summary>
    public string AttributesJson { get; set; } = "{}";
    public string? PhotoFile { get; set; }
    public string? PhotoContentType { get; set; }
    public MapFeatureState State { get; set; }
    public string? RejectedReason { get; set; }
    /// <summary>Set when staff opened a case from this feature.</summary>
    public long? CaseId { get; set; }
    /// <summary>An id the feature had in an imported file (kept so a round trip keeps it).</summary>
    public string? ExternalId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ReviewedAt { get; set; }
}

/// <summary>
/// A web-form reporter who asked for email updates on their case: staff replies and status changes are mailed to
/// them with the status link. <see cref="UnsubscribeToken"/> is in every mail's unsubscribe link.
/// </summary>
public sealed class CaseEmailSubscription : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long CaseId { get; set; }
    public required string Email { get; set; }
    public required string UnsubscribeToken { get; set; }
    /// <summary>
    /// The report's public status page as the reporter saw it when they asked (absolute). Mails are sent by the outbound
    /// worker, which has no request to take the host from; the unsubscribe link is made on the same host.
    /// </summary>
    public required string StatusUrl { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UnsubscribedAt { get; set; }
    /// <summary>The id of the last reply message (an outbound <c>Message</c> on the report's conversation) mailed, so each is mailed once.</summary>
    public long LastNotifiedEventId { get; set; }
}
