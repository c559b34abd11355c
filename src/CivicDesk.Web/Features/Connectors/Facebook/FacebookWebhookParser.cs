using System.Globalization;
using System.Text.Json;

namespace CivicDesk.Web.Features.Connectors.Facebook;

public enum FacebookVerb
{
    Add,
    Edit,
    Remove,
}

/// <summary>
/// One thing a Facebook webhook says happened to a citizen's words: a post or comment on the Page (or mentioning it),
/// or a Messenger message. Messenger ids are stored as <c>m:{sender PSID}:{mid}</c> so a reply knows whom to send to.
/// </summary>
public sealed record FacebookEvent(
    FacebookVerb Verb,
    string Item,
    string ExternalId,
    string? Text,
    string? AuthorId,
    string? AuthorName,
    DateTime At,
    string? InReplyTo,
    string PageId,
    string Raw);

/// <summary>An entry or item that could not be read: its identifier (never its text) and the problem.</summary>
public sealed record FacebookMalformed(string Identifier, string Problem);

public sealed record FacebookWebhook(string ObjectType, IReadOnlyList<FacebookEvent> Events, int Ignored, IReadOnlyList<FacebookMalformed> Malformed);

/// <summary>The body was not a webhook at all (not JSON, or no entry list): answered 400.</summary>
public sealed class FacebookPayloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads Graph API webhook bodies (object "page"): <c>changes[]</c> with field <c>feed</c> (posts, statuses, photos,
/// videos, shares and comments; add, edited, remove) or <c>mention</c>, and <c>messaging[]</c> messages and edits.
/// Echoes of the Page's own messages and comments, reads, deliveries, reactions, likes, postbacks and hide/unhide are
/// ignored (counted). An item that cannot be read is reported and skipped; the others in the body still count.
/// Ids arrive as numbers or strings, times as seconds, milliseconds or ISO 8601 (see the restfb samples).
/// </summary>
public static class FacebookWebhookParser
{
    private static readonly HashSet<string> FeedItems = new(StringComparer.Ordinal) { "post", "status", "photo", "video", "share", "comment" };

    public static FacebookWebhook Parse(string body)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new FacebookPayloadException("The body is not JSON.", e);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                throw new FacebookPayloadException("The body has no entry list.");
            }

            var obj = Str(root, "object") ?? "";
            var events = new List<FacebookEvent>();
            var malformed = new List<FacebookMalformed>();
            var ignored = 0;
            var index = 0;
            foreach (var entry in entries.EnumerateArray())
            {
                var entryId = $"entry {index++}";
                try
                {
                    if (obj != "page")
                    {
                        ignored++;
                        continue;
                    }

                    var pageId = Id(entry, "id") ?? throw new FormatException("no page id");
                    entryId = $"entry {pageId}";
                    var entryTime = Time(entry, "time");
                    var read = false;
                    if (entry.TryGetProperty("changes", out var changes) && changes.ValueKind == JsonValueKind.Array)
                    {
                        read = true;
                        foreach (var change in changes.EnumerateArray())
                        {
                            Read(() => Change(change, pageId, entryTime), $"{entryId} change", events, malformed, ref ignored);
                        }
                    }

                    if (entry.TryGetProperty("messaging", out var messaging) && messaging.ValueKind == JsonValueKind.Array)
                    {
                        read = true;
                        foreach (var m in messaging.EnumerateArray())
                        {
                            Read(() => Messaging(m, pageId, entryTime), $"{entryId} messaging", events, malformed, ref ignored);
                        }
                    }

                    if (!read)
                    {
                        ignored++;   // standby (another app owns the thread), or a field we do not subscribe to
                    }
                }
                catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException)
                {
                    malformed.Add(new FacebookMalformed(entryId, e.Message));
                }
            }

            return new FacebookWebhook(obj, events, ignored, malformed);
        }
    }

    private static void Read(Func<FacebookEvent?> read, string identifier, List<FacebookEvent> events, List<FacebookMalformed> malformed, ref int ignored)
    {
        try
        {
            if (read() is { } e)
            {
                events.Add(e);
            }
            else
            {
                ignored++;
            }
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException)
        {
            malformed.Add(new FacebookMalformed(identifier, e.Message));
        }
    }

    private static FacebookEvent? Change(JsonElement change, string pageId, DateTime? entryTime)
    {
        var field = Str(change, "field");
        if (field is not ("feed" or "mention") || !change.TryGetProperty("value", out var v) || v.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var item = Str(v, "item") ?? "";
        var verb = Str(v, "verb") switch
        {
            "add" => FacebookVerb.Add,
            "edited" or "edit" => FacebookVerb.Edit,
            "remove" => FacebookVerb.Remove,
            _ => (FacebookVerb?)null,   // hide, unhide, block, mute…: visibility on the Page, not the citizen's words
        };
        if (verb is null || !FeedItems.Contains(item))
        {
            return null;   // likes and reactions are not messages
        }

        var id = item == "comment" ? Id(v, "comment_id") : Id(v, "post_id");
        if (id is null)
        {
            throw new FormatException($"{item} {Str(v, "verb")} without an id");
        }

        string? authorId = Id(v, "sender_id"), authorName = Str(v, "sender_name");
        if (v.TryGetProperty("from", out var from) && from.ValueKind == JsonValueKind.Object)
        {
            authorId ??= Id(from, "id");
            authorName ??= Str(from, "name");
        }

        // The Page's own comments and posts come back through the same webhook: they are our replies, not citizens'.
        if (field == "feed" && authorId == pageId && verb != FacebookVerb.Remove)
        {
            return null;
        }

        var text = Str(v, "message");
        if (verb != FacebookVerb.Remove && string.IsNullOrWhiteSpace(text))
        {
            return null;   // a photo or like without words: nothing to read or answer
        }

        var at = Time(v, "created_time") ?? entryTime ?? DateTime.UtcNow;
        var parent = item == "comment" ? Id(v, "parent_id") ?? Id(v, "post_id") : null;
        return new FacebookEvent(verb.Value, item, id, text, authorId, authorName, at, parent, pageId, change.GetRawText());
    }

    private static FacebookEvent? Messaging(JsonElement m, string pageId, DateTime? entryTime)
    {
        var sender = m.TryGetProperty("sender", out var s) && s.ValueKind == JsonValueKind.Object ? Id(s, "id") : null;
        var at = Time(m, "timestamp") ?? entryTime ?? DateTime.UtcNow;
        if (m.TryGetProperty("message_edit", out var edit) && edit.ValueKind == JsonValueKind.Object)
        {
            var mid = Str(edit, "mid") ?? throw new FormatException("message_edit without mid");
            var who = sender ?? throw new FormatException("message_edit without sender");
            return new FacebookEvent(FacebookVerb.Edit, "message", MessengerId(who, mid), Str(edit, "text") ?? "", who, null, at, null, pageId, m.GetRawText());
        }

        if (!m.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
        {
            return null;   // read, delivery, reaction, postback, optin, referral, handover…
        }

        if (message.TryGetProperty("is_echo", out var echo) && echo.ValueKind == JsonValueKind.True)
        {
            return null;   // the Page's own message
        }

        var id = Str(message, "mid") ?? throw new FormatException("message without mid");
        var from = sender ?? throw new FormatException($"message {id} without sender");
        if (message.TryGetProperty("is_deleted", out var deleted) && deleted.ValueKind == JsonValueKind.True)
        {
            return new FacebookEvent(FacebookVerb.Remove, "message", MessengerId(from, id), null, from, null, at, null, pageId, m.GetRawText());
        }

        var text = Str(message, "text");
        if (string.IsNullOrWhiteSpace(text))
        {
            // Stickers, photos, locations: keep that something was sent, so staff can look in Messenger.
            var kinds = message.TryGetProperty("attachments", out var a) && a.ValueKind == JsonValueKind.Array
                ? a.EnumerateArray().Select(x => Str(x, "type") ?? "attachment").ToList()
                : [];
            if (kinds.Count == 0)
            {
                return null;   // unsupported message type: nothing to read
            }

            text = $"[{string.Join(", ", kinds)} sent in Messenger]";
        }

        var replyTo = message.TryGetProperty("reply_to", out var r) && r.ValueKind == JsonValueKind.Object && Str(r, "mid") is { } rm ? MessengerId(from, rm) : null;
        return new FacebookEvent(FacebookVerb.Add, "message", MessengerId(from, id), text, from, null, at, replyTo, pageId, m.GetRawText());
    }

    public static string MessengerId(string psid, string mid) => $"m:{psid}:{mid}";

    /// <summary>The sender of a Messenger id made by <see cref="MessengerId"/>, or null for comment and post ids.</summary>
    public static string? MessengerRecipient(string? externalId) =>
        externalId is { } id && id.StartsWith("m:", StringComparison.Ordinal) && id.IndexOf(':', 2) is > 2 and var end ? id[2..end] : null;

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) ? p.ValueKind switch
        {
            JsonValueKind.String => p.GetString(),
            JsonValueKind.Number => p.GetRawText(),
            _ => null,
        } : null;

    private static string? Id(JsonElement e, string name) => Str(e, name) is { Length: > 0 } s ? s : null;

    private static DateTime? Time(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var p))
        {
            return null;
        }

        if (p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var n))
        {
            // Webhooks mix seconds (feed) and milliseconds (messaging, some entry times).
            return n > 100_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(n).UtcDateTime : DateTimeOffset.FromUnixTimeSeconds(n).UtcDateTime;
        }

        if (p.ValueKind == JsonValueKind.String)
        {
            var s = p.GetString();
            if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var secs))
            {
                return DateTimeOffset.FromUnixTimeSeconds(secs).UtcDateTime;
            }

            if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            {
                return t.UtcDateTime;
            }
        }

        return null;
    }
}
