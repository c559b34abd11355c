using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Features.Review;
using CivicDesk.Web.Platform;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivicDesk.Web.Features.Publishing;

public sealed class PublishingOptions
{
    public const string Section = "Publishing";

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How long a claim holds a row; a worker that dies releases it when this passes (longer than any one publish).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;

    /// <summary>False stops this node publishing (several nodes may run; the claim keeps them from double-posting).</summary>
    public bool WorkerEnabled { get; set; } = true;
}

public static class PublishingFeature
{
    public static WebApplicationBuilder AddPublishingFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PublishingOptions>().BindConfiguration(PublishingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PublicationSignal>();
        builder.Services.AddSingleton<PublicationDispatcher>();
        builder.Services.AddScoped<PublicationService>();
        // Incident updates and rumour rebuttals speak through this service (their features register a stand-in).
        builder.Services.RemoveAll<IBroadcaster>();
        builder.Services.AddScoped<IBroadcaster, PublishingBroadcaster>();
        builder.Services.AddScoped<IReviewHandler, PublicationReviewHandler>();
        builder.Services.AddSingleton<INetworkPublisher, MastodonPublisher>();
        builder.Services.AddSingleton<INetworkPublisher, BlueskyPublisher>();
        builder.Services.AddSingleton<INetworkPublisher, XPublisher>();
        builder.Services.AddSingleton<INetworkPublisher, FacebookPublisher>();
        builder.Services.AddBackgroundWorker<PublicationWorker>();
        return builder;
    }
}
