namespace CivicDesk.Web.Domain;

/// <summary>
/// A monthly report emailed on a day of the month (docs/dashboards.md, "Monthly reports"): for the organisation or one
/// team, to named staff members and/or email addresses. The report is for the previous calendar month, sent on or
/// after <see cref="DayOfMonth"/> in the organisation's time zone. <see cref="LastSentMonth"/> (yyyyMM) is the marker
/// that makes sending once per month idempotent; <see cref="ClaimedUntil"/> is the lease a node holds while sending.
/// </summary>
public sealed class ReportSchedule : IOrganisationOwned
{
    public const int MaxRecipients = 50;
    public const int MaxEmailLength = 254;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>Null: the whole organisation; else that team only (never org-wide figures).</summary>
    public long? TeamId { get; set; }
    /// <summary>1–28, so every month has the day.</summary>
    public int DayOfMonth { get; set; } = 1;
    /// <summary>Staff member ids, space-separated; only active members of the organisation receive it.</summary>
    public string StaffRecipientIds { get; set; } = "";
    /// <summary>Other addresses, space-separated, each checked when saved.</summary>
    public string EmailRecipients { get; set; } = "";
    public bool IsEnabled { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    /// <summary>The month (year × 100 + month) whose report was last sent; null before the first.</summary>
    public int? LastSentMonth { get; set; }
    public DateTime? LastSentAt { get; set; }
    /// <summary>A node is sending until then; after it, another may claim the row (the sender died).</summary>
    public DateTime? ClaimedUntil { get; set; }
    public DateTime? LastAttemptAt { get; set; }
    /// <summary>Why the last attempt failed (no personal data); cleared when a send succeeds.</summary>
    public string? LastError { get; set; }
    public int FailedAttempts { get; set; }
}

/// <summary>Per-organisation report settings: the channel-shift analysis the monthly report shows, if any.</summary>
public sealed class ReportSettings : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    public string? ChannelShiftService { get; set; }
    public DateOnly? ChannelShiftIntervention { get; set; }
    public DateTime UpdatedAt { get; set; }
}
