namespace CivicDesk.Web.Domain;

/// <summary>How a case came in.</summary>
public enum CaseSource
{
    WebForm,
    Message,
    Open311,
    Api,
    Staff,
}

/// <summary>
/// The Open311 statuses open/closed refined by mySociety's extended statuses (FixMyStreet, open311-adapter
/// <c>status_extended</c>). Open: Open, Investigating, InProgress, ActionScheduled, Reopened. Closed: the rest.
/// </summary>
public enum CaseStatus
{
    Open,
    Investigating,
    InProgress,
    ActionScheduled,
    Fixed,
    Duplicate,
    NotResponsible,
    NoFurtherAction,
    InternalReferral,
    Closed,
    Reopened,
}

/// <summary>A real-world problem the organisation tracks to resolution: one case, many messages and reporters.</summary>
public sealed class Case : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>Public reference the citizen can quote, e.g. CS-7K3F9Q; also the Open311 service_request_id.</summary>
    public required string Reference { get; set; }
    /// <summary>The <see cref="CaseService.Code"/> (Open311 service_code) within the organisation.</summary>
    public required string ServiceCode { get; set; }
    public required string Title { get; set; }
    public required string Description { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public string? Address { get; set; }
    public Priority Priority { get; set; } = Priority.Normal;
    public CaseStatus Status { get; private set; } = CaseStatus.Open;
    public long? TeamId { get; set; }
    public string? AssignedStaffId { get; set; }
    public CaseSource Source { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>The target the organisation commits to (set by staff or the SLA policy).</summary>
    public DateTime? DueAt { get; set; }
    /// <summary>The honest estimate of when it will be resolved (Open311 expected_datetime), with how it was worked out.</summary>
    public DateTime? ExpectedBy { get; set; }
    public string? ExpectedByBasis { get; set; }
    /// <summary>
    /// Set when the duplicate check and the expected-by estimate are still to run (an Open311 create leaves them to
    /// <c>CaseAssessmentWorker</c> so the call answers at once); null once they have. While a node works on the case
    /// this holds its lease, so another node takes it over only if that node dies (Platform/RowClaims.cs).
    /// </summary>
    public DateTime? AssessmentDueAt { get; set; }
    public DateTime? ClosedAt { get; private set; }
    /// <summary>Set when this case was merged into another as its duplicate.</summary>
    public long? MergedIntoCaseId { get; private set; }
    /// <summary>Open311 token handed out when the request id was not yet known (GET tokens/{token}).</summary>
    public string? Open311Token { get; set; }
    /// <summary>A back-office system's own reference (Open311 customer_reference, CRM id).</summary>
    public string? ExternalReference { get; set; }
    /// <summary>Open311 non_public: never shown on the public map, list or case page.</summary>
    public bool NonPublic { get; set; }
    /// <summary>Set while a restriction request covers the reporter: stored, not used (left out of exports and the public map); the request's reference.</summary>
    public string? RestrictedBy { get; set; }
    /// <summary>
    /// When a member of staff checked the reporter's description and address and agreed they may be published (Open311
    /// GET requests). Until then the public sees neither; <see cref="PublicTextReviewedBy"/> names who decided.
    /// </summary>
    public DateTime? PublicTextReviewedAt { get; set; }
    public string? PublicTextReviewedBy { get; set; }

    public bool IsOpen => Status.IsOpen();

    /// <summary>Moves the case along its workflow, refusing moves <see cref="CaseWorkflow"/> does not allow.</summary>
    public void MoveTo(CaseStatus next, DateTime now)
    {
        if (next == CaseStatus.Duplicate)
        {
            throw new InvalidOperationException("A case becomes a duplicate only by merging it into another case.");
        }

        Move(next, now);
    }

    /// <summary>Marks this case as the duplicate of <paramref name="survivorId"/>.</summary>
    public void MarkDuplicateOf(long survivorId, DateTime now)
    {
        if (survivorId == Id)
        {
            throw new InvalidOperationException("A case cannot be merged into itself.");
        }

        Move(CaseStatus.Duplicate, now);
        MergedIntoCaseId = survivorId;
    }

    private void Move(CaseStatus next, DateTime now)
    {
        if (!CaseWorkflow.CanMove(Status, next))
        {
            throw new InvalidOperationException($"A case cannot move from {Status} to {next}.");
        }

        Status = next;
        UpdatedAt = now;
        ClosedAt = next.IsOpen() ? null : ClosedAt ?? now;
    }
}

/// <summary>The allowed moves and the names other systems use for each status.</summary>
public static class CaseWorkflow
{
    /// <summary>
    /// Open statuses move freely among themselves and to any outcome; an outcome (fixed, not responsible…) can be
    /// corrected to another outcome, closed for good or reopened; closed cases can only be reopened; only an open case
    /// can become a duplicate, and a duplicate stays one (its reporters and messages now live on the surviving case).
    /// </summary>
    public static bool CanMove(CaseStatus from, CaseStatus to) => (from, to) switch
    {
        _ when from == to => false,
        (CaseStatus.Duplicate, _) => false,
        (_, CaseStatus.Reopened) => !from.IsOpen(),
        _ when from.IsOpen() => to != CaseStatus.Reopened,
        (CaseStatus.Closed, _) => false,
        (_, CaseStatus.Duplicate) => false,
        _ => !to.IsOpen(),
    };

    public static IReadOnlyList<CaseStatus> NextFrom(CaseStatus from) =>
        Enum.GetValues<CaseStatus>().Where(to => to != CaseStatus.Duplicate && CanMove(from, to)).ToList();

    public static bool IsOpen(this CaseStatus status) =>
        status is CaseStatus.Open or CaseStatus.Investigating or CaseStatus.InProgress or CaseStatus.ActionScheduled or CaseStatus.Reopened;

    /// <summary>Open311 GeoReport v2 <c>status</c>: open or closed.</summary>
    public static string Open311Status(this CaseStatus status) => status.IsOpen() ? "open" : "closed";

    /// <summary>mySociety's extended status name, as FixMyStreet sends and reads it in servicerequestupdates.</summary>
    public static string ExtendedStatus(this CaseStatus status) => status switch
    {
        CaseStatus.Open => "OPEN",
        CaseStatus.Investigating => "INVESTIGATING",
        CaseStatus.InProgress => "IN_PROGRESS",
        CaseStatus.ActionScheduled => "ACTION_SCHEDULED",
        CaseStatus.Fixed => "FIXED",
        CaseStatus.Duplicate => "DUPLICATE",
        CaseStatus.NotResponsible => "NOT_COUNCILS_RESPONSIBILITY",
        CaseStatus.NoFurtherAction => "NO_FURTHER_ACTION",
        CaseStatus.InternalReferral => "INTERNAL_REFERRAL",
        CaseStatus.Closed => "CLOSED",
        CaseStatus.Reopened => "REOPEN",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>
    /// Reads an extended (or plain Open311) status, case-insensitive, spaces or underscores ("in progress",
    /// "IN_PROGRESS"). Returns null for names with no equivalent here (UNCHANGED, FOR_TRIAGE, PLANNED, CANCELLED…),
    /// which callers treat as "no status change" or map themselves.
    /// </summary>
    public static CaseStatus? ParseExtended(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var key = name.Trim().Replace(' ', '_').Replace('-', '_').ToUpperInvariant();
        return key switch
        {
            "OPEN" => CaseStatus.Open,
            "INVESTIGATING" => CaseStatus.Investigating,
            "IN_PROGRESS" => CaseStatus.InProgress,
            "ACTION_SCHEDULED" => CaseStatus.ActionScheduled,
            "FIXED" => CaseStatus.Fixed,
            "DUPLICATE" => CaseStatus.Duplicate,
            "NOT_COUNCILS_RESPONSIBILITY" or "NOT_RESPONSIBLE" => CaseStatus.NotResponsible,
            "NO_FURTHER_ACTION" => CaseStatus.NoFurtherAction,
            "INTERNAL_REFERRAL" => CaseStatus.InternalReferral,
            "CLOSED" => CaseStatus.Closed,
            "REOPEN" or "REOPENED" => CaseStatus.Reopened,
            _ => null,
        };
    }

    /// <summary>Words staff and citizens read.</summary>
    public static string Label(this CaseStatus status) => status switch
    {
        CaseStatus.InProgress => "In progress",
        CaseStatus.ActionScheduled => "Action scheduled",
        CaseStatus.NotResponsible => "Not our responsibility",
        CaseStatus.NoFurtherAction => "No further action",
        CaseStatus.InternalReferral => "Referred internally",
        _ => status.ToString(),
    };
}
