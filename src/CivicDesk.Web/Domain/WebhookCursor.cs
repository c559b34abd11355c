namespace CivicDesk.Web.Domain;

/// <summary>
/// How far the webhook feature has read the <see cref="CaseEvent"/> outbox (one row for the installation). Advanced in
/// the same SaveChanges as the deliveries it produced, so an event becomes deliveries exactly once.
/// </summary>
public sealed class WebhookCursor
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public long LastCaseEventId { get; set; }
}
