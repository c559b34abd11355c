namespace CivicDesk.Web.Domain;

public enum CaseUpdateKind
{
    StatusChange,
    PublicUpdate,
    InternalNote,
}

/// <summary>
/// One entry on the case's timeline: a status change, a public update or an internal note. Updates from other systems
/// (Open311 servicerequestupdates, the JSON API) carry their <see cref="ExternalUpdateId"/>, unique per organisation,
/// so a re-sent update is applied once.
/// </summary>
public sealed class CaseUpdate : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long CaseId { get; set; }
    public CaseUpdateKind Kind { get; set; }
    public CaseStatus? StatusBefore { get; set; }
    public CaseStatus? StatusAfter { get; set; }
    public string? Text { get; set; }
    /// <summary>Shown on public pages and sent to every reporter.</summary>
    public bool IsPublic { get; set; }
    public string? StaffId { get; set; }
    public required string AuthorName { get; set; }
    public string? ExternalUpdateId { get; set; }
    /// <summary>The back office's own status code (mySociety external_status_code), kept as sent.</summary>
    public string? ExternalStatusCode { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A message linked to a case (a case can gather messages from many conversations and channels).</summary>
public sealed class CaseMessage : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    public long CaseId { get; set; }
    public long MessageId { get; set; }
    public DateTime LinkedAt { get; set; }
    public string? LinkedByStaffId { get; set; }
}

/// <summary>
/// Someone to tell about the case. Usually their conversation (their own channel: replies go back where they wrote);
/// for Open311 or API reports with no conversation, the contact details given with the report. Never public.
/// </summary>
public sealed class CaseReporter : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long CaseId { get; set; }
    public long? ConversationId { get; set; }
    public string? Name { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public DateTime AddedAt { get; set; }
}

/// <summary>A photo of the problem, stored like message attachments (outside wwwroot, served to staff only).</summary>
public sealed class CasePhoto : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long CaseId { get; set; }
    public long? MessageId { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public long Length { get; set; }
    public string? StoredPath { get; set; }
    public string? Url { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum CaseEventType
{
    Created,
    Updated,
    Closed,
    Merged,
}

/// <summary>
/// Outbox for other systems (webhooks): written in the same SaveChanges as the case change it describes, so a change
/// is never announced without being made nor made without being announced.
/// </summary>
public sealed class CaseEvent : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long CaseId { get; set; }
    public CaseEventType Type { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A possible duplicate found when the case was created, with the scorer's reasons; staff merge or dismiss it.</summary>
public sealed class CaseDuplicateCandidate : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long CaseId { get; set; }
    public long CandidateCaseId { get; set; }
    public double Score { get; set; }
    public double TextSimilarity { get; set; }
    public double? DistanceMetres { get; set; }
    /// <summary>Reasons in words, one per line.</summary>
    public required string Reasons { get; set; }
    public DateTime FoundAt { get; set; }
    public bool Dismissed { get; set; }
}
