using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// One inbound post as any channel hands it over, before triage. Connectors set <c>IsDirect</c> when the post
/// mentions, replies to or messages the organisation's account (kept without a listening search); the connector sink
/// sets <c>MatchedSearch</c> to the listening search that kept it.
/// </summary>
public sealed record InboundPost(
    string ExternalId,
    string Text,
    string AuthorHandle,
    string? AuthorName = null,
    DateTime? CreatedAt = null,
    string? InReplyTo = null,
    double? Latitude = null,
    double? Longitude = null,
    string? Language = null,
    string? CitizenEmail = null,
    IReadOnlyList<AttachmentInfo>? Attachments = null,
    string? RawPayload = null,
    bool IsDirect = false,
    string? MatchedSearch = null);

/// <summary>
/// Posts from one channel of one organisation, submitted together. <paramref name="Normalised"/>: every post has
/// already been checked and cleaned by <see cref="PostNormaliser.Normalise"/> (the API's request reader does this
/// while validating), so the pipeline does not do it a second time.
/// </summary>
public sealed record IngestBatch(long OrganisationId, long ChannelId, ChannelKind ChannelKind, IReadOnlyList<InboundPost> Posts, bool Normalised = false);

/// <summary>What happened to one post: stored now, or recognised as already stored (Duplicate).</summary>
public sealed record IngestItemResult(string ExternalId, long MessageId, long ConversationId, string ConversationReference, bool Duplicate);

/// <summary>Returned only after the batch is durably committed.</summary>
public sealed record IngestOutcome(int Accepted, int AlreadyKnown, IReadOnlyList<IngestItemResult> Items);

/// <summary>The pipeline is not taking work (not started yet, or shutting down); the caller may retry later.</summary>
public sealed class IngestUnavailableException : Exception
{
    public IngestUnavailableException() : base("The ingest pipeline is not running.") { }

    public IngestUnavailableException(string message) : base(message) { }

    public IngestUnavailableException(string message, Exception inner) : base(message, inner) { }
}
