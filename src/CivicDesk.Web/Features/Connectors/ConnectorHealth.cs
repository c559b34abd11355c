using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Features.Connectors;

/// <summary>What the admin page shows for one channel's connector.</summary>
public sealed record ConnectorHealthView(
    bool Running,
    bool Connected,
    DateTime? LastEventAt,
    TimeSpan? Lag,
    int EventsPerMinute,
    long Malformed,
    int Restarts,
    string? LastError,
    DateTime? LastErrorAt);

/// <summary>
/// The connector instruments, on CivicDesk's meter: counters and gauges tagged by channel kind only (low cardinality;
/// per-channel detail is on the admin page).
/// </summary>
public sealed class ConnectorMetrics
{
    public ConnectorMetrics(IMeterFactory meters, ConnectorHealthBoard board)
    {
        // The factory hands back the same Meter for the same name, so these sit beside CivicDeskMetrics' instruments.
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(board);
        var meter = meters.Create(CivicDeskMetrics.MeterName);
        Events = meter.CreateCounter<long>("civicdesk.connector.events", "{event}", "Events read from a network by its connector");
        Malformed = meter.CreateCounter<long>("civicdesk.connector.malformed", "{event}", "Payloads a connector could not read and skipped");
        Errors = meter.CreateCounter<long>("civicdesk.connector.errors", "{error}", "Connector errors and restarts");
        meter.CreateObservableGauge("civicdesk.connector.connected", () => board.ByKind(h => h.IsConnected ? 1 : 0), "{channel}",
            "Channels whose connector is connected");
        meter.CreateObservableGauge("civicdesk.connector.lag", () => board.ByKindMax(h => h.LagSeconds()), "s",
            "Now minus the network time of the newest event read (the largest per channel kind)");
        meter.CreateObservableGauge("civicdesk.connector.events_per_minute", () => board.ByKind(h => h.EventsPerMinute()), "{event}/min",
            "Events read in the last minute");
        board.Attach(this);
    }

    public Counter<long> Events { get; }
    public Counter<long> Malformed { get; }
    public Counter<long> Errors { get; }
}

/// <summary>Every running channel's health, in memory; the host persists the last event and error.</summary>
public sealed class ConnectorHealthBoard(TimeProvider clock, ILogger<ChannelHealth> logger)
{
    private readonly ConcurrentDictionary<long, ChannelHealth> _channels = new();
    private ConnectorMetrics? _metrics;

    internal void Attach(ConnectorMetrics metrics) => _metrics = metrics;

    public ChannelHealth For(long channelId, ChannelKind kind) =>
        _channels.GetOrAdd(channelId, id => new ChannelHealth(id, kind, clock, logger, () => _metrics));

    public ChannelHealth? Find(long channelId) => _channels.GetValueOrDefault(channelId);

    public IEnumerable<ChannelHealth> All => _channels.Values;

    internal IEnumerable<Measurement<long>> ByKind(Func<ChannelHealth, long> read) =>
        _channels.Values.GroupBy(h => h.Kind)
            .Select(g => new Measurement<long>(g.Sum(read), new KeyValuePair<string, object?>("channel", g.Key.ToString())));

    internal IEnumerable<Measurement<double>> ByKindMax(Func<ChannelHealth, double?> read) =>
        _channels.Values.GroupBy(h => h.Kind)
            .Select(g => (g.Key, Max: g.Max(read)))
            .Where(x => x.Max is not null)
            .Select(x => new Measurement<double>(x.Max!.Value, new KeyValuePair<string, object?>("channel", x.Key.ToString())));
}

/// <summary>One channel's connector health: what the connector reports through <see cref="IConnectorHealth"/>.</summary>
public sealed class ChannelHealth(long channelId, ChannelKind kind, TimeProvider clock, ILogger logger, Func<ConnectorMetrics?> metrics) : IConnectorHealth
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private readonly Queue<DateTime> _recent = new();
    private long _malformed;

    public long ChannelId => channelId;
    public ChannelKind Kind => kind;
    public bool IsRunning { get; internal set; }
    public bool IsConnected { get; private set; }
    public DateTime? LastEventAt { get; private set; }
    public DateTime? LastNetworkTime { get; private set; }
    public string? LastError { get; private set; }
    public DateTime? LastErrorAt { get; private set; }
    public int Restarts { get; internal set; }
    public long MalformedCount => Interlocked.Read(ref _malformed);

    private KeyValuePair<string, object?> Tag => new("channel", kind.ToString());

    public void Connected()
    {
        IsConnected = true;
    }

    public void Disconnected(string? reason)
    {
        IsConnected = false;
        if (reason is not null)
        {
            Error(reason);
        }
    }

    public void EventReceived(DateTime networkTime)
    {
        var now = Now;
        lock (_gate)
        {
            LastEventAt = now;
            LastNetworkTime = networkTime.Kind == DateTimeKind.Utc ? networkTime : networkTime.ToUniversalTime();
            _recent.Enqueue(now);
            Trim(now);
        }

        metrics()?.Events.Add(1, Tag);
    }

    public void Malformed(string identifier, string problem)
    {
        Interlocked.Increment(ref _malformed);
        metrics()?.Malformed.Add(1, Tag);
        // The identifier and problem are the connector's words about the payload, never its text.
        logger.LogWarning("Channel {ChannelId} ({ChannelKind}) skipped a malformed payload {Identifier}: {Problem}", channelId, kind, identifier, problem);
    }

    public void Error(string message)
    {
        (LastError, LastErrorAt) = (message.Length <= 1000 ? message : message[..1000], Now);
        metrics()?.Errors.Add(1, Tag);
    }

    /// <summary>Events read in the last minute (a sliding window).</summary>
    public int EventsPerMinute()
    {
        lock (_gate)
        {
            Trim(Now);
            return _recent.Count;
        }
    }

    /// <summary>Now minus the network's time of the newest event, or null before the first event.</summary>
    public double? LagSeconds() => LastNetworkTime is { } t ? Math.Max(0, (Now - t).TotalSeconds) : null;

    public ConnectorHealthView View() => new(IsRunning, IsConnected, LastEventAt,
        LagSeconds() is { } s ? TimeSpan.FromSeconds(Math.Round(s)) : null, EventsPerMinute(), MalformedCount, Restarts, LastError, LastErrorAt);

    internal void Restore(DateTime? lastEventAt, string? lastError, DateTime? lastErrorAt)
    {
        LastEventAt ??= lastEventAt;
        if (LastError is null)
        {
            (LastError, LastErrorAt) = (lastError, lastErrorAt);
        }
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private void Trim(DateTime now)
    {
        while (_recent.Count > 0 && now - _recent.Peek() > Window)
        {
            _recent.Dequeue();
        }
    }
}
