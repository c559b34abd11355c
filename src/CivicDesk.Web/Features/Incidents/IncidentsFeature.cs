using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Platform;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivicDesk.Web.Features.Incidents;

public sealed class IncidentOptions
{
    public const string Section = "Incidents";

    /// <summary>How often an open live page asks for new updates (the page also works without JavaScript).</summary>
    [Range(1, 300)] public int LiveRefreshSeconds { get; set; } = 5;

    /// <summary>Messages this long before the declaration count too: incidents are declared after they start.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "2.00:00:00")]
    public TimeSpan LookBack { get; set; } = TimeSpan.FromHours(2);

    /// <summary>At most this many inbound messages are examined for one incident view or report (newest first).</summary>
    [Range(100, 1_000_000)] public int MaxMessagesScanned { get; set; } = 50_000;
}

public static class IncidentsFeature
{
    public static WebApplicationBuilder AddIncidentsFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IncidentOptions>().BindConfiguration(IncidentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // The publishing service replaces this when it is installed (see Platform/Broadcasts.cs).
        builder.Services.TryAddScoped<IBroadcaster, UnavailableBroadcaster>();
        builder.Services.AddScoped<IncidentCommands>();
        builder.Services.AddScoped<IncidentTraffic>();
        return builder;
    }
}
