using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>Publishes due deliveries: woken by <see cref="PublicationSignal"/>, when the next one falls due, or each sweep.</summary>
public sealed class PublicationWorker(
    PublicationDispatcher dispatcher,
    PublicationSignal signal,
    IOptions<PublishingOptions> options,
    TimeProvider clock,
    ILogger<PublicationWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WorkerEnabled)
        {
            return;
        }

        var sweep = options.Value.SweepInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = sweep;
            try
            {
                var pass = await dispatcher.DeliverDueAsync(stoppingToken);
                if (pass.Attempted >= options.Value.BatchSize)
                {
                    wait = TimeSpan.Zero;
                }
                else if (pass.NextDueAt is { } due)
                {
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
                logger.LogError(ex, "Publication pass failed");
            }

            if (wait > TimeSpan.Zero)
            {
                await signal.WaitAsync(wait, stoppingToken);
            }
        }
    }
}
