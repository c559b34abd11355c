using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Platform;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivicDesk.Web.Features.Rumours;

public sealed class RumourOptions
{
    public const string Section = "Rumours";

    /// <summary>Replies to the people who shared a claim leave the outbound queue this far apart (a rate limit, so a network sees no burst).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ReplySpacing { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many replies are queued by one confirmation.</summary>
    [Range(1, 1000)] public int MaxRepliesPerBatch { get; set; } = 100;

    /// <summary>A message at least this similar (TF-IDF cosine) to the claim is suggested whatever its triage kind.</summary>
    [Range(0.05, 1.0)] public double SimilarityThreshold { get; set; } = 0.3;

    /// <summary>A message triaged as a rumour is suggested from this lower similarity.</summary>
    [Range(0.0, 1.0)] public double RumourKindThreshold { get; set; } = 0.1;

    /// <summary>Suggestions look at messages from this long before the claim was first seen.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan LookBack { get; set; } = TimeSpan.FromDays(2);

    [Range(100, 200_000)] public int MaxMessagesScanned { get; set; } = 10_000;
}

public static class RumoursFeature
{
    public static WebApplicationBuilder AddRumoursFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RumourOptions>().BindConfiguration(RumourOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddScoped<IBroadcaster, UnavailableBroadcaster>();
        builder.Services.AddScoped<RumourCommands>();
        builder.Services.AddScoped<RumourSuggestions>();
        return builder;
    }
}
