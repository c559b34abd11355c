using System.Text.Json;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;

namespace CivicDesk.Web.Features.Connectors.Mastodon;

/// <summary>What one streaming event means to the connector.</summary>
public abstract record MastodonStreamEvent;

/// <summary>A post to keep: an <c>update</c>, or the status of a <c>mention</c> notification (with the notification's id, the <c>since_id</c> of the mentions catch-up).</summary>
public sealed record MastodonPostEvent(MastodonStatus Status, string RawJson, string? NotificationId = null) : MastodonStreamEvent;

/// <summary><c>status.update</c>: the author edited a post.</summary>
public sealed record MastodonEditEvent(MastodonStatus Status) : MastodonStreamEvent;

/// <summary><c>delete</c>: the author deleted a post; the payload is the bare status id.</summary>
public sealed record MastodonDeleteEvent(string StatusId) : MastodonStreamEvent;

/// <summary>Events a service desk has no use for (filters, announcements, other notification types, conversations).</summary>
public sealed record MastodonIgnoredEvent(string Event) : MastodonStreamEvent;

public sealed class MastodonPayloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Parses the events of Mastodon's streaming API (https://docs.joinmastodon.org/methods/streaming/), SSE and WebSocket alike.</summary>
public static class MastodonEvents
{
    /// <summary>Parses one event; throws <see cref="MastodonPayloadException"/> (with no citizen text in it) when the payload cannot be read.</summary>
    public static MastodonStreamEvent Parse(string eventName, string data)
    {
        switch (eventName)
        {
            case "update":
                var status = ReadStatus(data);
                return new MastodonPostEvent(status, data);
            case "status.update":
                return new MastodonEditEvent(ReadStatus(data));
            case "delete":
                var id = data.Trim();
                if (id.Length == 0 || !id.All(char.IsAsciiLetterOrDigit))
                {
                    throw new MastodonPayloadException("delete event without a status id");
                }

                return new MastodonDeleteEvent(id);
            case "notification":
                var notification = Deserialize(data, MastodonJson.Default.MastodonNotification);
                if (string.IsNullOrEmpty(notification.Id) || string.IsNullOrEmpty(notification.Type))
                {
                    throw new MastodonPayloadException("notification without id or type");
                }

                if (notification.Type != "mention")
                {
                    return new MastodonIgnoredEvent($"notification:{notification.Type}");
                }

                if (notification.Status is null)
                {
                    throw new MastodonPayloadException($"mention notification {notification.Id} without a status");
                }

                Validate(notification.Status);
                // RawPayload keeps the status, not the notification wrapper, so every stored Mastodon post has one shape.
                return new MastodonPostEvent(notification.Status, ExtractStatusJson(data), notification.Id);
            default:
                return new MastodonIgnoredEvent(eventName);
        }
    }

    /// <summary>Parses one line of the WebSocket API, where <c>payload</c> is a JSON document inside a string.</summary>
    public static MastodonStreamEvent ParseWebSocket(string line)
    {
        var message = Deserialize(line, MastodonJson.Default.MastodonWebSocketMessage);
        if (string.IsNullOrEmpty(message.Event))
        {
            throw new MastodonPayloadException("WebSocket message without an event");
        }

        return message.Payload is null && message.Event is "update" or "status.update" or "delete" or "notification"
            ? throw new MastodonPayloadException($"{message.Event} message without a payload")
            : Parse(message.Event, message.Payload ?? string.Empty);
    }

    public static MastodonStatus ReadStatus(string json)
    {
        var status = Deserialize(json, MastodonJson.Default.MastodonStatus);
        Validate(status);
        return status;
    }

    public static List<MastodonStatus> ReadStatuses(string json)
    {
        var statuses = Deserialize(json, MastodonJson.Default.ListMastodonStatus);
        statuses.ForEach(Validate);
        return statuses;
    }

