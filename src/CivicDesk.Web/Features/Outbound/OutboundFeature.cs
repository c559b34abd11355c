using CivicDesk.Web.Platform;
using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.Features.Outbound;

public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>How often the worker looks for due retries and replies queued by another process.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait after the first failure; doubled after each further failure.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(6);

    /// <summary>After this many failed attempts a reply waits for someone to press "retry".</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;
}

public static class OutboundFeature
{
    public static WebApplicationBuilder AddOutboundFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<OutboundSignal>();
        builder.Services.AddSingleton<OutboundDispatcher>();
        builder.Services.AddSingleton<IReplyDelivery, StatusPageDelivery>();
        builder.Services.AddBackgroundWorker<OutboundWorker>();
        return builder;
    }
}
