namespace CivicDesk.Web.Features.Demo;

/// <summary>
/// Seeds the demo messages once the host has started: they go through the ingest pipeline, whose workers run with
/// the host. The site serves pages meanwhile; the inbox fills within seconds. <see cref="Completion"/> tells tests
/// and the live feed when it is done.
/// </summary>
public sealed class DemoStartup(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, ILogger<DemoStartup> logger) : BackgroundService
{
    private readonly TaskCompletionSource<DemoSeedResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the demo organisation and its messages are in place (or faults if seeding failed).</summary>
    public Task<DemoSeedResult> Completion => _done.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                _done.TrySetCanceled(stoppingToken);
                return;
            }
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            _done.TrySetResult(await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _done.TrySetCanceled(stoppingToken);
        }
        catch (Exception ex) // A failed demo seed must not stop the application: logged, and reported to waiters.
        {
            logger.LogError(ex, "Seeding the demo messages failed");
            _done.TrySetException(ex);
        }
    }
}
