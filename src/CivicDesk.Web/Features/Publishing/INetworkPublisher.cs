using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;

namespace CivicDesk.Web.Features.Publishing;

/// <summary>An image as it goes to a network: bytes, sniffed type and alt text.</summary>
public sealed record OutgoingImage(string FileName, string ContentType, byte[] Data, string AltText);

/// <summary>
/// One delivery as a publisher sees it. <paramref name="Parts"/> is the text already split for this network (one part,
/// or a thread; the link is in the last part); <paramref name="Posted"/> are the network ids of parts posted by an
/// earlier attempt, which must not be posted again; <paramref name="OutcomeUnknown"/> says an earlier attempt was
/// cut off (crash, timeout) after it may have reached the network, so the publisher must reconcile first.
/// </summary>
public sealed record PublishJob(
    long DeliveryId,
    ConnectorContext Connector,
    IReadOnlyList<string> Parts,
    IReadOnlyList<OutgoingImage> Images,
    string IdempotencyKey,
    DateTime CreatedAt,
    IReadOnlyList<PostedPart> Posted,
    bool OutcomeUnknown,
    Func<PostedPart, CancellationToken, Task> RecordPartAsync);

/// <summary>A part that is on the network: its id (status id, at:// URI, tweet id, post id) and public URL.</summary>
public sealed record PostedPart(int Index, string RemoteId, string? RemoteUrl, string? Cid = null);

/// <summary>What a publish attempt ended with; a failure says whether waiting could help and whether it may have posted.</summary>
public sealed record PublishResult(bool Delivered, string? RemoteId, string? RemoteUrl, string? Error, bool Retryable, bool Ambiguous, DateTimeOffset? RetryAfter = null)
{
    public static PublishResult Success(PostedPart first) => new(true, first.RemoteId, first.RemoteUrl, null, false, false);

    /// <summary>The network refused it for good (bad credentials, content refused): retrying the same will not help.</summary>
    public static PublishResult Refused(string error) => new(false, null, null, error, false, false);

    /// <summary>Worth retrying (429, 5xx, network down); <paramref name="ambiguous"/> when the post may have been made.</summary>
    public static PublishResult Transient(string error, bool ambiguous, DateTimeOffset? retryAfter = null) => new(false, null, null, error, true, ambiguous, retryAfter);
}

/// <summary>
/// Posts on one network through its own API, images first (with alt text) then the text; parts of a thread reply
/// to the part before. Implementations must be safe to call again after a crash (see docs/publishing.md): use the
/// network's idempotency (Mastodon Idempotency-Key, a deterministic Bluesky record key) or, when
/// <see cref="PublishJob.OutcomeUnknown"/>, read back the account's recent posts before posting.
/// </summary>
public interface INetworkPublisher
{
    ChannelKind Kind { get; }

    Task<PublishResult> PublishAsync(PublishJob job, CancellationToken ct);
}
