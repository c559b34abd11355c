using System.Diagnostics;
using System.Threading.Channels;
using CivicDesk.Triage;
using CivicDesk.Web.Features.Places;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Features.Triage;
using CivicDesk.Web.Platform;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// One pipeline stage as a hosted worker: reads submissions from its bounded queue, does its step and writes them
/// to the next queue (waiting when that is full). A submission whose step throws is failed (its submitter gets the
/// error) and the stage carries on with the next. On shutdown the first queue is closed when the host starts
/// stopping; each stage drains its queue, closes the next one and ends, so what was accepted is finished.
/// </summary>
public abstract class IngestStage : BackgroundService
{
    private readonly ChannelReader<IngestJob> _input;
    private readonly ChannelWriter<IngestJob>? _output;

    private readonly CivicDeskMetrics _metrics;
    private readonly KeyValuePair<string, object?> _stageTag;

    private protected IngestStage(string name, Channel<IngestJob> input, Channel<IngestJob>? output, CivicDeskMetrics metrics, ILogger logger)
    {
        Name = name;
        _input = input.Reader;
        _output = output?.Writer;
        _metrics = metrics;
        Logger = logger;
        _stageTag = new("stage", name);
    }

    protected string Name { get; }

    private protected CivicDeskMetrics Metrics => _metrics;

    protected ILogger Logger { get; }

    /// <summary>Does this stage's step to one submission; an exception fails that submission only.</summary>
    private protected abstract ValueTask ProcessAsync(IngestJob job, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(_input, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host gave up waiting for the drain; what is left is failed below.
        }
        finally
        {
            _output?.TryComplete();
            while (_input.TryRead(out var left))
            {
                left.Fail(Stopped());
            }
        }
    }

    private protected virtual async Task RunAsync(ChannelReader<IngestJob> input, CancellationToken stoppingToken)
    {
        while (await input.WaitToReadAsync(stoppingToken))
        {
            while (input.TryRead(out var job))
            {
                if (DropsCancelledJobs && job.Cancellation.IsCancellationRequested)
                {
                    job.Cancel();
                    continue;
                }

                if (await TryProcessAsync(job, stoppingToken))
                {
                    await ForwardAsync(job, stoppingToken);
                }
            }
        }
    }

    private protected async ValueTask<bool> TryProcessAsync(IngestJob job, CancellationToken stoppingToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await ProcessAsync(job, stoppingToken);
            RecordDuration(started);
            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            job.Fail(Stopped());
            throw;
        }
        catch (ArgumentException e)
        {
            IngestLog.StageRefused(Logger, Name, job.Batch.Posts.Count, job.Batch.OrganisationId, job.Batch.ChannelId, e.Message);
            job.Fail(e);
            return false;
        }
        catch (Exception e)
        {
            IngestLog.StageFailed(Logger, e, Name, job.Batch.Posts.Count, job.Batch.OrganisationId, job.Batch.ChannelId);
            job.Fail(e);
            return false;
        }
    }

    private protected async ValueTask ForwardAsync(IngestJob job, CancellationToken stoppingToken)
    {
        if (_output is null)
        {
            return;
        }

        try
        {
            await _output.WriteAsync(job, stoppingToken);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            job.Fail(Stopped());
            throw;
        }
    }

    /// <summary>Records the time since <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) as this stage's.</summary>
    private protected void RecordDuration(long started) =>
        _metrics.IngestStageLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, _stageTag);

    private protected static IngestUnavailableException Stopped() =>
        new("The application stopped before confirming the batch; resending it is safe.");

    /// <summary>False for stages after the commit: their work must happen even when nobody waits for the answer.</summary>
    private protected virtual bool DropsCancelledJobs => true;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Drain first: the upstream stage closes this stage's queue when it has finished, and the first queue is
        // closed when the host starts stopping. Only when the host's shutdown timeout runs out is the work cancelled.
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

/// <summary>Accept: checks the envelope (the channel belongs to the organisation) and stamps the time received.</summary>
public sealed class AcceptStage : IngestStage
{
    private readonly ChannelDirectory _channels;
    private readonly TimeProvider _clock;

    public AcceptStage(IngestQueues queues, ChannelDirectory channels, TimeProvider clock, IHostApplicationLifetime lifetime, CivicDeskMetrics metrics,
        ILogger<AcceptStage> logger)
        : base("accept", queues.Accepted, queues.Normalise, metrics, logger)
    {
        _channels = channels;
        _clock = clock;
        // Nothing new once the host starts stopping; everything before that drains through the stages.
        lifetime.ApplicationStopping.Register(() => queues.Accepted.Writer.TryComplete());
    }


    private protected override async ValueTask ProcessAsync(IngestJob job, CancellationToken ct)
    {
        var batch = job.Batch;
        var owner = await _channels.OrganisationOfAsync(batch.ChannelId, ct);
        if (owner != batch.OrganisationId)
        {
            throw new ArgumentException($"Channel {batch.ChannelId} does not belong to organisation {batch.OrganisationId}.", nameof(job));
        }

        job.ReceivedAt = MessageStore.ToMicroseconds(_clock.GetUtcNow().UtcDateTime);
        job.Posts = batch.Posts.Select(p => new StagedPost(p)).ToArray();
    }
}

