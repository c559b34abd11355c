using System.Threading.Channels;
using CivicDesk.Triage;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Platform;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// Entry point for every channel: submit a batch, get the outcome once it is committed.
/// <para>
/// Behind it: one bounded queue of submissions read by several <see cref="IngestPrepare"/> workers in parallel (one
/// per core: check, clean, look up what is already stored, triage, place and route — pure work on the submission's
/// own posts, no shared mutable state), feeding one bounded queue read by a single persist writer
/// (<see cref="IngestWorkers"/>), which coalesces several submissions into one database transaction and answers the
/// submitters after the commit. Both queues are bounded and writers wait when they are full, so a flood slows
/// submitters down instead of growing memory. <see cref="SubmitAsync"/> returns only after the transaction has
/// committed, and throws the error if it failed. A submission is all-or-nothing: it is never split across transactions.
/// </para>
/// </summary>
public sealed class IngestPipeline(IngestQueues queues, IHostApplicationLifetime lifetime, IOptions<IngestionOptions> options)
{
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

        var max = options.Value.MaxBatchMessages;
        if (batch.Posts.Count > max)
        {
            throw new ArgumentException($"A batch holds at most {max} posts; this one has {batch.Posts.Count}.", nameof(batch));
        }

        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            // The workers start with the host; waiting for them here would hang (e.g. when seeding before RunAsync).
            throw new IngestUnavailableException("The ingest pipeline starts with the host; submit once the application has started.");
        }

        var job = queues.NewJob(batch, ct);
        try
        {
            await queues.Prepare.Writer.WriteAsync(job, ct);
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

/// <summary>The two bounded queues (to prepare, to persist), and the count of posts submitted but not yet answered.</summary>
public sealed class IngestQueues
{
    private long _postsInFlight;

    public IngestQueues(IOptions<IngestionOptions> options, CivicDeskMetrics metrics)
    {
        var capacity = options.Value.QueueCapacity;
        Prepare = Channel.CreateBounded<IngestJob>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
        Persist = Channel.CreateBounded<IngestJob>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        metrics.ObserveGauge("civicdesk.ingest.queue.depth", () => Interlocked.Read(ref _postsInFlight),
            "Posts submitted to the ingest pipeline and not yet committed or refused");
    }

    internal Channel<IngestJob> Prepare { get; }
    internal Channel<IngestJob> Persist { get; }

    /// <summary>Posts submitted and not yet committed, refused or dropped.</summary>
    public long PostsInFlight => Interlocked.Read(ref _postsInFlight);

    internal IngestJob NewJob(IngestBatch batch, CancellationToken ct)
    {
        Interlocked.Add(ref _postsInFlight, batch.Posts.Count);
        return new IngestJob(batch, this, ct);
    }

    internal void Finished(IngestJob job) => Interlocked.Add(ref _postsInFlight, -job.Batch.Posts.Count);
}

/// <summary>
/// One submitted batch on its way: a prepare worker fills <see cref="Posts"/> and hands it on; from then on only the
/// persist writer touches it.
/// </summary>
internal sealed class IngestJob(IngestBatch batch, IngestQueues owner, CancellationToken cancellation)
{
    private int _finished;

    public IngestBatch Batch => batch;

    /// <summary>The submitter's token: once it is cancelled nobody waits for the answer, so the job is dropped before the database.</summary>
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

/// <summary>One committed database transaction of the persist writer.</summary>
internal sealed class IngestTransaction(TimeSpan duration)
{
    public TimeSpan Duration => duration;

    /// <summary>Set once its duration has been recorded (several submissions share one transaction).</summary>
    public bool Recorded { get; set; }
}

/// <summary>
/// One post as the prepare step left it (cleaned, place applied, labelled, routed: values it computed, set once), and
/// the persist writer's outcome for it.
/// </summary>
internal sealed class StagedPost(InboundPost post, TriageResult? triage = null, RoutingDecision? routing = null, bool knownBefore = false)
{
    public InboundPost Post => post;
    public TriageResult? Triage => triage;
    public RoutingDecision? Routing => routing;

    /// <summary>Already stored when the prepare step looked: not triaged, reported as a duplicate by the writer.</summary>
    public bool KnownBefore => knownBefore;

    /// <summary>Its Messages row as the prepare step built it (<see cref="MessageStore.RowFor"/>), so the writer does not.</summary>
    public object?[]? Row { get; set; }

    // Set by the persist writer.
    public long MessageId { get; set; }
    public long ConversationId { get; set; }
    public string? Reference { get; set; }
    public bool Duplicate { get; set; }
    /// <summary>An earlier post in the same database batch with the same (channel, external id).</summary>
    public StagedPost? SameAs { get; set; }
}
