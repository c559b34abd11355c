namespace CivicDesk.Web.Features.Open311;

/// <summary>
/// mySociety's extended statuses (open311-adapter <c>status_extended</c>) on top of GeoReport v2's open/closed.
/// FixMyStreet sends and reads them upper-case with underscores (IN_PROGRESS); the spec's lists use lower case.
/// </summary>
public enum Open311Status
{
    Open,
    Closed,
    Fixed,
    InProgress,
    ActionScheduled,
    Investigating,
    Duplicate,
    NotCouncilsResponsibility,
    NoFurtherAction,
    InternalReferral,
    Reopen,
    ForTriage,
    Planned,
    Cancelled,
    /// <summary>A comment with no change of state.</summary>
    Unchanged,
}

public static class Open311Statuses
{
    private static readonly Dictionary<string, Open311Status> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["open"] = Open311Status.Open,
        ["closed"] = Open311Status.Closed,
        ["fixed"] = Open311Status.Fixed,
        ["in_progress"] = Open311Status.InProgress,
        ["action_scheduled"] = Open311Status.ActionScheduled,
        ["investigating"] = Open311Status.Investigating,
        ["duplicate"] = Open311Status.Duplicate,
        ["not_councils_responsibility"] = Open311Status.NotCouncilsResponsibility,
        ["no_further_action"] = Open311Status.NoFurtherAction,
        ["internal_referral"] = Open311Status.InternalReferral,
        ["reopen"] = Open311Status.Reopen,
        ["for_triage"] = Open311Status.ForTriage,
        ["planned"] = Open311Status.Planned,
        ["cancelled"] = Open311Status.Cancelled,
        ["unchanged"] = Open311Status.Unchanged,
    };

    /// <summary>Reads "IN_PROGRESS", "in_progress" or "in progress"; null for anything else.</summary>
    public static Open311Status? Parse(string? value) =>
        value is null ? null : ByName.TryGetValue(value.Trim().Replace(' ', '_').Replace('-', '_'), out var s) ? s : null;

    /// <summary>The extended name as FixMyStreet's clients expect it in servicerequestupdates: IN_PROGRESS.</summary>
    public static string Name(Open311Status status) => ByName.First(p => p.Value == status).Key.ToUpperInvariant();

    /// <summary>The plain GeoReport v2 status (requests list): only these count as closed.</summary>
    public static bool IsClosed(Open311Status status) =>
        status is Open311Status.Closed or Open311Status.Fixed or Open311Status.Duplicate or Open311Status.NotCouncilsResponsibility
            or Open311Status.NoFurtherAction or Open311Status.InternalReferral or Open311Status.Cancelled;
}
