namespace CivicDesk.Web.Domain;

/// <summary>
/// The Open311 settings of one organisation: the <c>jurisdiction_id</c> clients send (the demo's is <c>demo</c>) and
/// whether a created request answers with its id or with a token to poll (GeoReport v2 allows either).
/// </summary>
public sealed class Open311Jurisdiction : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>Unique across the installation: it is how an anonymous GET finds its organisation.</summary>
    public required string JurisdictionId { get; set; }
    /// <summary>Answer POST requests with a token (then GET tokens/{token}) instead of the service_request_id.</summary>
    public bool AnswerWithToken { get; set; }
    /// <summary>The discovery document's contact line.</summary>
    public string Contact { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// A system allowed to post requests and updates (FixMyStreet, a CRM): its key is shown once and kept as a SHA-256 hash.
/// Revoking disables it for good; the row stays for the audit trail.
/// </summary>
public sealed class Open311Client : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string Name { get; set; }
    public required string JurisdictionId { get; set; }
    public required string KeyHash { get; set; }
    /// <summary>The key's first characters, so an admin can tell keys apart without the key.</summary>
    public required string KeyPrefix { get; set; }
    public bool IsEnabled { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}
