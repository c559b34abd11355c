using System.Collections.Concurrent;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Connectors;

/// <summary>The genuine payloads of one network in ../shared/data/payloads/&lt;network&gt; (see <see cref="SharedData"/>).</summary>
public static class Payloads
{
    public static string Folder(string network) => SharedData.Folder("payloads/" + network);

    public static string Read(string network, string file) => File.ReadAllText(Path.Combine(Folder(network), file));
}

/// <summary>
/// The sink contract in memory: stores each external id once (as the ingest pipeline's unique index does), applies
/// edits and deletions to what it stored, and records every call. Waiters are woken on each change.
/// </summary>
public sealed class InMemoryConnectorSink : IConnectorSink
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, InboundPost> _stored = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);
    private readonly List<string?> _checkpoints = [];
    private readonly List<(string Id, string Text)> _edits = [];
    private readonly List<string> _commitOrder = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Fails a commit (before storing anything) while true.</summary>
    public Func<IReadOnlyList<InboundPost>, bool>? FailWhen { get; set; }

    public string? Checkpoint { get { lock (_lock) { return _checkpoints.Count > 0 ? _checkpoints[^1] : null; } } }

    public IReadOnlyList<string?> Checkpoints { get { lock (_lock) { return [.. _checkpoints]; } } }

    public int CommitCalls { get; private set; }

    /// <summary>Posts stored and not deleted, by external id.</summary>
    public IReadOnlyDictionary<string, InboundPost> Visible
    {
        get { lock (_lock) { return _stored.Where(p => !_deleted.Contains(p.Key)).ToDictionary(); } }
    }

    public IReadOnlyDictionary<string, InboundPost> Stored { get { lock (_lock) { return _stored.ToDictionary(); } } }

    public IReadOnlyCollection<string> Deleted { get { lock (_lock) { return [.. _deleted]; } } }

    public IReadOnlyList<(string Id, string Text)> Edits { get { lock (_lock) { return [.. _edits]; } } }

    /// <summary>External ids in the order they were first stored.</summary>
    public IReadOnlyList<string> CommitOrder { get { lock (_lock) { return [.. _commitOrder]; } } }

    public Task<IngestOutcome> CommitAsync(IReadOnlyList<InboundPost> posts, string? checkpoint, CancellationToken ct)
    {
        if (FailWhen?.Invoke(posts) == true)
        {
            throw new IngestUnavailableException();
        }

        var items = new List<IngestItemResult>();
        lock (_lock)
        {
            CommitCalls++;
            foreach (var post in posts)
            {
                var duplicate = !_stored.TryAdd(post.ExternalId, post);
                if (!duplicate)
                {
                    _commitOrder.Add(post.ExternalId);
                }

                items.Add(new IngestItemResult(post.ExternalId, 0, 0, "", duplicate));
            }

            _checkpoints.Add(checkpoint);
        }

        Signal();
        return Task.FromResult(new IngestOutcome(items.Count(i => !i.Duplicate), items.Count(i => i.Duplicate), items));
    }

    public Task EditAsync(string externalId, string newText, DateTime editedAt, CancellationToken ct)
    {
        lock (_lock)
        {
            _edits.Add((externalId, newText));
            if (_stored.TryGetValue(externalId, out var post) && !_deleted.Contains(externalId))
            {
                _stored[externalId] = post with { Text = newText };
            }
        }

        Signal();
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string externalId, DateTime deletedAt, CancellationToken ct)
    {
        lock (_lock)
        {
            _deleted.Add(externalId);
        }

        Signal();
        return Task.CompletedTask;
    }

    public Task SaveCheckpointAsync(string checkpoint, CancellationToken ct)
    {
        lock (_lock)
        {
            _checkpoints.Add(checkpoint);
        }

        Signal();
        return Task.CompletedTask;
    }

    /// <summary>Waits (woken by changes, not polling) until <paramref name="condition"/> holds; fails after <paramref name="seconds"/>.</summary>
    public async Task WaitUntilAsync(Func<InMemoryConnectorSink, bool> condition, int seconds = 20)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            await changed.WaitAsync(timeout.Token);
        }
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_lock)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }
}

public sealed class RecordingHealth : IConnectorHealth
{
    public ConcurrentQueue<string> Log { get; } = new();

    public ConcurrentQueue<(string Identifier, string Problem)> Malformations { get; } = new();

    public ConcurrentQueue<string> Errors { get; } = new();

    public int Connections => Log.Count(l => l == "connected");

    public int EventCount => Log.Count(l => l.StartsWith("event ", StringComparison.Ordinal));

    public void Connected() => Log.Enqueue("connected");

    public void Disconnected(string? reason) => Log.Enqueue("disconnected: " + reason);

    public void EventReceived(DateTime networkTime) => Log.Enqueue("event " + networkTime.ToString("O"));

    public void Malformed(string identifier, string problem)
    {
        Malformations.Enqueue((identifier, problem));
        Log.Enqueue("malformed " + identifier);
    }

    public void Error(string message)
    {
        Errors.Enqueue(message);
        Log.Enqueue("error: " + message);
    }
}

/// <summary>
/// A clock whose timers fire at once and move the clock forward by their due time, so backoff and rate-limit waits
/// take no real time and tests can assert how long the connector chose to wait.
/// </summary>
public sealed class AutoAdvanceTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now = start;

    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return new NoTimer();
        }

        Delays.Enqueue(dueTime);
        lock (_lock)
        {
            _now += dueTime;
        }

        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public static class ConnectorRuns
{
    public static ConnectorContext Context(ChannelKind kind, IConnectorSink sink, IConnectorHealth health, HttpClient http,
        Dictionary<string, string> settings, Dictionary<string, string> secrets, string? checkpoint = null) =>
        new(new Channel { Id = 7, OrganisationId = 3, Kind = kind, Name = kind.ToString(), Account = "civicdesk" },
            settings, secrets, checkpoint, sink, health, http);

    /// <summary>Starts the connector, waits for <paramref name="done"/>, then cancels and waits for it to stop.</summary>
    public static async Task RunUntilAsync(ISocialConnector connector, ConnectorContext context, Func<Task> done)
    {
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => connector.RunInboundAsync(context, stop.Token));
        try
        {
            await Task.WhenAny(done(), run).Unwrap();
            run.IsCompleted.ShouldBeFalse("the connector stopped on its own: " + run.Exception?.GetBaseException().Message);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await run.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
