using Microsoft.AspNetCore.Identity;

namespace CivicDesk.Web.Domain;

/// <summary>A member of staff who signs in. Identity supplies lockout, password rules and TOTP two-factor.</summary>
public sealed class StaffMember : IdentityUser
{
    public long OrganisationId { get; set; }
    public required string DisplayName { get; set; }
    public bool IsActive { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    /// <summary>For a trainee: the named colleague who reviews their replies and posts before they go out.</summary>
    public string? MentorId { get; set; }
    public List<TeamMembership> Teams { get; set; } = [];
}

public sealed class TeamMembership : IOrganisationOwned
{
    public long OrganisationId { get; set; }
    public required string StaffMemberId { get; set; }
    public long TeamId { get; set; }
    public Team? Team { get; set; }
}

/// <summary>Role names. One staff member may hold several.</summary>
public static class Roles
{
    public const string Agent = "Agent";
    public const string TeamLead = "TeamLead";
    public const string Comms = "Comms";
    public const string Analyst = "Analyst";
    public const string Admin = "Admin";
    /// <summary>Works like an agent, but every reply and post waits in the review queue for their mentor.</summary>
    public const string Trainee = "Trainee";

    public static readonly IReadOnlyList<string> All = [Agent, TeamLead, Comms, Analyst, Admin, Trainee];

    /// <summary>
    /// A guest curator: an outside person who may post on one account while a <see cref="CuratorGrant"/> is live, and
    /// nothing else. Deliberately not in <see cref="All"/>, so no staff policy (conversations, cases) admits them.
    /// </summary>
    public const string Curator = "Curator";
}
