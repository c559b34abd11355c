namespace CivicDesk.Web.Domain;

/// <summary>The kinds of personal data a retention policy governs (docs/privacy.md lists what each covers).</summary>
public enum RetentionDataClass
{
    /// <summary>Public posts kept only because a listening search matched (not addressed to the organisation).</summary>
    ListeningMessages,
    /// <summary>Posts, comments and direct messages addressed to the organisation, and its replies.</summary>
    DirectContact,
    /// <summary>Closed cases: description, address and location (the case's reference, service and dates stay).</summary>
    Cases,
    /// <summary>Names, email addresses and phone numbers reporters gave on the web form or through Open311.</summary>
    WebFormPersonalData,
    /// <summary>Photos uploaded with reports.</summary>
    Photos,
    /// <summary>The before/after text of audit events (the events and their hashes stay, so the chain still verifies).</summary>
    AuditPayloads,
}

public enum RetentionAction
{
    /// <summary>Remove the rows (or files).</summary>
    Delete,
    /// <summary>Keep the rows for counting, blank the text and identity.</summary>
    Anonymise,
}

/// <summary>How long one class of data is kept and what happens after.</summary>
public sealed class RetentionPolicy : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public RetentionDataClass DataClass { get; set; }
    public int PeriodDays { get; set; }
    public RetentionAction Action { get; set; }
    public bool IsEnabled { get; set; } = true;
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One run of the purge job (or a dry run), with what it did or would do per data class.</summary>
public sealed class RetentionRun : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public DateTime StartedAt { get; set; }
    public bool DryRun { get; set; }
    /// <summary>JSON array of <c>RetentionClassReport</c>: class, action, cut-off, counts.</summary>
    public required string ReportJson { get; set; }
    public int TotalAffected { get; set; }
}

public enum SubjectRequestKind
{
    /// <summary>Article 15: a copy of everything held about the person.</summary>
    Access,
    /// <summary>Article 17: erase what is not needed any more.</summary>
    Erasure,
    /// <summary>Article 18: keep but do not use.</summary>
    Restriction,
}

public enum SubjectRequestStatus
{
    Open,
    Completed,
    /// <summary>Closed without action (not verified, withdrawn, manifestly unfounded), with the reason.</summary>
    Closed,
}

/// <summary>
/// A data subject's request under UK GDPR, logged with the identifiers to search for and the statutory due date
/// (one calendar month from receipt, Article 12(3)).
/// </summary>
public sealed class SubjectRequest : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>SAR-XXXXXX, quoted in correspondence.</summary>
    public required string Reference { get; set; }
    public SubjectRequestKind Kind { get; set; }
    public SubjectRequestStatus Status { get; set; }
    public required string RequesterName { get; set; }
    /// <summary>Email addresses, one a line.</summary>
    public string Emails { get; set; } = "";
    /// <summary>Handles, one a line, optionally prefixed with the network: "mastodon: @ada@example.social".</summary>
    public string Handles { get; set; } = "";
    /// <summary>Other names the person uses, one a line.</summary>
    public string Names { get; set; } = "";
    /// <summary>Case or conversation references the person quoted, one a line.</summary>
    public string References { get; set; } = "";
    public DateTime ReceivedAt { get; set; }
    public DateTime DueAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    /// <summary>What was done, and for erasure or restriction what was kept and why (an open case, a legal hold).</summary>
    public string? Outcome { get; set; }
    public string? CreatedByStaffId { get; set; }
}

/// <summary>A change to a listening search as the public register shows it: when, and what changed, in words.</summary>
public sealed class ListeningSearchChange : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ListeningSearchId { get; set; }
    public DateTime At { get; set; }
    public required string Change { get; set; }
}

/// <summary>Where a social account is in its life (Brighton &amp; Hove's trial periods, Fife's forgotten accounts).</summary>
public enum SocialAccountStatus
{
    Proposed,
    Trial,
    Active,
    Dormant,
    Closed,
}

