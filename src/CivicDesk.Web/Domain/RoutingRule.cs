namespace CivicDesk.Web.Domain;

/// <summary>
/// One ordered routing rule: every condition that is set must hold; the first enabled rule that matches
/// chooses the team. Unmatched messages go to the organisation's default team.
/// </summary>
public sealed class RoutingRule : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>1-based order shown to staff ("rule 3").</summary>
    public int Position { get; set; }
    public required string Name { get; set; }
    public bool IsEnabled { get; set; } = true;
    /// <summary>Comma-separated words or phrases; any one matching (whole word, case-insensitive) satisfies it.</summary>
    public string? Keywords { get; set; }
    /// <summary>.NET regular expression, case-insensitive, evaluated with a timeout.</summary>
    public string? Pattern { get; set; }
    public string? Kind { get; set; }
    public string? Category { get; set; }
    public string? Sentiment { get; set; }
    public ChannelKind? ChannelKind { get; set; }
    /// <summary>Matches the extracted place (street, postcode) case-insensitively.</summary>
    public string? PlaceContains { get; set; }
    public bool UrgentOnly { get; set; }
    public long TeamId { get; set; }
    public Priority? SetPriority { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Team? Team { get; set; }
}
