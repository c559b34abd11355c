using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Platform;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Connectors;

public sealed class ConnectorOptions
{
    public const string Section = "Connectors";

    /// <summary>The wait before the first restart of a connector that threw; doubled after each further failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RestartBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan RestartMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A run that lasted this long counts as healthy: the next failure starts the backoff again from the base.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan HealthyRunResetsBackoffAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the host looks for channels added, changed or disabled by another process (this one signals).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On PostgreSQL (several nodes), how often a node checks its lead is alive and tries to lead channels no node
    /// runs: a dead node's channels move within this interval of PostgreSQL ending its session.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan LeadershipInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the in-memory health (last event time) is written to the database.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HealthPersistInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Posts per pipeline submission; larger connector batches are split, and committed before the checkpoint moves.</summary>
    [Range(1, 10_000)]
    public int SubmitBatchSize { get; set; } = 500;
}

public static class ConnectorsFeature
{
    public static WebApplicationBuilder AddConnectorsFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConnectorOptions>().BindConfiguration(ConnectorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddConnectorHost();
        // Every network registers the same way, here, so Program.cs keeps one line for all connectors.
        builder.Services.AddConnector<Bluesky.BlueskyConnector>();
        builder.Services.AddConnector<Facebook.FacebookConnector>();
        builder.Services.AddConnector<Mastodon.MastodonConnector>();
        builder.Services.AddConnector<Rss.RssConnector>();
        builder.Services.AddConnector<X.XConnector>();
        return builder;
    }

    /// <summary>Endpoints of push-based networks (webhooks).</summary>
    public static IEndpointRouteBuilder MapConnectorWebhooks(this IEndpointRouteBuilder app)
    {
        Facebook.FacebookWebhooks.MapFacebookWebhooks(app);
        return app;
    }

    /// <summary>The host, sink, secrets, health and reply routing; safe to call more than once (tests add connectors after).</summary>
    public static IServiceCollection AddConnectorHost(this IServiceCollection services)
    {
        var first = !services.Any(d => d.ServiceType == typeof(ConnectorRegistry));
        services.TryAddSingleton<ConnectorRegistry>();
        services.TryAddSingleton<ConnectorSecrets>();
        services.TryAddSingleton<ConnectorHealthBoard>();
        services.TryAddSingleton<ConnectorSignal>();
        services.TryAddSingleton<ConnectorContexts>();
        services.TryAddSingleton<ListeningFilter>();
        services.TryAddSingleton<IConnectorLeadership>(sp =>
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value is { Provider: DatabaseProvider.Postgres, ConnectionString: { } cs }
                ? new PostgresConnectorLeadership(cs, sp.GetRequiredService<ILogger<PostgresConnectorLeadership>>())
                : new SingleNodeLeadership());
        services.TryAddSingleton<ConnectorMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReplyDelivery, ConnectorReplyDelivery>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ConnectorHost>());
        if (first)
        {
            // Connector base URLs and feed URLs are typed by administrators: every request goes through the SSRF guard.
            services.AddOutboundHttpGuard();
            services.AddHttpClient(ConnectorContexts.HttpClientName).AddOutboundGuard();
        }

        return services;
    }

    /// <summary>Registers a network's connector (one per <see cref="Domain.ChannelKind"/>) as a singleton.</summary>
    public static IServiceCollection AddConnector<T>(this IServiceCollection services) where T : class, ISocialConnector
    {
        services.TryAddSingleton<T>();
        services.AddSingleton<ISocialConnector>(sp => sp.GetRequiredService<T>());
        return services;
    }
}
