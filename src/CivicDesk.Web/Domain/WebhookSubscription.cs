namespace CivicDesk.Web.Domain;

/// <summary>
/// Where an organisation wants case events sent. The signing secret is kept encrypted with ASP.NET Core Data
/// Protection (<see cref="ProtectedSecret"/>), never in clear text.
/// </summary>
public sealed class WebhookSubscription : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Url { get; set; }
    public required string ProtectedSecret { get; set; }
    /// <summary>Space-separated event types, e.g. "case.created case.updated case.closed".</summary>
    public required string EventTypes { get; set; }
    public bool IsEnabled { get; set; } = true;
    public DateTime CreatedAt { get; set; }

    public bool Wants(string eventType) => EventTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(eventType, StringComparer.Ordinal);
}
