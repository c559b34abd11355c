using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Audit;

/// <summary>One line of a conversation's audit timeline, in words.</summary>
public sealed record TimelineEntry(long Sequence, DateTime At, string Actor, string Action, string Description);

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
        return events.Select(e => new TimelineEntry(e.Sequence, e.At, e.ActorName, e.Action, Describe(e))).ToList();
    }

    public static string Describe(AuditEvent e) => e.Action switch
    {
        "conversation.opened" => "Opened the conversation (status New to Open)",
        "conversation.status-changed" => $"Changed the status from {e.Before} to {e.After}",
        "conversation.priority-changed" => $"Changed the priority from {e.Before} to {e.After}",
        "conversation.assigned" => $"Assigned to {e.After} (was {e.Before})",
        "note.added" => $"Added an internal note ({e.After})",
        "reply.queued" => $"Queued a reply ({e.After})",
        "reply.sent" => $"Reply delivered ({e.After})",
        "reply.failed" => $"Reply not delivered: {e.After}",
        "reply.retry-requested" => "Asked for the reply to be sent again",
        _ when e.Before is null && e.After is null => e.Action,
        _ => $"{e.Action}: {e.Before ?? "nothing"} to {e.After ?? "nothing"}",
    };
}
