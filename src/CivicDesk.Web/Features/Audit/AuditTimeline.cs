using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Audit;

/// <summary>One line of a conversation's audit timeline: a sentence for people, and the raw record behind a toggle.</summary>
public sealed record TimelineEntry(long Sequence, DateTime At, string Actor, string Action, string Description, string? Before = null, string? After = null);

/// <summary>The audit events about a conversation, its messages and its notes, described for people (the inbox and case pages both show it).</summary>
public static class AuditTimeline
{
    public static async Task<IReadOnlyList<TimelineEntry>> ForConversationAsync(CivicDeskDb db, long conversationId, CancellationToken ct)
    {
        var id = conversationId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var messageIds = await db.Messages.Where(m => m.ConversationId == conversationId).Select(m => m.Id).ToListAsync(ct);
        var noteIds = await db.InternalNotes.Where(n => n.ConversationId == conversationId).Select(n => n.Id).ToListAsync(ct);
        var messageKeys = messageIds.Select(m => m.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var noteKeys = noteIds.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var events = await db.AuditEvents.AsNoTracking()
            .Where(a => (a.TargetType == "Conversation" && a.TargetId == id)
                        || (a.TargetType == "Message" && messageKeys.Contains(a.TargetId!))
                        || (a.TargetType == "InternalNote" && noteKeys.Contains(a.TargetId!)))
            .OrderByDescending(a => a.Sequence)
            .Take(500)
            .ToListAsync(ct);
        return events.Select(e => new TimelineEntry(e.Sequence, e.At, e.ActorName, e.Action, Describe(e), e.Before, e.After)).ToList();
    }

    /// <summary>A sentence: "Aisha Begum changed the status from New to Open". Raw values stay in the event.</summary>
    public static string Describe(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var (before, after) = (Plain(e.Before), Plain(e.After));
        var what = e.Action switch
        {
            "conversation.created" => "received the first message",
            "conversation.opened" => "opened the conversation (New to Open)",
            "conversation.status-changed" => $"changed the status from {before} to {after}",
            "conversation.priority-changed" => $"changed the priority from {before} to {after}",
            "conversation.assigned" => before is null ? "assigned the conversation" : $"reassigned the conversation (it was with {before})",
            "note.added" => after is null ? "added an internal note" : $"added an internal note ({after})",
            "reply.queued" => after is null ? "queued a reply" : $"queued a reply ({after})",
            "reply.sent" => "sent the reply",
            "reply.failed" => $"could not deliver the reply: {after}",
            "reply.retry-requested" => "asked for the reply to be sent again",
            _ when before is null && after is null => $"recorded {e.Action.Replace('.', ' ').Replace('-', ' ')}",
            _ => $"recorded {e.Action.Replace('.', ' ').Replace('-', ' ')}: {before ?? "nothing"} to {after ?? "nothing"}",
        };
        return $"{e.ActorName} {what}";
    }

    /// <summary>
    /// A recorded value as words: plain text as it is, a JSON object with one value (how some writers record a
    /// change: {"status":"Open"}) as that value, anything else as it is (the raw record is behind the details toggle).
    /// </summary>
    internal static string? Plain(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value[0] != '{')
        {
            return value;
        }

        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(value);
            var props = doc.RootElement.EnumerateObject().ToList();
            return props.Count == 1 && props[0].Value.ValueKind is System.Text.Json.JsonValueKind.String or System.Text.Json.JsonValueKind.Number
                ? props[0].Value.ToString()
                : value;
        }
        catch (System.Text.Json.JsonException)
        {
            return value;
        }
    }
}
