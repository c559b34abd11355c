namespace CivicDesk.Web.Domain;

/// <summary>Calls to the contact centre on one day about one service or reason, imported from its telephony reports.</summary>
public sealed class ContactCentreDemand : IOrganisationOwned
{
    public const int MaxServiceLength = 100;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public DateOnly Date { get; set; }
    public required string Service { get; set; }
    public int Calls { get; set; }
    /// <summary>Total handling time of those calls in minutes, when the telephony report gives it.</summary>
    public double? HandledMinutes { get; set; }
    public DateTime ImportedAt { get; set; }
    public string? ImportedBy { get; set; }
}

/// <summary>
/// What one contact costs the organisation, per channel, as it sets them. Defaults are Socitm's published
/// cost-per-contact figures for phone, web and face to face; social media has no published figure, so none by default.
/// </summary>
public sealed class ContactCosts : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    public decimal? Phone { get; set; }
    public decimal? FaceToFace { get; set; }
    public decimal? Web { get; set; }
    public decimal? Social { get; set; }
    public DateTime UpdatedAt { get; set; }
}
