namespace CivicDesk.Web.Domain;

/// <summary>
/// An append-only record of who did what. Events are hash-chained per organisation: each carries the hash of
/// the one before, so editing or deleting a row breaks the chain and <c>civicdesk audit verify</c> finds it.
/// </summary>
public sealed class AuditEvent : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>1, 2, 3… per organisation; unique, so two writers cannot fork the chain.</summary>
    public long Sequence { get; set; }
    public DateTime At { get; set; }
    public string? ActorId { get; set; }
    public required string ActorName { get; set; }
    /// <summary>Dotted verb, e.g. conversation.assigned, reply.queued, rule.updated, staff.signed-in.</summary>
    public required string Action { get; set; }
    public required string TargetType { get; set; }
    public string? TargetId { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    public string PreviousHash { get; set; } = "";
    public string Hash { get; set; } = "";
}
