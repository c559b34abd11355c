using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Routing;

/// <summary>
/// One organisation's routing, compiled: its rules in order (disabled ones kept, for explaining), the default team and
/// every team's name. Immutable; <see cref="RoutingService"/> caches one per organisation.
/// </summary>
public sealed class RuleBook
{
    public RuleBook(long organisationId, IEnumerable<CompiledRule> rules, IReadOnlyDictionary<long, string> teamNames, long defaultTeamId)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(teamNames);
        if (!teamNames.ContainsKey(defaultTeamId))
        {
            throw new ArgumentException("The default team must be one of the teams.", nameof(defaultTeamId));
        }

        OrganisationId = organisationId;
        Rules = [.. rules.OrderBy(r => r.Position).ThenBy(r => r.Id)];
        TeamNames = teamNames;
        DefaultTeamId = defaultTeamId;
    }

    public long OrganisationId { get; }
    public IReadOnlyList<CompiledRule> Rules { get; }
    public IReadOnlyDictionary<long, string> TeamNames { get; }
    public long DefaultTeamId { get; }
    public string DefaultTeamName => TeamNames[DefaultTeamId];

    /// <summary>The team for a message: the first matching rule's, else the default team's.</summary>
    public RoutingDecision Decide(RoutingInput input, Action<CompiledRule>? patternTimedOut = null)
    {
        var match = RuleEvaluator.FirstMatch(Rules, input, patternTimedOut);
        if (match is null)
        {
            return new RoutingDecision(DefaultTeamId, DefaultTeamName, null, null, $"no rule matched; default team {DefaultTeamName}", null);
        }

        var rule = match.Rule;
        var team = TeamName(rule.TeamId);
        return new RoutingDecision(rule.TeamId, team, rule.Id, rule.Position, $"routed to {team} by rule {rule.Position}: {match.Because}", rule.SetPriority);
    }

    /// <summary>Every rule checked against the message, for the "try this text" box.</summary>
    public IReadOnlyList<RuleCheck> Explain(RoutingInput input) => RuleEvaluator.CheckAll(Rules, input);

    public string TeamName(long teamId) => TeamNames.TryGetValue(teamId, out var name) ? name : $"team {teamId}";

    /// <summary>
    /// Reads one organisation's rules and teams. Works in any scope: it filters by organisation explicitly rather than
    /// relying on the scope's <see cref="OrganisationContext"/>.
    /// </summary>
    public static async Task<RuleBook> LoadAsync(CivicDeskDb db, long organisationId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var teams = await db.Teams.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.OrganisationId == organisationId)
            .Select(t => new { t.Id, t.Name, t.IsDefault })
            .ToListAsync(ct);
        if (teams.Count == 0)
        {
            throw new InvalidOperationException($"Organisation {organisationId} has no teams to route to.");
        }

        var rules = await db.RoutingRules.IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.OrganisationId == organisationId)
            .ToListAsync(ct);
        // No team marked default (a setup slip): the oldest team catches what no rule claims, as before routing existed.
        var defaultTeam = teams.Where(t => t.IsDefault).OrderBy(t => t.Id).FirstOrDefault() ?? teams.OrderBy(t => t.Id).First();
        return new RuleBook(organisationId, rules.Select(CompiledRule.From), teams.ToDictionary(t => t.Id, t => t.Name), defaultTeam.Id);
    }
}
