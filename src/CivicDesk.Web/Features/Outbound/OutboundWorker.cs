using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Outbound;

/// <summary>
/// Delivers queued replies: woken by <see cref="OutboundSignal"/> when a reply is queued, otherwise when the next
/// retry falls due or the sweep interval passes (replies queued by another process, missed signals).
/// </summary>
public sealed class OutboundWorker(
    OutboundDispatcher dispatcher,
    OutboundSignal signal,
    IOptions<OutboundOptions> options,
    TimeProvider clock,
    ILogger<OutboundWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweep = options.Value.SweepInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = sweep;
            try
            {
                var pass = await dispatcher.DeliverDueAsync(stoppingToken);
                if (pass.Attempted >= options.Value.BatchSize)
                {
                    wait = TimeSpan.Zero;   // a full batch: more may be waiting
                }
                else if (pass.NextDueAt is { } due)
                {
                    // A floor, so a row that keeps failing before it can be claimed cannot spin the loop.
                    var untilDue = due - clock.GetUtcNow().UtcDateTime;
                    wait = untilDue < MinimumWait ? MinimumWait : untilDue < sweep ? untilDue : sweep;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Never let one bad pass (database briefly unavailable) stop replies for good.
                logger.LogError(ex, "Outbound delivery pass failed");
            }

            if (wait > TimeSpan.Zero)
            {
                await signal.WaitAsync(wait, stoppingToken);
            }
        }
    }
}
