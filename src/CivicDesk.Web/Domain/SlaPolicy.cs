namespace CivicDesk.Web.Domain;

/// <summary>
/// Service targets in working hours: how soon a first response and a resolution are due. A policy may name a team, a
/// service code and a priority; each one it names must match, and the most specific matching policy wins (team counts
/// more than service, service more than priority). A policy naming none of them is the organisation's default.
/// </summary>
public sealed class SlaPolicy : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long? TeamId { get; set; }
    public string? ServiceCode { get; set; }
    public Priority? Priority { get; set; }
    public double FirstResponseHours { get; set; }
    public double ResolutionHours { get; set; }
    public DateTime UpdatedAt { get; set; }

    public int Specificity => (TeamId is null ? 0 : 4) + (ServiceCode is null ? 0 : 2) + (Priority is null ? 0 : 1);

    public bool Matches(long? teamId, string? serviceCode, Priority? priority) =>
        (TeamId is null || TeamId == teamId)
        && (ServiceCode is null || string.Equals(ServiceCode, serviceCode, StringComparison.OrdinalIgnoreCase))
        && (Priority is null || Priority == priority);

    /// <summary>The policy that applies, or null when the organisation has none that matches.</summary>
    public static SlaPolicy? Choose(IEnumerable<SlaPolicy> policies, long? teamId, string? serviceCode, Priority? priority) =>
        policies.Where(p => p.Matches(teamId, serviceCode, priority)).OrderByDescending(p => p.Specificity).ThenBy(p => p.Id).FirstOrDefault();
}
