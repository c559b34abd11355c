namespace CivicDesk.Web.Domain;

public enum MessageDirection
{
    Inbound,
    Outbound,
}

/// <summary>One post, comment, direct message or form submission, in or out. Stored exactly once per (channel, external id).</summary>
public sealed class Message : IOrganisationOwned
{
    public const int MaxTextLength = 10_000;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ChannelId { get; set; }
    public long ConversationId { get; set; }
    public MessageDirection Direction { get; set; }
    public required string ExternalId { get; set; }
    public required string AuthorHandle { get; set; }
    public string? AuthorName { get; set; }
    public required string Text { get; set; }
    public string? Language { get; set; }
    /// <summary>When the author wrote it (the network's timestamp).</summary>
    public DateTime CreatedAt { get; set; }
    /// <summary>When CivicDesk accepted it.</summary>
    public DateTime ReceivedAt { get; set; }
    public string? InReplyTo { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    /// <summary>JSON array of <see cref="AttachmentInfo"/>.</summary>
    public string? AttachmentsJson { get; set; }
    /// <summary>The payload exactly as received, for evidence and re-processing.</summary>
    public string? RawPayload { get; set; }

    // Triage (see CivicDesk.Triage): top labels denormalised for filtering (staff may correct them), and the engine's own
    // labels with their confidences in a compact form (Features/Triage/TriageScores). Explanations are not stored:
    // they are recomputed when a person opens the message.
    public string? Kind { get; set; }
    public string? Category { get; set; }
    public string? Sentiment { get; set; }
    public bool IsUrgent { get; set; }
    public string? UrgencyReason { get; set; }
    public string? Place { get; set; }
    public string? TriageScores { get; set; }
    /// <summary>Triage was not sure enough to route on its labels: a person must confirm or correct them.</summary>
    public bool NeedsHumanTriage { get; set; }
    public string? NeedsHumanReason { get; set; }

    // Routing: which rule chose the team, and why, in words staff can read.
    public long? RoutedTeamId { get; set; }
    public long? RoutingRuleId { get; set; }
    public string? RoutingReason { get; set; }

    // Outbound only.
    public string? SentByStaffId { get; set; }

    // Connectors: the network said the post was edited or deleted; deleted messages are hidden everywhere.
    public DateTime? EditedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    /// <summary>The listening search that kept this public post (null for posts addressed to the organisation).</summary>
    public string? MatchedSearch { get; set; }
}

public sealed record AttachmentInfo(string FileName, string ContentType, long Length, string? StoredPath, string? Url);