/// <summary>Normalise: text trimmed, NFC, control characters stripped, lengths checked, creation time defaulted.</summary>
public sealed class NormaliseStage(IngestQueues queues, IOptions<IngestionOptions> options, CivicDeskMetrics metrics, ILogger<NormaliseStage> logger)
    : IngestStage("normalise", queues.Normalise, queues.Triage, metrics, logger)
{

    private protected override ValueTask ProcessAsync(IngestJob job, CancellationToken ct)
    {
        var maxText = options.Value.MaxTextLength;
        for (var i = 0; i < job.Posts.Length; i++)
        {
            job.Posts[i].Post = PostNormaliser.Normalise(job.Posts[i].Post, i, job.ReceivedAt, maxText);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Triage: labels each post with the organisation's engine (<see cref="TriageEngines"/>), timing every call.</summary>
public sealed class TriageStage(IngestQueues queues, TriageEngines engines, CivicDeskMetrics metrics, ILogger<TriageStage> logger)
    : IngestStage("triage", queues.Triage, queues.Route, metrics, logger)
{

    private protected override async ValueTask ProcessAsync(IngestJob job, CancellationToken ct)
    {
        var engine = await engines.ForAsync(job.Batch.OrganisationId, ct);
        var channelKind = new KeyValuePair<string, object?>("channel.kind", job.Batch.ChannelKind.ToString());
        foreach (var staged in job.Posts)
        {
            var post = staged.Post;
            var started = Stopwatch.GetTimestamp();
            try
            {
                staged.Triage = engine.Triage(new TriageInput(post.Text, post.Latitude, post.Longitude));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A triage bug must not lose a citizen's message: store it unlabelled for a person to look at.
                IngestLog.TriageFailed(Logger, e, post.ExternalId, job.Batch.ChannelId);
            }

            Metrics.TriageLatency.Record(Stopwatch.GetElapsedTime(started).TotalMicroseconds, channelKind);
        }
    }
}

/// <summary>Route: asks <see cref="RoutingService"/> which team each post goes to (it caches per organisation).</summary>
public sealed class RouteStage(IngestQueues queues, RoutingService routing, PlaceResolver places, CivicDeskMetrics metrics, ILogger<RouteStage> logger)
    : IngestStage("route", queues.Route, queues.Persist, metrics, logger)
{

    private protected override async ValueTask ProcessAsync(IngestJob job, CancellationToken ct)
    {
        // Places: streets named in the text resolved against the organisation's gazetteer (Features/Places).
        await places.ResolveAsync(job, ct);

        foreach (var staged in job.Posts)
        {
            var t = staged.Triage;
            // A service group triage is unsure of is not routed on: only rules that do not need the category can
            // claim the message, else it waits for a person in the default team's "needs a human" queue.
            var category = t is { NeedsHuman: true } ? null : t?.Category.Value;
            var decision = await routing.RouteAsync(job.Batch.OrganisationId, new RoutingInput(staged.Post.Text, job.Batch.ChannelKind,
                t?.Kind.Value, category, t?.Sentiment.Value, t?.Urgency.IsUrgent ?? false, t?.Place?.Text), ct);
            staged.Routing = t is { NeedsHuman: true } ? decision with { Reason = $"needs a human ({t.NeedsHumanReason}); {decision.Reason}" } : decision;
        }
    }
}

/// <summary>
/// Persist: takes as many waiting submissions as fit in <see cref="IngestionOptions.BatchSize"/> messages (a larger
/// submission goes alone) and stores them in one transaction. If that fails and it held several submissions, each
/// is retried alone, so one bad submission cannot sink the others; a database outage fails each of them.
/// </summary>
public sealed class PersistStage(IngestQueues queues, MessageStore store, IOptions<IngestionOptions> options, CivicDeskMetrics metrics,
    ILogger<PersistStage> logger)
    : IngestStage("persist", queues.Persist, queues.Notify, metrics, logger)
{

    private protected override async Task RunAsync(ChannelReader<IngestJob> input, CancellationToken stoppingToken)
    {
        var batchSize = options.Value.BatchSize;
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

            throw;
        }
    }

    private async Task StoreAsync(List<IngestJob> batch, CancellationToken stoppingToken)
    {
        if (batch.Count > 1)
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                await store.SaveAsync(batch, stoppingToken);
                RecordDuration(started);
                foreach (var job in batch)
                {
                    await ForwardAsync(job, stoppingToken);
                }

                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                IngestLog.BatchSplit(Logger, e, batch.Count);
            }
        }

        foreach (var job in batch)
        {
            if (await TryProcessAsync(job, stoppingToken))
            {
                await ForwardAsync(job, stoppingToken);
            }
        }
    }

    /// <summary>Stores one submission in its own transaction.</summary>
    private protected override async ValueTask ProcessAsync(IngestJob job, CancellationToken ct) => await store.SaveAsync([job], ct);
}

/// <summary>Notify: answers the submitters, counts what was stored and tells the inbox something arrived.</summary>
public sealed class NotifyStage(IngestQueues queues, CivicDeskMetrics metrics, InboxNotifications inbox, ILogger<NotifyStage> logger)
    : IngestStage("notify", queues.Notify, null, metrics, logger)
{

    private protected override bool DropsCancelledJobs => false;

    private protected override ValueTask ProcessAsync(IngestJob job, CancellationToken ct)
    {
        var outcome = job.Outcome ?? throw new InvalidOperationException("A batch reached notify without being stored.");
        job.Complete(outcome);
        var channelKind = new KeyValuePair<string, object?>("channel.kind", job.Batch.ChannelKind.ToString());
        if (outcome.Accepted > 0)
        {
            Metrics.MessagesIngested.Add(outcome.Accepted, channelKind);
            inbox.Publish(job.Batch.OrganisationId);
        }

        if (outcome.AlreadyKnown > 0)
        {
            Metrics.MessagesDuplicate.Add(outcome.AlreadyKnown, channelKind);
        }

        if (job.Transaction is { Recorded: false } transaction)
        {
            // Several submissions share one transaction: its duration is one observation.
            transaction.Recorded = true;
            Metrics.BatchLatency.Record(transaction.Duration.TotalMilliseconds);
        }

        return ValueTask.CompletedTask;
    }
}
