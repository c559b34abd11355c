using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Outbound;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Cases;

/// <summary>
/// Tells every reporter of a case, each on their own channel: one outbound message and outbox row per reporter
/// conversation, in the caller's transaction (the outbox pattern of the inbox's replies). Reporters known only by
/// contact details (Open311) are told by the system that sent the report, through its own update polling.
/// </summary>
public sealed class CaseNotifier(CivicDeskDb db, AuditLog audit, OutboundSignal outbound, TimeProvider clock)
{
    /// <summary>Queues <paramref name="text"/> to every reporter conversation; returns how many were queued. Saves.</summary>
    public async Task<int> QueueAsync(Case c, string text, CancellationToken ct)
    {
        var conversationIds = await db.CaseReporters.Where(r => r.CaseId == c.Id && r.ConversationId != null)
            .Select(r => r.ConversationId!.Value).Distinct().ToListAsync(ct);
        if (conversationIds.Count == 0)
        {
            await db.SaveChangesAsync(ct);
            return 0;
        }

        var conversations = await db.Conversations.Include(x => x.Channel).Where(x => conversationIds.Contains(x.Id)).ToListAsync(ct);
        var organisationName = await db.Organisations.Where(o => o.Id == c.OrganisationId).Select(o => o.Name).SingleAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var queued = new List<(Conversation Conversation, Message Message)>();
        foreach (var conversation in conversations.Where(x => x.Channel!.CanReply))
        {
            var channel = conversation.Channel!;
            var lastInbound = await db.Messages.Where(m => m.ConversationId == conversation.Id && m.Direction == MessageDirection.Inbound)
                .OrderByDescending(m => m.CreatedAt).Select(m => m.ExternalId).FirstOrDefaultAsync(ct);
            var message = new Message
            {
                OrganisationId = conversation.OrganisationId, ChannelId = conversation.ChannelId, ConversationId = conversation.Id,
                Direction = MessageDirection.Outbound, ExternalId = "case-" + Guid.NewGuid().ToString("N"),
                AuthorHandle = channel.Account ?? organisationName, AuthorName = organisationName,
                Text = Fit(text, ReplyLimits.MaxLength(channel.Kind)), CreatedAt = now, ReceivedAt = now, InReplyTo = lastInbound,
            };
            db.Messages.Add(message);
            conversation.MessageCount++;
            conversation.UpdatedAt = now;
            conversation.FirstResponseAt ??= now;
            queued.Add((conversation, message));
        }

        await db.SaveChangesAsync(ct);
        foreach (var (conversation, message) in queued)
        {
            db.OutboundMessages.Add(new OutboundMessage
            {
                OrganisationId = conversation.OrganisationId, ChannelId = conversation.ChannelId, ConversationId = conversation.Id,
                MessageId = message.Id, Status = OutboundStatus.Pending, QueuedAt = now, NextAttemptAt = now,
            });
            audit.Record("reply.queued", "Message", message.Id, null, $"case {c.Reference} update, {message.Text.Length} characters on {conversation.Channel!.Kind}", c.OrganisationId);
        }

        await db.SaveChangesAsync(ct);
        return queued.Count;
    }

    /// <summary>Wakes the outbound worker; call after the transaction commits.</summary>
    public void Ring() => outbound.Ring();

    public static string StatusText(Case c, CaseStatus status, string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? $"Update on {c.Reference}: {StatusSentence(status)}"
            : $"Update on {c.Reference}: {StatusSentence(status)} {text.Trim()}";

    public static string UpdateText(Case c, string text) => $"Update on {c.Reference}: {text.Trim()}";

    private static string StatusSentence(CaseStatus status) => status switch
    {
        CaseStatus.Open => "we have logged the problem.",
        CaseStatus.Investigating => "we are looking into it.",
        CaseStatus.InProgress => "work is in progress.",
        CaseStatus.ActionScheduled => "work has been scheduled.",
        CaseStatus.Fixed => "the problem has been fixed.",
        CaseStatus.Duplicate => "this problem had already been reported, and we are dealing with it there.",
        CaseStatus.NotResponsible => "this is not something we are responsible for.",
        CaseStatus.NoFurtherAction => "we will not be taking further action.",
        CaseStatus.InternalReferral => "we have passed it to the right department.",
        CaseStatus.Closed => "the case is closed.",
        CaseStatus.Reopened => "we have reopened the case.",
        _ => status.Label() + ".",
    };

    /// <summary>Cuts to the channel's limit at a word boundary, with an ellipsis.</summary>
    public static string Fit(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = text[..(max - 1)];
        var space = cut.LastIndexOf(' ');
        return (space > max / 2 ? cut[..space] : cut).TrimEnd() + "…";
    }
}
