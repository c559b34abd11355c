namespace CivicDesk.Web.Domain;

public enum OutboundStatus
{
    Pending,
    Sent,
    Failed,
}

/// <summary>A reply waiting in its channel's outbound queue (an outbox row written in the same transaction as the reply).</summary>
public sealed class OutboundMessage : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ChannelId { get; set; }
    public long ConversationId { get; set; }
    public long MessageId { get; set; }
    public OutboundStatus Status { get; set; } = OutboundStatus.Pending;
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTime QueuedAt { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? SentAt { get; set; }
    /// <summary>The network's id and URL for the posted reply.</summary>
    public string? ExternalId { get; set; }
    public string? ExternalUrl { get; set; }
}
