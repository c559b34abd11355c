namespace CivicDesk.Web.Domain;

public enum WebhookDeliveryStatus
{
    Pending,
    Delivered,
    Failed,
}

/// <summary>
/// One event for one subscription: the exact body that is signed and sent (kept so a redelivery sends the same bytes),
/// and how sending it went. Retried with exponential backoff until delivered or out of time (24 hours), then failed.
/// </summary>
public sealed class WebhookDelivery : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long SubscriptionId { get; set; }
    /// <summary>The event's id (the same for every subscription and every attempt): receivers de-duplicate on it.</summary>
    public Guid EventId { get; set; }
    public required string EventType { get; set; }
    public required string Body { get; set; }
    public WebhookDeliveryStatus Status { get; set; } = WebhookDeliveryStatus.Pending;
    public int Attempts { get; set; }
    public int? LastResponseCode { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime NextAttemptAt { get; set; }
    /// <summary>Retries stop after this instant (created + retry window, or redelivery + window).</summary>
    public DateTime GiveUpAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
}
