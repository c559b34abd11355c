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
        builder.Services.AddSingleton<IngestPrepare>();
        // Parallel prepare loops feeding one persist writer (see IngestPipeline).
        builder.Services.AddHostedService<IngestWorkers>();
        return builder;
    }
}
