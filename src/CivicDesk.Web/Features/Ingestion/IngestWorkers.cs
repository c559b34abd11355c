using System.Diagnostics;
using System.Threading.Channels;
using CivicDesk.Web.Platform;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// The pipeline's workers as one hosted service: <see cref="IngestionOptions.PrepareWorkers"/> prepare loops read
/// submissions in parallel and hand them to one persist loop, which takes as many waiting submissions as fit in
/// <see cref="IngestionOptions.BatchSize"/> messages (a larger submission goes alone), stores them in one transaction,
/// then answers each submitter, counts what was stored and tells the inbox. If a coalesced transaction fails, each
/// submission is retried alone, so one bad submission cannot sink the others; a database outage fails each of them.
/// <para>
/// Shutdown drains: the prepare queue closes when the host starts stopping, the prepare loops finish what was
/// accepted, then the persist queue closes and the writer commits what is left. Only when the host's shutdown timeout
/// runs out is work cancelled, and its submitters are told that resending is safe.
/// </para>
/// </summary>
public sealed class IngestWorkers : BackgroundService
{
    private static readonly KeyValuePair<string, object?> PrepareTag = new("stage", "prepare");
    private static readonly KeyValuePair<string, object?> PersistTag = new("stage", "persist");

    private readonly IngestQueues _queues;
    private readonly IngestPrepare _prepare;
    private readonly MessageStore _store;
    private readonly InboxNotifications _inbox;
    private readonly IOptions<IngestionOptions> _options;
    private readonly CivicDeskMetrics _metrics;
    private readonly ILogger<IngestWorkers> _logger;

