using System.Text.Json;
using System.Text.Json.Serialization;

namespace CivicDesk.Web.Features.Connectors.Mastodon;

// The subset of Mastodon's REST entities the connector reads (https://docs.joinmastodon.org/entities/), named as on
// the wire through the snake_case policy of MastodonJson. Unknown fields are ignored, so newer servers still parse.

public sealed record MastodonStatus(
    string Id,
    DateTime CreatedAt,
    DateTime? EditedAt,
    string? InReplyToId,
    string? InReplyToAccountId,
    bool Sensitive,
    string? SpoilerText,
    string Visibility,
    string? Language,
    string? Uri,
    string? Url,
    string? Content,
    MastodonAccount Account,
    IReadOnlyList<MastodonMediaAttachment>? MediaAttachments,
    IReadOnlyList<MastodonMention>? Mentions,
    IReadOnlyList<MastodonTag>? Tags,
    MastodonPreviewCard? Card,
    MastodonStatus? Reblog);

public sealed record MastodonAccount(string Id, string Username, string Acct, string? DisplayName, string? Url, bool Bot, DateTime? CreatedAt);

public sealed record MastodonMention(string Id, string Username, string Acct, string? Url);

public sealed record MastodonTag(string Name, string? Url);

public sealed record MastodonMediaAttachment(string Id, string Type, string? Url, string? PreviewUrl, string? RemoteUrl, string? Description, string? Blurhash);

public sealed record MastodonPreviewCard(string Url, string? Title, string? Description, string? Type, string? ProviderName);

public sealed record MastodonNotification(string Id, string Type, DateTime CreatedAt, MastodonAccount Account, MastodonStatus? Status);

/// <summary>A conversation (direct-message thread) event on the <c>direct</c> stream.</summary>
public sealed record MastodonConversation(string Id, bool Unread, IReadOnlyList<MastodonAccount>? Accounts, MastodonStatus? LastStatus);

/// <summary>The body of <c>POST /api/v1/statuses</c>.</summary>
public sealed record MastodonStatusRequest(string Status, string? InReplyToId, string Visibility, string? Language);

/// <summary>A Mastodon error body: <c>{"error": "…"}</c>.</summary>
public sealed record MastodonError(string? Error);

/// <summary>One line of the WebSocket streaming API: <c>payload</c> is itself JSON, as a string.</summary>
public sealed record MastodonWebSocketMessage(IReadOnlyList<string>? Stream, string Event, string? Payload);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MastodonStatus))]
[JsonSerializable(typeof(MastodonNotification))]
[JsonSerializable(typeof(MastodonConversation))]
[JsonSerializable(typeof(MastodonAccount))]
[JsonSerializable(typeof(MastodonMediaAttachment))]
[JsonSerializable(typeof(MastodonPreviewCard))]
[JsonSerializable(typeof(MastodonTag))]
[JsonSerializable(typeof(List<MastodonStatus>))]
[JsonSerializable(typeof(List<MastodonNotification>))]
[JsonSerializable(typeof(MastodonStatusRequest))]
[JsonSerializable(typeof(MastodonError))]
[JsonSerializable(typeof(MastodonWebSocketMessage))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class MastodonJson : JsonSerializerContext;
