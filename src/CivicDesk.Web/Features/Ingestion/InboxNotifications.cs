using System.Collections.Concurrent;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// In-process "something new arrived" signal for the inbox, per organisation. Each organisation has a version that
/// goes up by one after every committed ingest batch that stored new messages for it (never on duplicates only).
/// A page remembers the version it rendered and asks <see cref="WaitForChangeAsync"/> (long poll) or
/// <see cref="VersionOf"/> (poll) whether it is stale. Versions start at 0 when the process starts and are not
/// persisted: compare them only with versions from the same process, and treat any difference as "reload". With
/// several nodes on PostgreSQL, <c>ClusterInboxRelay</c> carries each change to the other nodes (LISTEN/NOTIFY).
/// </summary>
public sealed class InboxNotifications
{
    private readonly ConcurrentDictionary<long, Signal> _signals = new();

    /// <summary>The organisation's current version (0 until something is stored after start-up).</summary>
    public long VersionOf(long organisationId) => _signals.TryGetValue(organisationId, out var s) ? Volatile.Read(ref s.Version) : 0;

    /// <summary>
    /// Completes with the new version as soon as it differs from <paramref name="knownVersion"/> (at once if it
    /// already does). Cancel <paramref name="ct"/> to give up, e.g. after a long-poll timeout.
    /// </summary>
    public async Task<long> WaitForChangeAsync(long organisationId, long knownVersion, CancellationToken ct)
    {
        var signal = _signals.GetOrAdd(organisationId, static _ => new Signal());
        Task changed;
        lock (signal)
        {
            if (signal.Version != knownVersion)
            {
                return signal.Version;
            }

            changed = signal.Changed.Task;
        }

        await changed.WaitAsync(ct);
        return VersionOf(organisationId);
    }

    /// <summary>
    /// Set by the cluster relay on PostgreSQL: called after each local <see cref="Publish"/> so the other nodes' staff
    /// hear of the change too (they call <see cref="Apply"/>). Null on a single node.
    /// </summary>
    public Action<long>? Relay { get; set; }

    /// <summary>Marks the organisation's inbox as changed, wakes every waiter here and tells the other nodes.</summary>
    public void Publish(long organisationId)
    {
        Apply(organisationId);
        Relay?.Invoke(organisationId);
    }

    /// <summary>Marks the organisation's inbox as changed on this node only (a change another node made).</summary>
    public void Apply(long organisationId)
    {
        var signal = _signals.GetOrAdd(organisationId, static _ => new Signal());
        TaskCompletionSource released;
        lock (signal)
        {
            signal.Version++;
            released = signal.Changed;
            signal.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        released.TrySetResult();
    }

    /// <summary>Marks every inbox this node knows as changed: after a gap in the cluster feed, when changes may have been missed.</summary>
    public void ApplyAll()
    {
        foreach (var organisationId in _signals.Keys)
        {
            Apply(organisationId);
        }
    }

    private sealed class Signal
    {
        public long Version;
        public TaskCompletionSource Changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
