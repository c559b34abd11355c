namespace CivicDesk.Web.Domain;

/// <summary>A canned reply with {{variables}}, for one team or (no team) the whole organisation.</summary>
public sealed class ReplyTemplate : IOrganisationOwned
{
    public const int MaxNameLength = 120;
    public const int MaxBodyLength = 4000;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long? TeamId { get; set; }
    public required string Name { get; set; }
    public required string Body { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
