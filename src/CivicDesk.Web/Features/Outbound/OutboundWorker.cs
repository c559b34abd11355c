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
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweep = options.Value.SweepInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = sweep;
            try
            {
                var pass = await dispatcher.DeliverDueAsync(stoppingToken);
                if (pass.NextDueAt is { } due)
                {
                    var untilDue = due - clock.GetUtcNow().UtcDateTime;
                    wait = untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue < sweep ? untilDue : sweep;
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
