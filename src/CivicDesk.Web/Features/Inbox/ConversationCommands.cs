using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Features.Review;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Inbox;

/// <summary>
/// Everything staff do to a conversation. Each command checks <see cref="ConversationAccess"/>, changes the rows and
/// records the audit event in the same transaction. A conversation the viewer cannot see is "not found", never "forbidden".
/// </summary>
public sealed class ConversationCommands(CivicDeskDb db, ConversationAccess access, AuditLog audit, OutboundSignal outbound, ReviewQueue review, TimeProvider clock)
{
    public const int MaxNoteLength = 5000;

    /// <summary>A case worker opening a New conversation has looked at it: it becomes Open.</summary>
    public async Task OpenOnViewAsync(Conversation conversation, CancellationToken ct)
    {
        var viewer = await access.ViewerAsync(ct);
        if (conversation.Status != ConversationStatus.New || !ConversationAccess.CanWorkOn(viewer, conversation.AssignedTeamId, conversation.AssignedStaffId))
        {
            return;
        }

        conversation.MoveTo(ConversationStatus.Open, Now);
        audit.Record("conversation.opened", "Conversation", conversation.Id, ConversationStatus.New.Label(), ConversationStatus.Open.Label());
        await db.SaveChangesAsync(ct);
    }

    public async Task<CommandResult> ChangeStatusAsync(long id, ConversationStatus? to, CancellationToken ct)
    {
        var (conversation, _, refused) = await LoadForWorkAsync(id, ct);
        if (conversation is null)
        {
            return refused!;
        }

        if (to is not { } next)
        {
            return CommandResult.Invalid("NewStatus", "Select a status");
        }

        if (!ConversationWorkflow.CanMove(conversation.Status, next))
        {
            return CommandResult.Invalid("NewStatus",
                $"A conversation that is {conversation.Status.Label().ToLowerInvariant()} cannot be moved to {next.Label().ToLowerInvariant()}");
        }

        var before = conversation.Status;
        conversation.MoveTo(next, Now);
        audit.Record("conversation.status-changed", "Conversation", id, before.Label(), next.Label());
        await db.SaveChangesAsync(ct);
        return CommandResult.Done;
    }

    public async Task<CommandResult> ChangePriorityAsync(long id, Priority? to, CancellationToken ct)
    {
        var (conversation, _, refused) = await LoadForWorkAsync(id, ct);
        if (conversation is null)
        {
            return refused!;
        }

        if (to is not { } priority)
        {
            return CommandResult.Invalid("NewPriority", "Select a priority");
        }

        if (priority == conversation.Priority)
        {
            return CommandResult.Done;
        }

        var before = conversation.Priority;
        conversation.Priority = priority;
        conversation.UpdatedAt = Now;
        audit.Record("conversation.priority-changed", "Conversation", id, before.ToString(), priority.ToString());
        await db.SaveChangesAsync(ct);
        return CommandResult.Done;
    }

    public async Task<CommandResult> AssignAsync(long id, long? teamId, string? staffId, CancellationToken ct)
    {
        var (conversation, viewer, refused) = await LoadForWorkAsync(id, ct);
        if (conversation is null)
        {
            return refused!;
        }

        var (choice, invalid) = await TeamAssignment.CheckAsync(db, teamId, staffId,
            team => ConversationAccess.CanAssign(viewer, conversation.AssignedTeamId, conversation.AssignedStaffId, team), ct);
        if (choice is null)
        {
            return invalid!;
        }

        if (choice.IsCurrent(conversation.AssignedTeamId, conversation.AssignedStaffId))
        {
            return CommandResult.Done;
        }

        var before = await TeamAssignment.DescribeAsync(db, conversation.AssignedTeamId, conversation.AssignedStaffId, ct);
        conversation.AssignedTeamId = choice.Team.Id;
        conversation.AssignedStaffId = choice.StaffId;
        conversation.UpdatedAt = Now;
        audit.Record("conversation.assigned", "Conversation", id, before, choice.Description);
        await db.SaveChangesAsync(ct);
        return CommandResult.Done;
    }

    public async Task<CommandResult> AddNoteAsync(long id, string? text, CancellationToken ct)
    {
        var (conversation, viewer, refused) = await LoadForWorkAsync(id, ct);
        if (conversation is null)
        {
            return refused!;
        }

        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return CommandResult.Invalid("NoteText", "Enter a note");
        }

