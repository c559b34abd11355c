using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Platform;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivicDesk.Web.Features.Dashboards.Audience;

public static class AudienceFeature
{
    /// <summary>Audience and reach per account: the readers, the daily job (and its worker) and the read API other features use.</summary>
    public static WebApplicationBuilder AddAudience(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAudienceCollection();
        builder.Services.AddScoped<AudienceFigures>();
        builder.Services.AddScoped<AudienceDashboard>();
        if (builder.Configuration.GetValue($"{AudienceOptions.Section}:{nameof(AudienceOptions.Worker)}", true))
        {
            builder.Services.AddBackgroundWorker<AudienceWorker>();
        }

        return builder;
    }

    /// <summary>The readers and the collector without the worker (the CLI's <c>audience collect</c> uses these).</summary>
    public static IServiceCollection AddAudienceCollection(this IServiceCollection services)
    {
        services.AddOptions<AudienceOptions>().BindConfiguration(AudienceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ConnectorSecrets>();
        if (!services.Any(d => d.ServiceType == typeof(OutboundHttpGuard)))
        {
            services.AddOutboundHttpGuard();
        }

        // Account addresses are typed by administrators: every request goes through the SSRF guard, like the connectors'.
        services.AddHttpClient(AudienceOptions.HttpClientName).AddOutboundGuard();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAudienceReader, BlueskyAudienceReader>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAudienceReader, MastodonAudienceReader>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAudienceReader, XAudienceReader>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAudienceReader, FacebookAudienceReader>());
        services.TryAddSingleton<AudienceCollector>();
        return services;
    }
}