    public IngestWorkers(IngestQueues queues, IngestPrepare prepare, MessageStore store, InboxNotifications inbox, IOptions<IngestionOptions> options,
        CivicDeskMetrics metrics, IHostApplicationLifetime lifetime, ILogger<IngestWorkers> logger)
    {
        _queues = queues;
        _prepare = prepare;
        _store = store;
        _inbox = inbox;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        // Nothing new once the host starts stopping; everything before that drains through.
        lifetime.ApplicationStopping.Register(() => queues.Prepare.Writer.TryComplete());
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = _options.Value.PrepareWorkers ?? Environment.ProcessorCount;
        var persist = Task.Run(() => PersistLoopAsync(stoppingToken), CancellationToken.None);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => PrepareLoopAsync(stoppingToken), CancellationToken.None)));
        }
        finally
        {
            _queues.Persist.Writer.TryComplete();
            await persist;
        }
    }

    private async Task PrepareLoopAsync(CancellationToken stoppingToken)
    {
        var input = _queues.Prepare.Reader;
        try
        {
            while (await input.WaitToReadAsync(stoppingToken))
            {
                while (input.TryRead(out var job))
                {
                    if (job.Cancellation.IsCancellationRequested)
                    {
                        job.Cancel();
                        continue;
                    }

                    if (await TryPrepareAsync(job, stoppingToken))
                    {
                        await ForwardAsync(job, stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host gave up waiting for the drain.
        }
        finally
        {
            while (input.TryRead(out var left))
            {
                left.Fail(Stopped());
            }
        }
    }

    private async ValueTask<bool> TryPrepareAsync(IngestJob job, CancellationToken stoppingToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _prepare.PrepareAsync(job, stoppingToken);
            _metrics.IngestStageLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, PrepareTag);
            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            job.Fail(Stopped());
            throw;
        }
        catch (ArgumentException e)
        {
            IngestLog.StageRefused(_logger, "prepare", job.Batch.Posts.Count, job.Batch.OrganisationId, job.Batch.ChannelId, e.Message);
            job.Fail(e);
            return false;
        }
        catch (Exception e)
        {
            IngestLog.StageFailed(_logger, e, "prepare", job.Batch.Posts.Count, job.Batch.OrganisationId, job.Batch.ChannelId);
            job.Fail(e);
            return false;
        }
    }

    private async ValueTask ForwardAsync(IngestJob job, CancellationToken stoppingToken)
    {
        try
        {
            // Waits while the writer is behind: back-pressure reaches the prepare loops and, through them, the submitters.
            await _queues.Persist.Writer.WriteAsync(job, stoppingToken);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            job.Fail(Stopped());
            throw;
        }
    }

    private async Task PersistLoopAsync(CancellationToken stoppingToken)
    {
        var input = _queues.Persist.Reader;
        var batchSize = _options.Value.BatchSize;
        var batch = new List<IngestJob>();
        IngestJob? carried = null;
        try
        {
            while (carried is not null || await input.WaitToReadAsync(stoppingToken))
            {
                var size = 0;
                if (carried is not null)
                {
                    batch.Add(carried);
                    size = carried.Posts.Length;
                    carried = null;
                }

                while (size < batchSize && input.TryRead(out var job))
                {
                    if (job.Cancellation.IsCancellationRequested)
                    {
                        job.Cancel();
                    }
                    else if (batch.Count > 0 && size + job.Posts.Length > batchSize)
                    {
                        carried = job;
                        break;
                    }
                    else
                    {
                        batch.Add(job);
                        size += job.Posts.Length;
                    }
                }

                if (batch.Count > 0)
                {
                    await StoreAsync(batch, stoppingToken);
                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Failing a job that did commit is harmless: the message says resending is safe, and it is.
            foreach (var job in carried is null ? batch : [.. batch, carried])
            {
                job.Fail(Stopped());
            }
        }
        finally
        {
            while (input.TryRead(out var left))
            {
                left.Fail(Stopped());
            }
        }
    }

    private async Task StoreAsync(List<IngestJob> batch, CancellationToken stoppingToken)
    {
        if (batch.Count > 1)
        {
            try
            {
                await SaveAsync(batch, stoppingToken);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                IngestLog.BatchSplit(_logger, e, batch.Count);
            }
        }

        foreach (var job in batch)
        {
            try
            {
                await SaveAsync([job], stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                IngestLog.StageFailed(_logger, e, "persist", job.Batch.Posts.Count, job.Batch.OrganisationId, job.Batch.ChannelId);
                job.Fail(e);
            }
        }
    }

    private async Task SaveAsync(List<IngestJob> jobs, CancellationToken stoppingToken)
    {
        var started = Stopwatch.GetTimestamp();
        await _store.SaveAsync(jobs, stoppingToken);
        _metrics.IngestStageLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, PersistTag);
        foreach (var job in jobs)
        {
            Answer(job);
        }
    }

    /// <summary>After the commit: the submitter's answer, the counters and the inbox's live update.</summary>
    private void Answer(IngestJob job)
    {
        var outcome = job.Outcome ?? throw new InvalidOperationException("A batch was answered without being stored.");
        job.Complete(outcome);
        var channelKind = new KeyValuePair<string, object?>("channel.kind", job.Batch.ChannelKind.ToString());
        if (outcome.Accepted > 0)
        {
            _metrics.MessagesIngested.Add(outcome.Accepted, channelKind);
            _inbox.Publish(job.Batch.OrganisationId);
        }

        if (outcome.AlreadyKnown > 0)
        {
            _metrics.MessagesDuplicate.Add(outcome.AlreadyKnown, channelKind);
        }

        if (job.Transaction is { Recorded: false } transaction)
        {
            transaction.Recorded = true;
            _metrics.BatchLatency.Record(transaction.Duration.TotalMilliseconds);
        }
    }

    private static IngestUnavailableException Stopped() =>
        new("The application stopped before confirming the batch; resending it is safe.");

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Drain first (the prepare queue was closed when the host started stopping); only when the host's shutdown
        // timeout runs out is the work cancelled.
        if (ExecuteTask is { } running)
        {
            try
            {
                await running.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Shutdown timeout: fall through and cancel.
            }
        }

        await base.StopAsync(cancellationToken);
    }
}
