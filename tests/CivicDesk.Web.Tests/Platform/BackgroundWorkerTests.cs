using CivicDesk.Web.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CivicDesk.Web.Tests.Platform;

/// <summary>
/// Periodic workers start a while after the app listens (<see cref="BackgroundWorkers.AddBackgroundWorker{T}"/>), are
/// made only then, are stopped with the app, and a worker that dies still stops the app as the host would.
/// </summary>
public sealed class BackgroundWorkerTests
{
    private sealed class Probe
    {
        public int Made;
        public readonly TaskCompletionSource Running = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource Stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Fail;
    }

    private sealed class ProbeWorker : BackgroundService
    {
        private readonly Probe _probe;

        public ProbeWorker(Probe probe)
        {
            _probe = probe;
            Interlocked.Increment(ref probe.Made);
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            _probe.Running.TrySetResult();
            if (_probe.Fail)
            {
                throw new InvalidOperationException("the probe fails");
            }

            try
            {
                await Task.Delay(Timeout.Infinite, stoppingToken);
            }
            finally
            {
                _probe.Stopped.TrySetResult();
            }
        }
    }

    private static IHost Build(Probe probe, double delaySeconds)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["BackgroundWorkers:StartDelaySeconds"] = delaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        builder.Services.AddSingleton(probe);
        builder.Services.AddBackgroundWorker<ProbeWorker>();
        return builder.Build();
    }

    [Fact]
    public async Task A_worker_is_not_made_at_start_and_never_if_the_app_stops_before_it_is_due()
    {
        var probe = new Probe();
        using var host = Build(probe, delaySeconds: 300);
        await host.StartAsync();
        probe.Made.ShouldBe(0, "the worker and its dependencies wait for the delay");
        await host.StopAsync();
        probe.Made.ShouldBe(0);
        probe.Running.Task.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task A_worker_starts_after_the_delay_and_stops_with_the_app()
    {
        var probe = new Probe();
        using var host = Build(probe, delaySeconds: 0.2);
        await host.StartAsync();
        await probe.Running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        probe.Made.ShouldBe(1);
        await host.StopAsync();
        await probe.Stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task With_no_delay_the_worker_starts_with_the_host()
    {
        var probe = new Probe();
        using var host = Build(probe, delaySeconds: 0);
        await host.StartAsync();
        probe.Made.ShouldBe(1);
        await probe.Running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await host.StopAsync();
        await probe.Stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_deferred_worker_that_dies_stops_the_app()
    {
        var probe = new Probe { Fail = true };
        using var host = Build(probe, delaySeconds: 0.1);
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        await host.StartAsync();
        await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await host.StopAsync();
    }
}
