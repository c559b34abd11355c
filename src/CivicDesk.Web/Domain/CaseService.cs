namespace CivicDesk.Web.Domain;

/// <summary>A kind of problem the organisation takes reports about (an Open311 service / FixMyStreet category).</summary>
public sealed class CaseService : IOrganisationOwned
{
    public const int DefaultDuplicateRadiusMetres = 50;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>Stable code, unique in the organisation (Open311 service_code).</summary>
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>Open311 group (mySociety extension); related services share one.</summary>
    public string? Group { get; set; }
    /// <summary>Comma-separated Open311 keywords.</summary>
    public string? Keywords { get; set; }
    /// <summary>The team that works new cases of this service.</summary>
    public long? TeamId { get; set; }
    /// <summary>Two located reports of this service further apart than this are not duplicates.</summary>
    public int DuplicateRadiusMetres { get; set; } = DefaultDuplicateRadiusMetres;
    public bool IsActive { get; set; } = true;
    public DateTime CreatedAt { get; set; }
}
