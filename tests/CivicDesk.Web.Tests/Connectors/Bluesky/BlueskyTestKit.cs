using System.Collections.Concurrent;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Connectors.Bluesky;

/// <summary>The genuine Bluesky payloads in ../shared/data/payloads/bluesky (see <see cref="SharedData"/>).</summary>
public static class BlueskyPayloads
{
    public const string Relative = "payloads/bluesky";

    public static string Folder => SharedData.Folder(Relative);

    public static string PathOf(string name) => Path.Combine(Folder, name);
}

/// <summary>
/// An in-memory stand-in for the connector host's sink with the same promises: (external id) idempotency, edits and
/// tombstones of stored posts only, and the checkpoint recorded only with (after) its batch.
/// </summary>
public sealed class MemorySink : IConnectorSink
{
    private readonly object _gate = new();
    private readonly Dictionary<string, InboundPost> _posts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);
    private readonly List<(string Id, string Text)> _edits = [];
    private readonly List<(Func<string?, bool> Until, TaskCompletionSource Reached)> _waiters = [];

    public string? Checkpoint { get; private set; }
    public int Commits { get; private set; }
    public int DuplicatesSeen { get; private set; }

    public IReadOnlyDictionary<string, InboundPost> Posts { get { lock (_gate) { return new Dictionary<string, InboundPost>(_posts); } } }
    public IReadOnlyCollection<string> Deleted { get { lock (_gate) { return _deleted.ToArray(); } } }
    public IReadOnlyList<(string Id, string Text)> Edits { get { lock (_gate) { return _edits.ToArray(); } } }

    /// <summary>Completes when a stored checkpoint satisfies <paramref name="until"/>.</summary>
    public Task WaitForCheckpointAsync(Func<string?, bool> until, TimeSpan timeout)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (until(Checkpoint))
            {
                reached.TrySetResult();
            }
            else
            {
                _waiters.Add((until, reached));
            }
        }

        return reached.Task.WaitAsync(timeout);
    }

    public Task<IngestOutcome> CommitAsync(IReadOnlyList<InboundPost> posts, string? checkpoint, CancellationToken ct)
    {
        lock (_gate)
        {
            int accepted = 0, known = 0;
            foreach (var p in posts)
            {
                if (_posts.TryAdd(p.ExternalId, p)) { accepted++; } else { known++; DuplicatesSeen++; }
            }

            Commits++;
            if (checkpoint is not null)
            {
                SetCheckpoint(checkpoint);
            }

            return Task.FromResult(new IngestOutcome(accepted, known, []));
        }
    }

    public Task EditAsync(string externalId, string newText, DateTime editedAt, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_posts.TryGetValue(externalId, out var p))
            {
                _posts[externalId] = p with { Text = newText };
                _edits.Add((externalId, newText));
            }
        }

        return Task.CompletedTask;
    }

    public Task DeleteAsync(string externalId, DateTime deletedAt, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_posts.ContainsKey(externalId))
            {
                _deleted.Add(externalId);
            }
        }

        return Task.CompletedTask;
    }

    public Task SaveCheckpointAsync(string checkpoint, CancellationToken ct)
    {
        lock (_gate)
        {
            SetCheckpoint(checkpoint);
        }

        return Task.CompletedTask;
    }

    private void SetCheckpoint(string checkpoint)
    {
        Checkpoint = checkpoint;
        foreach (var (until, reached) in _waiters)
        {
            if (until(checkpoint))
            {
                reached.TrySetResult();
            }
        }
    }
}

public sealed class RecordingHealth : IConnectorHealth
{
    public ConcurrentQueue<(string Identifier, string Problem)> Malformed { get; } = new();
    public ConcurrentQueue<string?> Disconnects { get; } = new();
    public int Connects => _connects;
    public int Events => _events;
    private int _connects;
    private int _events;

    public void Connected() => Interlocked.Increment(ref _connects);

    public void Disconnected(string? reason) => Disconnects.Enqueue(reason);

    public void EventReceived(DateTime networkTime) => Interlocked.Increment(ref _events);

    void IConnectorHealth.Malformed(string identifier, string problem) => Malformed.Enqueue((identifier, problem));

    public void Error(string message) { }
}

public static class BlueskyContexts
{
    public static ConnectorContext For(IConnectorSink sink, IConnectorHealth health, HttpClient http, string? checkpoint,
        IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string>? secrets = null, string? account = null) =>
        new(new Channel { Id = 7, OrganisationId = 1, Kind = ChannelKind.Bluesky, Name = "Bluesky", Account = account },
            settings, secrets ?? new Dictionary<string, string>(), checkpoint, sink, health, http);
}
