namespace CivicDesk.Web.Domain;

/// <summary>A note staff leave on a conversation; never shown to the citizen. @mentions notify colleagues.</summary>
public sealed class InternalNote : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ConversationId { get; set; }
    public required string AuthorId { get; set; }
    public required string AuthorName { get; set; }
    public required string Text { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<NoteMention> Mentions { get; set; } = [];
}

public sealed class NoteMention : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long InternalNoteId { get; set; }
    public required string StaffMemberId { get; set; }
    public bool IsRead { get; set; }
}
