using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Connectors;

/// <summary>
/// Runs <see cref="ISocialConnector.RunInboundAsync"/> once per active channel that has a registered connector and an
/// enabled connection, each in its own task. A connector that throws is logged (its exception type, never its
/// message: that may quote a payload), recorded as the channel's last error and restarted after an exponential,
/// jittered backoff. Channels added, changed or disabled are picked up when <see cref="ConnectorSignal"/> rings or
/// every <see cref="ConnectorOptions.ReconcileInterval"/>; shutdown cancels and awaits every run. With several nodes
/// on one PostgreSQL database a channel runs only on the node that leads it (<see cref="IConnectorLeadership"/>);
/// the others try to take the lead every <see cref="ConnectorOptions.LeadershipInterval"/>, so a dead node's
/// channels move within that interval of its lock session ending.
/// </summary>
public sealed class ConnectorHost(
    ConnectorRegistry registry,
    ConnectorContexts contexts,
    ConnectorHealthBoard board,
    ConnectorMetrics metrics,
    ConnectorSignal signal,
    IConnectorLeadership leadership,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    IOptions<ConnectorOptions> options,
    ILogger<ConnectorHost> logger) : BackgroundService
{
    private readonly Dictionary<long, Run> _runs = [];
    private DateTime _lastPersist = DateTime.MinValue;

    /// <summary>The wait before restart <paramref name="attempt"/> (1-based): base·2^(attempt−1), capped, then scaled by
    /// a jitter in [0.5, 1) so channels that failed together do not reconnect together ("equal jitter").</summary>
    public static TimeSpan Backoff(int attempt, ConnectorOptions o, double random01) =>
        Platform.Backoff.EqualJitter(Platform.Backoff.Exponential(attempt, o.RestartBaseDelay, o.RestartMaxDelay), random01);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (registry.Kinds.Count == 0)
        {
            return;
        }

        _ = metrics;   // resolving it registers the instruments
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ReconcileAsync(stoppingToken);
                    await PersistHealthAsync(force: false, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    // The database may be briefly away; the running connectors carry on and the next pass tries again.
                    logger.LogError(ex, "Connector host could not reconcile channels");
                }

                var wait = leadership.IsClustered && options.Value.LeadershipInterval < options.Value.ReconcileInterval
                    ? options.Value.LeadershipInterval
                    : options.Value.ReconcileInterval;
                await signal.WaitAsync(wait, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            await StopAllAsync();
        }
    }

    private async Task ReconcileAsync(CancellationToken ct)
    {
        if (!await leadership.IsAliveAsync(ct) && _runs.Count > 0)
        {
            // The lock session died: another node may already run these channels. Stop them all now.
            logger.LogWarning("Lost the connector lead; stopping {Channels} connector(s)", _runs.Count);
            foreach (var run in _runs.Values)
            {
                await StopAsync(run);
            }

            _runs.Clear();
        }

        foreach (var (id, run) in _runs.Where(r => r.Value.Task.IsCompleted).ToList())
        {
            // A run that ended because the lead moved elsewhere: forget it, and try again for the lead below.
            await StopAsync(run);
            _runs.Remove(id);
            await leadership.ResignAsync(id, ct);
        }

        var kinds = registry.Kinds.ToList();
        List<Wanted> wanted;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            wanted = await db.ChannelConnections.IgnoreQueryFilters().AsNoTracking()
                .Where(c => c.IsEnabled)
                .Join(db.Channels.IgnoreQueryFilters(), c => c.ChannelId, ch => ch.Id, (c, ch) => new { c, ch })
                .Where(x => x.ch.IsActive && kinds.Contains(x.ch.Kind) && x.ch.OrganisationId == x.c.OrganisationId)
                .Select(x => new Wanted(x.ch.Id, x.ch.Kind, x.c.UpdatedAt, x.ch.Account, x.c.LastEventAt, x.c.LastError, x.c.LastErrorAt))
                .ToListAsync(ct);
        }

        var byId = wanted.ToDictionary(w => w.ChannelId);
        foreach (var (id, run) in _runs.ToList())
        {
            if (!byId.TryGetValue(id, out var w) || w.Version != run.Version)
            {
                logger.LogInformation("Stopping connector for channel {ChannelId} ({Reason})", id, w is null ? "disabled" : "changed");
                await StopAsync(run);
                _runs.Remove(id);
                await leadership.ResignAsync(id, ct);
            }
        }

        foreach (var w in wanted.Where(w => !_runs.ContainsKey(w.ChannelId)))
        {
            if (!await leadership.TryLeadAsync(w.ChannelId, ct))
            {
                continue;   // another node runs it
            }

            var connector = registry.Find(w.Kind)!;
            var health = board.For(w.ChannelId, w.Kind);
            health.Restore(w.LastEventAt, w.LastError, w.LastErrorAt);
            var cts = new CancellationTokenSource();
            logger.LogInformation("Starting {ChannelKind} connector for channel {ChannelId}", w.Kind, w.ChannelId);
            var task = Task.Run(() => RunChannelAsync(connector, w.ChannelId, health, cts.Token), CancellationToken.None);
            _runs[w.ChannelId] = new Run(w.Version, cts, task);
        }
    }

    private async Task RunChannelAsync(ISocialConnector connector, long channelId, ChannelHealth health, CancellationToken ct)
    {
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            var started = clock.GetUtcNow();
            try
            {
                var context = await contexts.CreateAsync(channelId, ct);
                if (context is null)
                {
                    return;
                }

                health.IsRunning = true;
                await connector.RunInboundAsync(context, ct);
                // Push connectors (webhooks) return at once: their events arrive through an endpoint. Stay "running".
                await Task.Delay(Timeout.InfiniteTimeSpan, clock, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (ConnectorLeadershipLostException)
            {
                // Another node leads the channel now and carries on from the last checkpoint this node committed.
                logger.LogWarning("{ChannelKind} connector for channel {ChannelId} stopped: another node leads it now", connector.Kind, channelId);
                break;
            }
            catch (Exception ex)
            {
                health.Disconnected(null);
                health.Error(Describe(ex));
                health.Restarts++;
                attempt = clock.GetUtcNow() - started >= options.Value.HealthyRunResetsBackoffAfter ? 1 : attempt + 1;
                var delay = Backoff(attempt, options.Value, Random.Shared.NextDouble());
                // The exception's message may quote what the network sent (citizen text): log its type only.
                logger.LogWarning("{ChannelKind} connector for channel {ChannelId} failed with {ErrorType}; restart {Attempt} in {Delay}",
                    connector.Kind, channelId, ex.GetType().Name, attempt, delay);
                await PersistErrorAsync(channelId, health, ct);
                try
                {
                    await Task.Delay(delay, clock, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        health.IsRunning = false;
        health.Disconnected(null);
    }

    /// <summary>What the admin page shows: the type and the connector's own words (connectors keep secrets out of them).</summary>
    private static string Describe(Exception ex) => ex is HttpRequestException { StatusCode: { } status }
        ? $"{ex.GetType().Name}: HTTP {(int)status} {status}"
        : $"{ex.GetType().Name}: {ex.Message}";

    private async Task PersistErrorAsync(long channelId, ChannelHealth health, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            await db.ChannelConnections.IgnoreQueryFilters().Where(c => c.ChannelId == channelId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastError, health.LastError).SetProperty(c => c.LastErrorAt, health.LastErrorAt), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Could not record the last error of channel {ChannelId}: {ErrorType}", channelId, ex.GetType().Name);
        }
    }

    private async Task PersistHealthAsync(bool force, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (!force && now - _lastPersist < options.Value.HealthPersistInterval)
        {
            return;
        }

        _lastPersist = now;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        foreach (var h in board.All.Where(h => h.LastEventAt is not null))
        {
            var at = h.LastEventAt;
            await db.ChannelConnections.IgnoreQueryFilters().Where(c => c.ChannelId == h.ChannelId && (c.LastEventAt == null || c.LastEventAt < at))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastEventAt, at), ct);
        }
    }

    private async Task StopAllAsync()
    {
        foreach (var run in _runs.Values)
        {
            await run.Cancellation.CancelAsync();
        }

        foreach (var run in _runs.Values)
        {
            await StopAsync(run);
        }

        _runs.Clear();
        try
        {
            await PersistHealthAsync(force: true, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Could not record connector health at shutdown: {ErrorType}", ex.GetType().Name);
        }
    }

    private async Task StopAsync(Run run)
    {
        await run.Cancellation.CancelAsync();
        try
        {
            await run.Task;
        }
        catch (Exception ex)
        {
            logger.LogWarning("A connector did not stop cleanly: {ErrorType}", ex.GetType().Name);
        }

        run.Cancellation.Dispose();
    }

    private sealed record Wanted(long ChannelId, ChannelKind Kind, DateTime UpdatedAt, string? Account, DateTime? LastEventAt, string? LastError, DateTime? LastErrorAt)
    {
        public string Version => $"{UpdatedAt.Ticks}|{Account}";
    }

    private sealed record Run(string Version, CancellationTokenSource Cancellation, Task Task);
}
