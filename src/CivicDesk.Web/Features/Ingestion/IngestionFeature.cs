namespace CivicDesk.Web.Features.Ingestion;

public static class IngestionFeature
{
    public static WebApplicationBuilder AddIngestionFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IngestQueues>();
        builder.Services.AddSingleton<IngestPipeline>();
        builder.Services.AddSingleton<ChannelDirectory>();
        builder.Services.AddSingleton<MessageStore>();
        builder.Services.AddSingleton<InboxNotifications>();
        // One worker per stage, each reading the queue the one before writes.
        builder.Services.AddHostedService<AcceptStage>();
        builder.Services.AddHostedService<NormaliseStage>();
        builder.Services.AddHostedService<TriageStage>();
        builder.Services.AddHostedService<RouteStage>();
        builder.Services.AddHostedService<PersistStage>();
        builder.Services.AddHostedService<NotifyStage>();
        return builder;
    }
}
