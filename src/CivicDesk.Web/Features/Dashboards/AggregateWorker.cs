using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Dashboards;

public sealed class DashboardOptions
{
    public const string Section = "Dashboards";

    /// <summary>Run the aggregate worker in this process (a second web host may leave it to the first).</summary>
    public bool AggregateWorker { get; set; } = true;

    /// <summary>
    /// How often dirty hours are folded in when a pass is quick: dashboards are at most this stale (plus one pass).
    /// During a surge a pass takes longer and the next one waits longer (<see cref="AggregateMaxBusyPercent"/>).
    /// </summary>
    [Range(1, 3600)] public int AggregateIntervalSeconds { get; set; } = 10;

    /// <summary>A batch takes the marks of at most this many distinct (organisation, hour) pairs.</summary>
    [Range(1, 10_000)] public int AggregateBatchSize { get; set; } = 200;

    /// <summary>A batch takes no more hours once they hold this many messages: it bounds how long writers wait.</summary>
    [Range(1, 10_000_000)] public int AggregateBatchMessages { get; set; } = AggregateMaintainer.DefaultMaxMessages;

    /// <summary>
    /// The largest share of wall time the worker's passes may take: after a pass of T seconds the next one waits at
    /// least T × (100 / this − 1), so a surge makes the dashboards staler instead of taking a core from ingest.
    /// </summary>
    [Range(1, 100)] public int AggregateMaxBusyPercent { get; set; } = 25;
}

/// <summary>
/// Folds the dirty hours the triggers recorded into the aggregate tables, a pass at a time. Periodic rather than
/// signalled: the writers are database triggers, which cannot signal this process, and the staleness is stated on
/// every dashboard. A failed batch rolls back and its dirty hours stay queued for the next pass.
/// <para>
/// Paced by its own cost (<see cref="NextWait"/>): a pass recomputes whole dirty hours and their days, so during a surge
/// each pass reads the growing current hour again. At a fixed 10 s interval a pass that grew past 10 s ran back to back
/// and held a core for as long as the surge lasted (a million messages in one hour: 26 µs of worker CPU per ingested
/// message, bench/README.md session 19); waiting in proportion to the last pass bounds its share of the machine.
/// </para>
/// </summary>
public sealed class AggregateWorker(IServiceScopeFactory scopes, IOptions<DashboardOptions> options, TimeProvider time, ILogger<AggregateWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.AggregateIntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = time.GetTimestamp();
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var maintainer = scope.ServiceProvider.GetRequiredService<AggregateMaintainer>();
                await maintainer.DrainAsync(stoppingToken, options.Value.AggregateBatchSize, options.Value.AggregateBatchMessages);
                // Response times measured under working hours or targets since changed: a month of days a pass.
                await maintainer.RefreshStaleResponseTimesAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                AggregateLog.Failed(log, ex);
            }

            var wait = NextWait(time.GetElapsedTime(started), interval, options.Value.AggregateMaxBusyPercent);
            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// How long to wait after a pass that took <paramref name="busy"/>: until the interval since its start has passed,
    /// or longer when the pass was long, so that passes take at most <paramref name="maxBusyPercent"/> of the time (at
    /// 25 %, a pass of 2 s is followed by 8 s of rest, the interval's remainder; one of 6 s by 18 s).
    /// </summary>
    public static TimeSpan NextWait(TimeSpan busy, TimeSpan interval, int maxBusyPercent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBusyPercent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBusyPercent, 100);
        // rest is never negative, so the larger of the two never is either.
        var rest = busy * ((100.0 / maxBusyPercent) - 1);
        var untilInterval = interval - busy;
        return rest > untilInterval ? rest : untilInterval;
    }
}