        if (text.Length > MaxNoteLength)
        {
            return CommandResult.Invalid("NoteText", $"Note must be {MaxNoteLength} characters or fewer");
        }

        var candidates = await db.Users.Where(u => u.OrganisationId == conversation.OrganisationId && u.IsActive)
            .Select(u => new MentionCandidate(u.Id, u.Email, u.DisplayName)).ToListAsync(ct);
        var mentioned = Mentions.Find(text, candidates).Where(s => s != viewer.StaffId).ToList();
        var note = new InternalNote
        {
            OrganisationId = conversation.OrganisationId, ConversationId = id, AuthorId = viewer.StaffId, AuthorName = viewer.DisplayName,
            Text = text, CreatedAt = Now,
            Mentions = mentioned.Select(s => new NoteMention { OrganisationId = conversation.OrganisationId, StaffMemberId = s }).ToList(),
        };
        db.InternalNotes.Add(note);
        var names = mentioned.Select(s => candidates.First(c => c.StaffId == s).DisplayName).ToList();

        // The note's id is the audit event's target, so it is saved first; the transaction keeps both or neither.
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        audit.Record("note.added", "InternalNote", note.Id, null, names.Count == 0 ? "no mentions" : "mentioned " + string.Join(", ", names));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return CommandResult.Done;
    }

    public Task<CommandResult> ReplyAsync(long id, string? text, CancellationToken ct) => ReplyAsync(id, text, null, ct);

    /// <summary>
    /// Replies now, or — when <paramref name="sendAt"/> is later — queues the reply to leave the outbound queue no
    /// earlier than then (used to space out many replies, e.g. rumour rebuttals, so a network does not see a burst).
    /// </summary>
    public async Task<CommandResult> ReplyAsync(long id, string? text, DateTime? sendAt, CancellationToken ct)
    {
        var (conversation, viewer, refused) = await LoadForWorkAsync(id, ct);
        if (conversation is null)
        {
            return refused!;
        }

        if (ValidateReply(conversation, ref text) is { } invalid)
        {
            return invalid;
        }

        // A trainee's reply waits for their mentor; it is queued for sending only when approved (ReplyReviewHandler).
        if (review.CurrentUserMustBeReviewed)
        {
            var submitted = await review.SubmitAsync(new ReviewSubmission(ReplyReviewHandler.ReplyKind, id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"Reply to {conversation.Reference}", text!), ct);
            return submitted.Outcome == ReviewOutcome.Done
                ? CommandResult.DoneWith("Your reply is waiting for review by your mentor")
                : CommandResult.Invalid("ReplyText", submitted.Error ?? "The reply could not be sent for review");
        }

        await QueueReplyAsync(conversation, text!, viewer.StaffId, null, ct, sendAt);
        outbound.Ring();
        return CommandResult.Done;
    }

    /// <summary>
    /// Queues a reviewed reply in the trainee's name. The reviewer acts for the trainee, so the conversation is loaded
    /// without the viewer's access rules (the organisation filter still applies); the same checks as a direct reply run
    /// again, because the conversation may have closed while the reply waited.
    /// </summary>
    public async Task<CommandResult> QueueApprovedReplyAsync(long conversationId, string text, string authorId, string reviewerName, CancellationToken ct)
    {
        var conversation = await db.Conversations.Include(c => c.Channel).SingleOrDefaultAsync(c => c.Id == conversationId, ct);
        if (conversation is null)
        {
            return CommandResult.NotFound;
        }

        string? checkedText = text;
        if (ValidateReply(conversation, ref checkedText) is { } invalid)
        {
            return invalid;
        }

        await QueueReplyAsync(conversation, checkedText!, authorId, reviewerName, ct);
        return CommandResult.Done;
    }

    private static CommandResult? ValidateReply(Conversation conversation, ref string? text)
    {
        var channel = conversation.Channel!;
        var max = ReplyLimits.MaxLength(channel.Kind);
        text = text?.Trim();
        if (!channel.CanReply)
        {
            return CommandResult.Invalid("ReplyText", "Replies cannot be sent on this channel");
        }

        if (conversation.Status == ConversationStatus.Closed)
        {
            return CommandResult.Invalid("ReplyText", "This conversation is closed. A new message from the citizen opens a new conversation");
        }

        // Checked again when a reviewed reply is approved: a restriction may have come in while it waited.
        if (conversation.RestrictedBy is { } restriction)
        {
            return CommandResult.Invalid("ReplyText", ProcessingRestriction.Refusal(restriction));
        }

        if (string.IsNullOrEmpty(text))
        {
            return CommandResult.Invalid("ReplyText", "Enter a reply");
        }

        return text.Length > max ? CommandResult.Invalid("ReplyText", $"Reply must be {max} characters or fewer") : null;
    }

    private async Task QueueReplyAsync(Conversation conversation, string text, string sentByStaffId, string? approvedBy, CancellationToken ct, DateTime? sendAt = null)
    {
        var id = conversation.Id;
        var channel = conversation.Channel!;
        var now = Now;
        var organisationName = await db.Organisations.Where(o => o.Id == conversation.OrganisationId).Select(o => o.Name).SingleAsync(ct);
        var lastInbound = await db.Messages.Where(m => m.ConversationId == id && m.Direction == MessageDirection.Inbound)
            .OrderByDescending(m => m.CreatedAt).Select(m => m.ExternalId).FirstOrDefaultAsync(ct);
        var message = new Message
        {
            OrganisationId = conversation.OrganisationId, ChannelId = conversation.ChannelId, ConversationId = id,
            Direction = MessageDirection.Outbound, ExternalId = "reply-" + Guid.NewGuid().ToString("N"),
            AuthorHandle = channel.Account ?? organisationName, AuthorName = organisationName, Text = text,
            CreatedAt = now, ReceivedAt = now, InReplyTo = lastInbound, SentByStaffId = sentByStaffId,
        };
        db.Messages.Add(message);
        conversation.MessageCount++;
        conversation.UpdatedAt = now;
        conversation.FirstResponseAt ??= now;
        if (conversation.Status is ConversationStatus.New or ConversationStatus.Open)
        {
            var before = conversation.Status;
            conversation.MoveTo(ConversationStatus.WaitingOnCitizen, now);
            audit.Record("conversation.status-changed", "Conversation", id, before.Label(), ConversationStatus.WaitingOnCitizen.Label());
        }

        // Outbox: the reply and its queue row commit together, so a reply is never lost nor sent without a record.
        // A reviewed reply joins the review queue's transaction, so the approval and the reply commit together.
        await using var tx = db.Database.CurrentTransaction is null ? await db.BeginWriteTransactionAsync(ct) : null;
        await db.SaveChangesAsync(ct);
        db.OutboundMessages.Add(new OutboundMessage
        {
            OrganisationId = conversation.OrganisationId, ChannelId = conversation.ChannelId, ConversationId = id, MessageId = message.Id,
            Status = OutboundStatus.Pending, QueuedAt = now, NextAttemptAt = sendAt is { } later && later > now ? later : now,
        });
        audit.Record("reply.queued", "Message", message.Id, null,
            approvedBy is null ? $"{text.Length} characters on {channel.Kind}" : $"{text.Length} characters on {channel.Kind}, approved by {approvedBy}");
        await db.SaveChangesAsync(ct);
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }
    }

    public async Task<CommandResult> RetryReplyAsync(long id, long? outboundId, CancellationToken ct)
    {
        var (conversation, _, refused) = await LoadForWorkAsync(id, ct);
        if (conversation is null)
        {
            return refused!;
        }

        var row = await db.OutboundMessages.SingleOrDefaultAsync(o => o.Id == outboundId && o.ConversationId == id, ct);
        if (row is null)
        {
            return CommandResult.NotFound;
        }

        if (row.Status != OutboundStatus.Failed)
        {
            return CommandResult.Invalid("OutboundId", "Only a reply that failed can be sent again");
        }

        row.Status = OutboundStatus.Pending;
        row.NextAttemptAt = Now;
        audit.Record("reply.retry-requested", "Message", row.MessageId, "Failed", "Queued");
        await db.SaveChangesAsync(ct);
        outbound.Ring();
        return CommandResult.Done;
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task<(Conversation? Conversation, StaffViewer Viewer, CommandResult? Refused)> LoadForWorkAsync(long id, CancellationToken ct)
    {
        var viewer = await access.ViewerAsync(ct);
        var conversation = await db.Conversations.Include(c => c.Channel).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null || !ConversationAccess.CanSee(viewer, conversation.AssignedTeamId, conversation.AssignedStaffId))
        {
            return (null, viewer, CommandResult.NotFound);
        }

        return ConversationAccess.CanWorkOn(viewer, conversation.AssignedTeamId, conversation.AssignedStaffId)
            ? (conversation, viewer, null)
            : (null, viewer, CommandResult.Forbidden);
    }
}
