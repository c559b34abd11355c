using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Webhooks;

/// <summary>Turns case events into deliveries and sends the due ones: when signalled after a commit, and every <see cref="WebhookOptions.SweepInterval"/> for retries.</summary>
public sealed class WebhookWorker(WebhookOutbox outbox, WebhookDispatcher dispatcher, WebhookSignal signal, IOptions<WebhookOptions> options, ILogger<WebhookWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // New case events first (they become deliveries), then whatever is due; a full batch means go round again.
                while (await outbox.PublishPendingAsync(stoppingToken) > 0)
                {
                }

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