    /// <summary>The connector's view of a status: plain text (with a content warning and image descriptions), the author's handle, reply and language.</summary>
    /// <param name="status">The status.</param>
    /// <param name="rawJson">Its JSON, kept as the raw payload.</param>
    /// <param name="isDirect">Addressed to the organisation (a mention): kept without a listening search.</param>
    public static InboundPost ToInboundPost(MastodonStatus status, string? rawJson, bool isDirect = false)
    {
        var text = PostText(status);
        var attachments = status.MediaAttachments is { Count: > 0 } media
            ? media.Select(m => new AttachmentInfo(FileName(m), ContentType(m.Type), 0, null, m.Url ?? m.RemoteUrl)).ToList()
            : null;
        return new InboundPost(
            ExternalId: status.Id,
            Text: text,
            AuthorHandle: "@" + status.Account.Acct,
            AuthorName: string.IsNullOrWhiteSpace(status.Account.DisplayName) ? null : status.Account.DisplayName,
            CreatedAt: status.CreatedAt,
            InReplyTo: status.InReplyToId,
            Language: status.Language,
            Attachments: attachments,
            RawPayload: rawJson,
            IsDirect: isDirect);
    }

    /// <summary>
    /// Whether the status mentions the organisation's account (<paramref name="account"/> as <c>name</c>,
    /// <c>@name</c> or <c>name@server</c>). Mastodon writes a local account's acct without the server, so the
    /// local part matches too.
    /// </summary>
    public static bool Mentions(MastodonStatus status, string? account)
    {
        if (string.IsNullOrWhiteSpace(account) || status.Mentions is not { Count: > 0 } mentions)
        {
            return false;
        }

        var full = account.Trim().TrimStart('@');
        var at = full.IndexOf('@', StringComparison.Ordinal);
        var local = at < 0 ? full : full[..at];
        return mentions.Any(m => string.Equals(m.Acct, full, StringComparison.OrdinalIgnoreCase)
            || (at > 0 && string.Equals(m.Acct, local, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>
    /// The text staff and triage read: the content warning first (it often carries the subject), then the content,
    /// then each attachment's description (alt text), which is the only text a photo of a pothole comes with.
    /// </summary>
    public static string PostText(MastodonStatus status)
    {
        var parts = new List<string>(3);
        if (!string.IsNullOrWhiteSpace(status.SpoilerText))
        {
            parts.Add("CW: " + status.SpoilerText.Trim());
        }

        var content = MastodonHtml.ToText(status.Content);
        if (content.Length > 0)
        {
            parts.Add(content);
        }

        foreach (var media in status.MediaAttachments ?? [])
        {
            if (!string.IsNullOrWhiteSpace(media.Description))
            {
                parts.Add($"[{media.Type}: {media.Description.Trim()}]");
            }
        }

        return string.Join("\n\n", parts);
    }

    private static string FileName(MastodonMediaAttachment media)
    {
        var url = media.Url ?? media.RemoteUrl;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Segments.Length > 0)
        {
            var last = Uri.UnescapeDataString(uri.Segments[^1]);
            if (last.Length > 0 && last != "/")
            {
                return last;
            }
        }

        return media.Id;
    }

    // Mastodon gives a kind, not a MIME type; these are the families it transcodes to.
    private static string ContentType(string type) => type switch
    {
        "image" => "image/*",
        "gifv" or "video" => "video/mp4",
        "audio" => "audio/*",
        _ => "application/octet-stream",
    };

    private static void Validate(MastodonStatus status)
    {
        if (string.IsNullOrEmpty(status.Id))
        {
            throw new MastodonPayloadException("status without an id");
        }

        if (status.Account is null || string.IsNullOrEmpty(status.Account.Acct))
        {
            throw new MastodonPayloadException($"status {status.Id} without an account");
        }

        if (status.CreatedAt == default)
        {
            throw new MastodonPayloadException($"status {status.Id} without created_at");
        }
    }

    private static string ExtractStatusJson(string notificationJson)
    {
        using var document = JsonDocument.Parse(notificationJson);
        return document.RootElement.GetProperty("status").GetRawText();
    }

    private static T Deserialize<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new MastodonPayloadException($"{typeof(T).Name} payload is null");
        }
        catch (JsonException e)
        {
            // The message names the position, never the text.
            throw new MastodonPayloadException($"invalid JSON at line {e.LineNumber}, byte {e.BytePositionInLine}", e);
        }
    }
}
