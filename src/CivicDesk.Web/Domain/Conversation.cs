namespace CivicDesk.Web.Domain;

public enum ConversationStatus
{
    New,
    Open,
    WaitingOnCitizen,
    Resolved,
    Closed,
}

public enum Priority
{
    Low,
    Normal,
    High,
    Urgent,
}

/// <summary>The messages exchanged with one citizen on one channel, worked as one item.</summary>
public sealed class Conversation : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ChannelId { get; set; }
    /// <summary>Public reference the citizen can quote and use on the status page, e.g. CD-7K3F9Q.</summary>
    public required string Reference { get; set; }
    public required string CitizenHandle { get; set; }
    public string? CitizenName { get; set; }
    public string? CitizenEmail { get; set; }
    public required string Subject { get; set; }
    public ConversationStatus Status { get; set; } = ConversationStatus.New;
    public Priority Priority { get; set; } = Priority.Normal;
    public long? AssignedTeamId { get; set; }
    public string? AssignedStaffId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime LastMessageAt { get; set; }
    public DateTime? FirstResponseAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public int MessageCount { get; set; }

    // Latest triage and routing, copied from the message that opened or last changed it.
    public string? Kind { get; set; }
    public string? Category { get; set; }
    public string? Sentiment { get; set; }
    public bool IsUrgent { get; set; }
    /// <summary>
    /// A message of the conversation waits for a person to confirm its triage labels (Message.NeedsHumanTriage, not
    /// deleted). Kept by database triggers from the messages (Data/NeedsHumanTriggers.cs), never set by code: the inbox
    /// filters and counts on it through an index instead of looking at every open conversation's messages.
    /// </summary>
    public bool NeedsHuman { get; private set; }
    public long? RoutingRuleId { get; set; }
    public string? RoutingReason { get; set; }

    /// <summary>
    /// Set while a restriction request (UK GDPR Article 18) covers the person: the conversation is stored but not used
    /// (no replies, no case, no re-triage, left out of exports); the value is the request's reference.
    /// </summary>
    public string? RestrictedBy { get; set; }

    public Channel? Channel { get; set; }
    public Team? AssignedTeam { get; set; }
    public List<Message> Messages { get; set; } = [];

    /// <summary>Moves the conversation along its life cycle, refusing moves the workflow does not allow.</summary>
    public void MoveTo(ConversationStatus next, DateTime now)
    {
        if (!ConversationWorkflow.CanMove(Status, next))
        {
            throw new InvalidOperationException($"A conversation cannot move from {Status} to {next}.");
        }

        Status = next;
        UpdatedAt = now;
        ResolvedAt = next is ConversationStatus.Resolved or ConversationStatus.Closed ? ResolvedAt ?? now : null;
    }
}

/// <summary>New → Open → WaitingOnCitizen → Resolved → Closed, with the returns real work needs.</summary>
public static class ConversationWorkflow
{
    public static bool CanMove(ConversationStatus from, ConversationStatus to) => (from, to) switch
    {
        _ when from == to => false,
        (ConversationStatus.Closed, _) => false,                                   // a closed thread stays closed; new posts open a new one
        (_, ConversationStatus.New) => false,                                      // "new" means nobody has looked yet
        (ConversationStatus.New or ConversationStatus.Open or ConversationStatus.WaitingOnCitizen, _) => true,
        (ConversationStatus.Resolved, ConversationStatus.Open or ConversationStatus.Closed) => true,  // reopen, or close for good
        _ => false,
    };

    public static IReadOnlyList<ConversationStatus> NextFrom(ConversationStatus from) =>
        Enum.GetValues<ConversationStatus>().Where(to => CanMove(from, to)).ToList();

    public static string Label(this ConversationStatus status) => status switch
    {
        ConversationStatus.WaitingOnCitizen => "Waiting on citizen",
        _ => status.ToString(),
    };
}
