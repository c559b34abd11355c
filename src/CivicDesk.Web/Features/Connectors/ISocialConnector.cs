using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Outbound;

namespace CivicDesk.Web.Features.Connectors;

/// <summary>
/// The one boundary to a social network, inbound and outbound. One singleton per <see cref="ChannelKind"/>; the
/// connector host runs <see cref="RunInboundAsync"/> once per active channel of that kind (restarting it with
/// backoff when it throws) and the outbound dispatcher calls <see cref="ReplyAsync"/> for that channel's replies.
/// Push-based networks (Facebook webhooks) return from <see cref="RunInboundAsync"/> at once and hand their events
/// to the same <see cref="IConnectorSink"/> from an endpoint.
/// </summary>
public interface ISocialConnector
{
    ChannelKind Kind { get; }

    /// <summary>What an administrator fills in on the channel's settings page. Secret fields are encrypted at rest and never shown again.</summary>
    IReadOnlyList<ConnectorField> Fields { get; }

    /// <summary>
    /// Listens until <paramref name="ct"/> is cancelled: reads from <see cref="ConnectorContext.Checkpoint"/>, hands
    /// each batch to <see cref="ConnectorContext.Sink"/> together with the checkpoint that follows it (the sink
    /// stores the checkpoint only after the batch is committed), and reports health as it goes. Throwing is fine:
    /// the host logs it, records it as the last error and restarts with exponential backoff and jitter.
    /// </summary>
    Task RunInboundAsync(ConnectorContext context, CancellationToken ct);

    /// <summary>Posts a reply; a failure is returned, not thrown, with words staff can act on.</summary>
    Task<DeliveryResult> ReplyAsync(ConnectorContext context, OutboundReply reply, CancellationToken ct);
}

/// <summary>One setting of a connector. <paramref name="Secret"/> values are encrypted with Data Protection.</summary>
public sealed record ConnectorField(string Name, string Label, bool Secret = false, bool Required = false, string? Hint = null);

/// <summary>Everything a connector may know about the channel it serves.</summary>
/// <param name="Channel">The channel (organisation, kind, the organisation's own account on the network).</param>
/// <param name="Settings">Non-secret settings by <see cref="ConnectorField.Name"/> (base URL, handles, stream names, intervals).</param>
/// <param name="Secrets">Decrypted secrets by field name; never log them or put them in exceptions.</param>
/// <param name="Checkpoint">Where the last committed batch ended (cursor, since_id, ETag…), or null on first start.</param>
/// <param name="Sink">Where posts, edits, deletions and checkpoints go.</param>
/// <param name="Health">Where connection state, events and errors are reported.</param>
/// <param name="Http">A client for the network's HTTP API (base address not set; tests point settings at 127.0.0.1).</param>
public sealed record ConnectorContext(
    Channel Channel,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, string> Secrets,
    string? Checkpoint,
    IConnectorSink Sink,
    IConnectorHealth Health,
    HttpClient Http);

/// <summary>Where a connector delivers what it read. Implemented by the connector host over the ingest pipeline.</summary>
public interface IConnectorSink
{
    /// <summary>
    /// Keeps only the posts a listening search (or a mention of the organisation's account) wants, stores them
    /// exactly once through the ingest pipeline, then records <paramref name="checkpoint"/>. Returns after commit.
    /// </summary>
    Task<IngestOutcome> CommitAsync(IReadOnlyList<InboundPost> posts, string? checkpoint, CancellationToken ct);

    /// <summary>The network says a stored post was edited: its text is replaced (the old text stays in the audit trail).</summary>
    Task EditAsync(string externalId, string newText, DateTime editedAt, CancellationToken ct);

    /// <summary>The network says a post was deleted: the stored message is tombstoned and hidden from staff and analytics.</summary>
    Task DeleteAsync(string externalId, DateTime deletedAt, CancellationToken ct);

    /// <summary>Stores a checkpoint when a batch kept nothing (so a restart does not re-read filtered-out events).</summary>
    Task SaveCheckpointAsync(string checkpoint, CancellationToken ct);
}

/// <summary>What the admin page and the metrics show for one channel's connector.</summary>
public interface IConnectorHealth
{
    void Connected();

    void Disconnected(string? reason);

    /// <summary>One event read from the network, with the network's timestamp (for lag).</summary>
    void EventReceived(DateTime networkTime);

    /// <summary>A payload that could not be read: logged with its identifier (never its text), skipped, counted.</summary>
    void Malformed(string identifier, string problem);

    void Error(string message);
}