/// <summary>
/// One social media account the organisation runs, connected to CivicDesk or not: who owns it, why it exists, and when
/// it is next reviewed. Connected accounts (<see cref="ChannelId"/>) get their activity from the connectors.
/// </summary>
public sealed class SocialAccount : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>Bluesky, Mastodon, X, Facebook, Instagram, YouTube, TikTok, LinkedIn, Nextdoor, WhatsApp, other.</summary>
    public required string Network { get; set; }
    public required string Handle { get; set; }
    public string? Url { get; set; }
    /// <summary>Owners' names, one a line.</summary>
    public string Owners { get; set; } = "";
    public string? Deputy { get; set; }
    public long? TeamId { get; set; }
    public string Purpose { get; set; } = "";
    public string Audience { get; set; } = "";
    public SocialAccountStatus Status { get; set; } = SocialAccountStatus.Proposed;
    public DateOnly? TrialEndsOn { get; set; }
    public DateOnly? NextReviewOn { get; set; }
    /// <summary>Who holds the password (a role or named person; never the password itself).</summary>
    public string? CredentialHolder { get; set; }
    public bool TwoFactorOn { get; set; }
    /// <summary>The CivicDesk channel for this account when it is connected.</summary>
    public long? ChannelId { get; set; }
    /// <summary>Days without a post or reply after which the account is flagged dormant; null uses the default.</summary>
    public int? DormancyDays { get; set; }
    /// <summary>Listed on the public official-accounts page.</summary>
    public bool ListPublicly { get; set; } = true;
    /// <summary>For accounts not connected: the last post and reply staff recorded by hand.</summary>
    public DateTime? LastPostAt { get; set; }
    public DateTime? LastReplyAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A review of an account (end of trial, scheduled review) with its outcome.</summary>
public sealed class SocialAccountReview : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long SocialAccountId { get; set; }
    public DateOnly ReviewedOn { get; set; }
    /// <summary>e.g. "Continue", "Extend trial", "Close".</summary>
    public required string Outcome { get; set; }
    public string? Notes { get; set; }
    public required string ReviewedBy { get; set; }
}

/// <summary>
/// Time-boxed access for a named outside person (a citizen curator, a partner organisation) to post on one connected
/// account. The curator signs in with the <see cref="Roles.Curator"/> role only; a grant is live from
/// <see cref="StartsAt"/> until <see cref="EndsAt"/> unless revoked, and the sign-in is refused on every request
/// outside a live grant (<c>StaffSession</c>). Posts wait in the review queue for <see cref="GrantedById"/> unless the
/// owner chose <see cref="ReviewRequired"/> false.
/// </summary>
public sealed class CuratorGrant : IOrganisationOwned
{
    public const int MaxNoteLength = 500;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>The curator's <see cref="StaffMember"/> id.</summary>
    public required string CuratorId { get; set; }
    public required string CuratorName { get; set; }
    /// <summary>"Citizen curator", a partner organisation's name.</summary>
    public string? Affiliation { get; set; }
    /// <summary>The one account (channel) the curator may post on.</summary>
    public long ChannelId { get; set; }
    public DateTime StartsAt { get; set; }
    public DateTime EndsAt { get; set; }
    public bool ReviewRequired { get; set; } = true;
    public string? Note { get; set; }
    public required string GrantedById { get; set; }
    public required string GrantedByName { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public string? RevokedByName { get; set; }

    public bool IsLive(DateTime now) => RevokedAt is null && StartsAt <= now && now < EndsAt;
}

/// <summary>A reminder sent about an account (trial end, review, dormancy), so each is sent once (<see cref="Key"/>: "trial:2026-12-31").</summary>
public sealed class AccountReminder : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long SocialAccountId { get; set; }
    public required string Key { get; set; }
    public required string Text { get; set; }
    public DateTime SentAt { get; set; }
    /// <summary>How many staff were emailed (0 when SMTP is not configured: the reminder is in-app only).</summary>
    public int Emailed { get; set; }
}

/// <summary>A pack the organisation publishes on its public catalogue page for other bodies to download.</summary>
public sealed class PublishedPack : IOrganisationOwned
{
    public const int MaxDescriptionLength = 1000;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>The pack document exactly as published (docs/pack.schema.json).</summary>
    public required string Json { get; set; }
    /// <summary>"3 routing rules, 5 reply templates…", for the catalogue.</summary>
    public required string Contents { get; set; }
    public DateTime PublishedAt { get; set; }
    public required string PublishedByName { get; set; }
    public DateTime? WithdrawnAt { get; set; }
}
