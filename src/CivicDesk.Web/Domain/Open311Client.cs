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
    /// <summary>
    /// What the key may do beyond Open311 and case updates (which every integration key may do), space-separated:
    /// see <see cref="IntegrationScopes"/>. Empty for keys issued before scopes existed.
    /// </summary>
    public string Scopes { get; set; } = "";

    public bool HasScope(string scope) => IntegrationScopes.Has(Scopes, scope);
}

/// <summary>Scopes an integration (Open311 client) key can be given on /admin/open311.</summary>
public static class IntegrationScopes
{
    /// <summary>Send and read contact-centre demand: <c>POST</c>/<c>GET /api/v1/demand</c>.</summary>
    public const string Demand = "demand";

    public static readonly IReadOnlyList<(string Scope, string Description)> All =
    [
        (Demand, "Send and read contact-centre demand (calls per day and service) through /api/v1/demand"),
    ];

    public static bool Has(string scopes, string scope) =>
        scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal);

    /// <summary>The known scopes among <paramref name="requested"/>, sorted, space-separated.</summary>
    public static string Normalise(IEnumerable<string>? requested) =>
        string.Join(' ', (requested ?? []).Where(r => All.Any(a => a.Scope == r)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}
