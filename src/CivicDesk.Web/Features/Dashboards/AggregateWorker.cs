using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Dashboards;

public sealed class DashboardOptions
{
    public const string Section = "Dashboards";

    /// <summary>Run the aggregate worker in this process (a second web host may leave it to the first).</summary>
    public bool AggregateWorker { get; set; } = true;

    /// <summary>How often dirty hours are folded in: dashboards are at most this stale (plus one batch).</summary>
    [Range(1, 3600)] public int AggregateIntervalSeconds { get; set; } = 10;

    [Range(1, 10_000)] public int AggregateBatchSize { get; set; } = 200;

    /// <summary>A batch takes no more hours once they hold this many messages: it bounds how long writers wait.</summary>
    [Range(1, 10_000_000)] public int AggregateBatchMessages { get; set; } = AggregateMaintainer.DefaultMaxMessages;
}

/// <summary>
/// Folds the dirty hours the triggers recorded into the aggregate tables on a timer. Periodic rather than signalled:
/// the writers are database triggers, which cannot signal this process, and a few seconds' staleness is stated on
/// every dashboard. A failed batch rolls back and its dirty hours stay queued for the next tick.
/// </summary>
public sealed class AggregateWorker(IServiceScopeFactory scopes, IOptions<DashboardOptions> options, ILogger<AggregateWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.AggregateIntervalSeconds));
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var maintainer = scope.ServiceProvider.GetRequiredService<AggregateMaintainer>();
                await maintainer.DrainAsync(stoppingToken, options.Value.AggregateBatchSize, options.Value.AggregateBatchMessages);
                // Response times measured under working hours or targets since changed: a month of days a tick.
                await maintainer.RefreshStaleResponseTimesAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                AggregateLog.Failed(log, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
