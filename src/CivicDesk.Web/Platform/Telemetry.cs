using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace CivicDesk.Web.Platform;

/// <summary>CivicDesk's own instruments. Tags stay low-cardinality (channel kind, outcome), never ids or text.</summary>
public sealed class CivicDeskMetrics : IDisposable
{
    public const string MeterName = "CivicDesk";
    private readonly Meter _meter;

    public CivicDeskMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        MessagesIngested = _meter.CreateCounter<long>("civicdesk.messages.ingested", "{message}", "Messages stored for the first time");
        MessagesDuplicate = _meter.CreateCounter<long>("civicdesk.messages.duplicate", "{message}", "Re-delivered messages recognised and not stored again");
        BatchLatency = _meter.CreateHistogram<double>("civicdesk.ingest.batch.duration", "ms", "Time to persist one batch");
        TriageLatency = _meter.CreateHistogram<double>("civicdesk.triage.duration", "us", "Time to triage one message");
        IngestStageLatency = _meter.CreateHistogram<double>("civicdesk.ingest.stage.duration", "ms", "Time one ingest pipeline stage spends on one submitted batch");
        RepliesSent = _meter.CreateCounter<long>("civicdesk.replies.sent", "{message}", "Replies delivered by a channel");
        AggregatePhaseLatency = _meter.CreateHistogram<double>("civicdesk.aggregates.duration", "ms", "Time one step of a dashboard aggregate batch takes");
    }

    public Counter<long> MessagesIngested { get; }
    public Counter<long> MessagesDuplicate { get; }
    public Histogram<double> BatchLatency { get; }
    public Histogram<double> TriageLatency { get; }
    /// <summary>Tagged <c>stage</c> (prepare, persist, and persist.&lt;step&gt; for the steps of the persist transaction): where ingest time goes.</summary>
    public Histogram<double> IngestStageLatency { get; }
    public Counter<long> RepliesSent { get; }
    /// <summary>Tagged <c>phase</c>: claim and apply hold the write lock (and the audit gate), read does not.</summary>
    public Histogram<double> AggregatePhaseLatency { get; }

    /// <summary>Registers an observable gauge, e.g. the ingest queue depth.</summary>
    public void ObserveGauge(string name, Func<long> read, string description) =>
        _meter.CreateObservableGauge(name, read, "{item}", description);

    public void Dispose() => _meter.Dispose();
}

public static class TelemetryFeature
{
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<CivicDeskMetrics>();
        // OTLP export only when a collector is configured (standard OTEL_EXPORTER_OTLP_ENDPOINT variable).
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
                .AddMeter(CivicDeskMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddOtlpExporter()
                .Build());
            builder.Services.AddHostedService<MeterProviderHost>();
        }

        return builder;
    }

    // Resolving the provider at start-up starts the export; disposing it flushes on shutdown.
    private sealed class MeterProviderHost(MeterProvider provider) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            provider.ForceFlush();
            return Task.CompletedTask;
        }
    }
}
