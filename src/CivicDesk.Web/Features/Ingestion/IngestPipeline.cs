using System.Threading.Channels;
using CivicDesk.Triage;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Platform;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// Entry point for every channel: submit a batch, get the outcome once it is committed.
/// <para>
/// Behind it runs one bounded pipeline of hosted workers, accept → normalise → triage → route → persist → notify
/// (see <see cref="IngestStage"/>). Each queue is bounded and writers wait when it is full, so a flood slows
/// submitters down instead of growing memory. The persist stage coalesces several submissions into one database
/// transaction; <see cref="SubmitAsync"/> returns only after that transaction has committed, and throws the
/// error if it failed. A submission is all-or-nothing: it is never split across transactions.
/// </para>
/// </summary>
public sealed class IngestPipeline
{
    private readonly IngestQueues _queues;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly IOptions<IngestionOptions> _options;

    public IngestPipeline(IngestQueues queues, IHostApplicationLifetime lifetime, IOptions<IngestionOptions> options)
    {
        _queues = queues;
        _lifetime = lifetime;
        _options = options;
    }

    /// <summary>
    /// Stores the posts (re-deliveries of a known (channel, external id) are reported as duplicates, never stored
    /// twice) and returns once they are durably committed. Throws <see cref="ArgumentException"/> for a post that
    /// cannot be stored (nothing of the batch is then stored), <see cref="IngestUnavailableException"/> before the host
    /// has started or while it stops, or the database's error. Cancelling <paramref name="ct"/> stops waiting; the
    /// batch is dropped if it has not reached the database yet.
    /// </summary>
    public async Task<IngestOutcome> SubmitAsync(IngestBatch batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Posts.Count == 0)
        {
            return new IngestOutcome(0, 0, []);
        }

        var max = _options.Value.MaxBatchMessages;
        if (batch.Posts.Count > max)
        {
            throw new ArgumentException($"A batch holds at most {max} posts; this one has {batch.Posts.Count}.", nameof(batch));
        }

        if (!_lifetime.ApplicationStarted.IsCancellationRequested)
        {
            // The workers start with the host; waiting for them here would hang (e.g. when seeding before RunAsync).
            throw new IngestUnavailableException("The ingest pipeline starts with the host; submit once the application has started.");
        }

        var job = _queues.NewJob(batch, ct);
        try
        {
            await _queues.Accepted.Writer.WriteAsync(job, ct);
        }
        catch (ChannelClosedException e)
        {
            job.Cancel();
            throw new IngestUnavailableException("The application is shutting down and takes no more messages.", e);
        }
        catch (OperationCanceledException)
        {
            job.Cancel();
            throw;
        }

        return await job.Completion.Task.WaitAsync(ct);
    }
}

/// <summary>The bounded queues between the stages, and the count of posts submitted but not yet answered.</summary>
public sealed class IngestQueues
{
    private long _postsInFlight;

    public IngestQueues(IOptions<IngestionOptions> options, CivicDeskMetrics metrics)
    {
        var capacity = options.Value.QueueCapacity;
        Accepted = Create(capacity, singleWriter: false);
        Normalise = Create(capacity, singleWriter: true);
        Triage = Create(capacity, singleWriter: true);
        Route = Create(capacity, singleWriter: true);
        Persist = Create(capacity, singleWriter: true);
        Notify = Create(capacity, singleWriter: true);
        metrics.ObserveGauge("civicdesk.ingest.queue.depth", () => Interlocked.Read(ref _postsInFlight),
            "Posts submitted to the ingest pipeline and not yet committed or refused");
    }

    internal Channel<IngestJob> Accepted { get; }
    internal Channel<IngestJob> Normalise { get; }
    internal Channel<IngestJob> Triage { get; }
    internal Channel<IngestJob> Route { get; }
    internal Channel<IngestJob> Persist { get; }
    internal Channel<IngestJob> Notify { get; }

    /// <summary>Posts submitted and not yet committed, refused or dropped.</summary>
    public long PostsInFlight => Interlocked.Read(ref _postsInFlight);

    internal IngestJob NewJob(IngestBatch batch, CancellationToken ct)
    {
        Interlocked.Add(ref _postsInFlight, batch.Posts.Count);
        return new IngestJob(batch, this, ct);
    }

    internal void Finished(IngestJob job) => Interlocked.Add(ref _postsInFlight, -job.Batch.Posts.Count);

    private static Channel<IngestJob> Create(int capacity, bool singleWriter) =>
        Channel.CreateBounded<IngestJob>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = singleWriter,
        });
}

/// <summary>One submitted batch on its way through the stages; each stage owns it while working on it.</summary>
internal sealed class IngestJob(IngestBatch batch, IngestQueues owner, CancellationToken cancellation)
{
    private int _finished;

    public IngestBatch Batch => batch;

    /// <summary>The submitter's token: once it is cancelled nobody waits for the answer, so stages drop the job.</summary>
    public CancellationToken Cancellation => cancellation;

    public TaskCompletionSource<IngestOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When CivicDesk accepted the batch (UTC, microseconds: PostgreSQL keeps no finer precision).</summary>
    public DateTime ReceivedAt { get; set; }

    public StagedPost[] Posts { get; set; } = [];

    public IngestOutcome? Outcome { get; set; }

    /// <summary>The database transaction that stored it (shared by the submissions coalesced into it).</summary>
    public IngestTransaction? Transaction { get; set; }

    public void Complete(IngestOutcome outcome)
    {
        if (Finish())
        {
            Completion.TrySetResult(outcome);
        }
    }

    public void Fail(Exception error)
    {
        if (Finish())
        {
            Completion.TrySetException(error);
        }
    }

    public void Cancel()
    {
        if (Finish())
        {
            Completion.TrySetCanceled(cancellation.IsCancellationRequested ? cancellation : CancellationToken.None);
        }
    }

    private bool Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return false;
        }

        owner.Finished(this);
        return true;
    }
}

/// <summary>One committed database transaction of the persist stage.</summary>
internal sealed class IngestTransaction(TimeSpan duration)
{
    public TimeSpan Duration => duration;

    /// <summary>Set by the notify stage once it has recorded the duration.</summary>
    public bool Recorded { get; set; }
}

/// <summary>One post and what the stages found out about it.</summary>
internal sealed class StagedPost(InboundPost post)
{
    public InboundPost Post { get; set; } = post;
    public TriageResult? Triage { get; set; }
    public RoutingDecision? Routing { get; set; }

    // Set by the persist stage.
    public long MessageId { get; set; }
    public long ConversationId { get; set; }
    public string? Reference { get; set; }
    public bool Duplicate { get; set; }
    /// <summary>An earlier post in the same database batch with the same (channel, external id).</summary>
    public StagedPost? SameAs { get; set; }
}
