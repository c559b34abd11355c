using CivicDesk.Triage;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Inbox;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Triage;

/// <summary>Labels staff set on one inbound message.</summary>
public sealed record LabelCorrection(string? Kind, string? Category, string? Sentiment, bool Urgent);

/// <summary>What a correction did: which labels changed and where the conversation went.</summary>
public sealed record CorrectionOutcome(CommandResult Result, IReadOnlyList<string> Changed, string? RoutedTo);

/// <summary>
/// Staff confirming or correcting triage labels. Each changed label becomes a <see cref="TriageFeedback"/> row (training
/// data for the organisation's retrained models); confirming a message that needed a human records its service group
/// as confirmed. The message's labels are updated, the "needs a human" flag cleared, and, when the category changed or
/// the message was waiting for a human, the conversation is routed again by the organisation's rules. Audited in the
/// same SaveChanges. The engine's own result (TriageJson, with its explanation) is kept as it was.
/// </summary>
public sealed class TriageCorrections(CivicDeskDb db, ConversationAccess access, AuditLog audit, RoutingService routing, TimeProvider clock)
{
    // messageId 0: the conversation's latest inbound message.
    public async Task<CorrectionOutcome> CorrectAsync(long conversationId, long messageId, LabelCorrection input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var viewer = await access.ViewerAsync(ct);
        var conversation = await db.Conversations.Include(c => c.Channel).SingleOrDefaultAsync(c => c.Id == conversationId, ct);
        if (conversation is null || !ConversationAccess.CanSee(viewer, conversation.AssignedTeamId, conversation.AssignedStaffId))
        {
            return new(CommandResult.NotFound, [], null);
        }

        if (!ConversationAccess.CanWorkOn(viewer, conversation.AssignedTeamId, conversation.AssignedStaffId))
        {
            return new(CommandResult.Forbidden, [], null);
        }

        // No message named: the conversation's latest inbound message (the one its labels came from).
        var message = await db.Messages
            .Where(m => m.ConversationId == conversationId && m.Direction == MessageDirection.Inbound && (messageId == 0 || m.Id == messageId))
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .FirstOrDefaultAsync(ct);
        if (message is null)
        {
            return new(CommandResult.NotFound, [], null);
        }

        if (input.Kind is null || !TriageLabels.Kinds.Contains(input.Kind))
        {
            return new(CommandResult.Invalid("LabelKind", "Select the type of message"), [], null);
        }

        if (input.Category is null || !TriageLabels.Categories.Contains(input.Category))
        {
            return new(CommandResult.Invalid("LabelCategory", "Select the service category"), [], null);
        }

        if (input.Sentiment is null || !TriageLabels.Sentiments.Contains(input.Sentiment))
        {
            return new(CommandResult.Invalid("LabelSentiment", "Select the sentiment"), [], null);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var before = new { message.Kind, message.Category, message.Sentiment, Urgent = message.IsUrgent, NeedsHuman = message.NeedsHumanTriage };
        var wasWaiting = message.NeedsHumanTriage;
        var changed = new List<string>();
        void Feedback(string task, string? old, string value, bool always = false)
        {
            if (always || !string.Equals(old, value, StringComparison.Ordinal))
            {
                db.TriageFeedback.Add(new TriageFeedback
                {
                    OrganisationId = message.OrganisationId, MessageId = message.Id, Task = task, OldValue = old, NewValue = value,
                    StaffId = viewer.StaffId, StaffName = viewer.DisplayName, At = now,
                });
                if (!string.Equals(old, value, StringComparison.Ordinal))
                {
                    changed.Add(task);
                }
            }
        }

        Feedback("kind", message.Kind, input.Kind);
        Feedback("category", message.Category, input.Category, always: wasWaiting);
        Feedback("sentiment", message.Sentiment, input.Sentiment);
        Feedback("urgent", message.IsUrgent ? "true" : "false", input.Urgent ? "true" : "false");

        message.Kind = input.Kind;
        message.Category = input.Category;
        message.Sentiment = input.Sentiment;
        if (input.Urgent != message.IsUrgent)
        {
            message.IsUrgent = input.Urgent;
            message.UrgencyReason = input.Urgent ? "marked urgent by staff" : null;
        }

        message.NeedsHumanTriage = false;
        message.NeedsHumanReason = null;

        conversation.Kind = input.Kind;
        conversation.Category = input.Category;
        conversation.Sentiment = input.Sentiment;
        conversation.IsUrgent = input.Urgent || await db.Messages.AnyAsync(m => m.ConversationId == conversationId && m.Id != messageId && m.IsUrgent, ct);
        if (input.Urgent)
        {
            conversation.Priority = Priority.Urgent;
        }

        string? routedTo = null;
        if (changed.Contains("category") || wasWaiting)
        {
            var book = await routing.GetRuleBookAsync(conversation.OrganisationId, ct);
            var decision = book.Decide(new RoutingInput(message.Text, conversation.Channel!.Kind, input.Kind, input.Category == "none" ? null : input.Category,
                input.Sentiment, input.Urgent, message.Place));
            var reason = $"labels confirmed by {viewer.DisplayName}; {decision.Reason}";
            message.RoutedTeamId = decision.TeamId;
            message.RoutingRuleId = decision.RuleId;
            message.RoutingReason = Clamp(reason, 500);
            conversation.RoutingRuleId = decision.RuleId;
            conversation.RoutingReason = Clamp(reason, 500);
            if (conversation.AssignedTeamId != decision.TeamId)
            {
                audit.Record("conversation.rerouted", "Conversation", conversation.Id, conversation.AssignedTeamId, decision.TeamName);
                conversation.AssignedTeamId = decision.TeamId;
                conversation.AssignedStaffId = null;
            }

            routedTo = decision.TeamName;
        }

        conversation.UpdatedAt = now;
        audit.Record("triage.corrected", "Message", message.Id, before,
            new { message.Kind, message.Category, message.Sentiment, Urgent = message.IsUrgent, NeedsHuman = false, Changed = changed });
        await db.SaveChangesAsync(ct);
        return new(CommandResult.Done, changed, routedTo);
    }

    private static string Clamp(string value, int max) => value.Length <= max ? value : value[..max];
}
