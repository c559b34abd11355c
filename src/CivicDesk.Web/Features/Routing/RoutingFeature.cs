using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Routing;

/// <summary>What routing looks at. Triage labels may be null when triage had nothing to say.</summary>
public sealed record RoutingInput(
    string Text,
    ChannelKind ChannelKind,
    string? Kind,
    string? Category,
    string? Sentiment,
    bool IsUrgent,
    string? Place);

/// <summary>The team chosen, the rule that chose it (null for the default team) and why, in words staff can read.</summary>
public sealed record RoutingDecision(long TeamId, string TeamName, long? RuleId, int? RulePosition, string Reason, Priority? Priority);

/// <summary>Chooses a team for a message from the organisation's ordered rules. Placeholder: routes to the default team.</summary>
public sealed class RoutingService(IServiceScopeFactory scopes)
{
    public async Task<RoutingDecision> RouteAsync(long organisationId, RoutingInput input, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var team = await db.Teams.IgnoreQueryFilters().Where(t => t.OrganisationId == organisationId)
            .OrderByDescending(t => t.IsDefault).ThenBy(t => t.Id).FirstAsync(ct);
        return new RoutingDecision(team.Id, team.Name, null, null, $"no rule matched; default team {team.Name}", null);
    }
}

public static class RoutingFeature
{
    public static WebApplicationBuilder AddRoutingFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RoutingService>();
        return builder;
    }
}
