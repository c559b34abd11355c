namespace CivicDesk.Web.Domain;

/// <summary>One street of an organisation's gazetteer, with a representative point (WGS84).</summary>
public sealed class GazetteerStreet : IOrganisationOwned
{
    public const int MaxNameLength = 200;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Name { get; set; }
    public string? Locality { get; set; }
    public double Latitude { get; set; }
    public double Longitude { get; set; }
    /// <summary>How many source points were averaged into this one (1 for an imported row).</summary>
    public int Weight { get; set; } = 1;
}
