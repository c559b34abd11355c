namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// What ingestion needs to run on several nodes: the inbox change feed between nodes (PostgreSQL LISTEN/NOTIFY) and,
/// when <c>RabbitMq:Uri</c> is set, the broker for surges. Both do nothing on a single SQLite node without a broker.
/// </summary>
public static class IngestClusterFeature
{
    public static WebApplicationBuilder AddIngestCluster(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RabbitMqOptions>().BindConfiguration(RabbitMqOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IngestBroker>();
        builder.Services.AddHostedService<IngestBrokerConsumer>();
        builder.Services.AddSingleton<ClusterInboxRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterInboxRelay>());
        return builder;
    }
}
