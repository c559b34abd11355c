namespace CivicDesk.Web.Domain;

/// <summary>
/// A staff correction of one triage label on one message: what the engine (or a colleague) said, what staff say it is.
/// Kept as training data: <c>civicdesk triage train --organisation … --with-feedback</c> retrains the organisation's
/// models on the base data plus these rows. The message text is read from the message, not copied here.
/// </summary>
public sealed class TriageFeedback : IOrganisationOwned
{
    public const int MaxLabelLength = 64;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long MessageId { get; set; }
    /// <summary>kind, category, sentiment or urgent.</summary>
    public required string Task { get; set; }
    public string? OldValue { get; set; }
    public required string NewValue { get; set; }
    public required string StaffId { get; set; }
    public required string StaffName { get; set; }
    public DateTime At { get; set; }
}
