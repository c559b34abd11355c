using System.Collections.Concurrent;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Outbound;

namespace CivicDesk.Web.Tests.Connectors;

/// <summary>What the fake network holds for one channel: posts to emit in batches, failures to inject.</summary>
public sealed class FakeStream
{
    public required IReadOnlyList<InboundPost> Posts { get; init; }
    public int BatchSize { get; init; } = 3;
    /// <summary>The first this many runs throw before reading anything.</summary>
    public int ThrowOnFirstRuns { get; init; }
    public DateTime NetworkTime { get; init; } = DateTime.UtcNow;

    /// <summary>The checkpoint each run started from (null on first start).</summary>
    public ConcurrentQueue<string?> Starts { get; } = new();
    public ConcurrentQueue<OutboundReply> Replies { get; } = new();
    public TaskCompletionSource Drained { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _runs;

    public int Runs => Volatile.Read(ref _runs);

    public int NextRun() => Interlocked.Increment(ref _runs);
}

/// <summary>
/// A connector for tests (kind Email, which no real connector serves): emits its channel's <see cref="FakeStream"/>
/// from the checkpoint (the index of the next post) in batches, reporting health, then waits; replies succeed with
/// an id and URL.
/// </summary>
public sealed class FakeConnector : ISocialConnector
{
    public const ChannelKind FakeKind = ChannelKind.Email;
    public ConcurrentDictionary<long, FakeStream> Streams { get; } = new();

    public ChannelKind Kind => FakeKind;

    public IReadOnlyList<ConnectorField> Fields { get; } =
    [
        new("base_url", "Base URL", Hint: "Where the fake network listens"),
        new("token", "Access token", Secret: true, Required: true),
    ];

    public async Task RunInboundAsync(ConnectorContext context, CancellationToken ct)
    {
        if (!Streams.TryGetValue(context.Channel.Id, out var stream))
        {
            await Task.Delay(Timeout.Infinite, ct);
            return;
        }

        stream.Starts.Enqueue(context.Checkpoint);
        if (stream.NextRun() <= stream.ThrowOnFirstRuns)
        {
            throw new InvalidOperationException("the fake network refused the connection");
        }

        context.Health.Connected();
        var next = context.Checkpoint is null ? 0 : int.Parse(context.Checkpoint, System.Globalization.CultureInfo.InvariantCulture);
        while (next < stream.Posts.Count)
        {
            var batch = stream.Posts.Skip(next).Take(stream.BatchSize).ToList();
            foreach (var _ in batch)
            {
                context.Health.EventReceived(stream.NetworkTime);
            }

            next += batch.Count;
            await context.Sink.CommitAsync(batch, next.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        }

        stream.Drained.TrySetResult();
        await Task.Delay(Timeout.Infinite, ct);
    }

    public Task<DeliveryResult> ReplyAsync(ConnectorContext context, OutboundReply reply, CancellationToken ct)
    {
        if (!context.Secrets.TryGetValue("token", out var token) || token.Length == 0)
        {
            return Task.FromResult(DeliveryResult.Failed("no token"));
        }

        Streams.GetOrAdd(context.Channel.Id, _ => new FakeStream { Posts = [] }).Replies.Enqueue(reply);
        return Task.FromResult(DeliveryResult.Sent($"fake-{reply.OutboundId}", $"https://fake.example/post/fake-{reply.OutboundId}"));
    }
}
