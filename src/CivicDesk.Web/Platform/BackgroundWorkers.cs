using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Platform;

/// <summary>When the periodic background workers start (section <c>BackgroundWorkers</c>).</summary>
public sealed class BackgroundWorkerOptions
{
    public const string Section = "BackgroundWorkers";

    /// <summary>
    /// Seconds after the app starts listening before the periodic workers (aggregates, outbound, webhooks, retention,
    /// reminders, case assessment…) start. A start is mostly the runtime loading and compiling code (bench/README.md,
    /// "Start-up CPU profile"); on two cores, twelve workers compiling their first pass at the same moment as the first
    /// request slow the first page by seconds, while none of them has anything that cannot wait a few seconds: their work
    /// is kept in the database and picked up on their first pass. 0 starts them with the host (the tests do).
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0, 300)]
    public double StartDelaySeconds { get; set; } = 5;
}

public static class BackgroundWorkers
{
    /// <summary>
    /// Registers a periodic worker that starts <see cref="BackgroundWorkerOptions.StartDelaySeconds"/> after the app
    /// has started. The worker itself is made only then, so its dependencies are not built (nor their code compiled)
    /// on the way to the first request. Not for services the request path needs at once (the ingest pipeline).
    /// </summary>
    public static IServiceCollection AddBackgroundWorker<T>(this IServiceCollection services) where T : class, IHostedService
    {
        services.AddOptions<BackgroundWorkerOptions>().BindConfiguration(BackgroundWorkerOptions.Section).ValidateDataAnnotations();
        services.AddSingleton<T>();
        services.AddSingleton<IHostedService, DeferredWorker<T>>();
        return services;
    }

    /// <summary>Starts <typeparamref name="T"/> after the delay; stops it if it started. The host sees only this wrapper.</summary>
    private sealed class DeferredWorker<T>(IServiceProvider services, IHostApplicationLifetime lifetime, IOptions<BackgroundWorkerOptions> options, ILogger<T> logger)
        : IHostedService, IDisposable where T : class, IHostedService
    {
        private readonly CancellationTokenSource _stopping = new();
        private Task _starting = Task.CompletedTask;
        private T? _worker;
        private int _stopped;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            var delay = TimeSpan.FromSeconds(options.Value.StartDelaySeconds);
            if (delay <= TimeSpan.Zero)
            {
                _worker = services.GetRequiredService<T>();
                return _worker.StartAsync(cancellationToken);
            }

            _starting = StartLaterAsync(delay);
            return Task.CompletedTask;
        }

        private async Task StartLaterAsync(TimeSpan delay)
        {
            try
            {
                // ApplicationStarted fires once the server listens; the delay counts from then, not from process start.
                var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                using (_stopping.Token.Register(() => started.TrySetCanceled()))
                {
                    await started.Task;
                }

                await Task.Delay(delay, _stopping.Token);
                _worker = services.GetRequiredService<T>();
                await _worker.StartAsync(_stopping.Token);
                if (_worker is BackgroundService { ExecuteTask: { } running })
                {
                    // The host watches only the services it started: do what it does for a worker that dies
                    // (BackgroundServiceExceptionBehavior.StopHost), rather than let it stop unnoticed.
                    _ = running.ContinueWith(
                        t =>
                        {
                            logger.LogCritical(t.Exception, "{Worker} stopped with an error; stopping the app", typeof(T).Name);
                            lifetime.StopApplication();
                        },
                        CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Stopped before it was due: nothing started, nothing to stop.
            }
            catch (Exception e)
            {
                logger.LogCritical(e, "{Worker} failed to start", typeof(T).Name);
                throw;
            }
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            // A host may be stopped twice (a test factory stops it, then disposes it); the second time there is nothing to do.
            if (Interlocked.Exchange(ref _stopped, 1) == 1)
            {
                return;
            }

            await _stopping.CancelAsync();
            try
            {
                await _starting;
            }
            catch (Exception)
            {
                // Logged where it happened; stopping goes on.
            }

            if (_worker is { } worker)
            {
                await worker.StopAsync(cancellationToken);
            }
        }

        public void Dispose()
        {
            // Disposed without being stopped (the container going away first): a pending start must not fire later.
            if (Interlocked.Exchange(ref _stopped, 1) == 0)
            {
                _stopping.Cancel();
            }

            _stopping.Dispose();
        }
    }
}
