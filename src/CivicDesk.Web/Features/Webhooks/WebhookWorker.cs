using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Webhooks;

/// <summary>Sends due webhook deliveries: when signalled after a commit, and every <see cref="WebhookOptions.SweepInterval"/> for retries.</summary>
public sealed class WebhookWorker(WebhookDispatcher dispatcher, WebhookSignal signal, IOptions<WebhookOptions> options, ILogger<WebhookWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A full batch may mean more are due: go round again at once.
                while (await dispatcher.SendDueAsync(stoppingToken) >= options.Value.BatchSize)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) // An outage (database) must not stop the worker: logged, and tried again next round.
            {
                logger.LogError(e, "Sending webhook deliveries failed");
            }

            try
            {
                await signal.WaitAsync(options.Value.SweepInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
