using CivicDesk.Web.Domain;

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
public sealed class RoutingService
{
    public Task<RoutingDecision> RouteAsync(long organisationId, RoutingInput input, CancellationToken ct) =>
        throw new NotImplementedException("Routing lands with the routing feature.");
}

public static class RoutingFeature
{
    public static WebApplicationBuilder AddRoutingFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RoutingService>();
        return builder;
    }
}
