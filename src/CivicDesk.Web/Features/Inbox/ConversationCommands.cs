using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Inbox;

public enum CommandOutcome
{
    Done,
    NotFound,
    Forbidden,
    Invalid,
}

/// <summary>What a command did; Invalid carries the form field and a message in GOV.UK error-message style.</summary>
public sealed record CommandResult(CommandOutcome Outcome, string? Field = null, string? Error = null)
{
    public static readonly CommandResult Done = new(CommandOutcome.Done);
    public static readonly CommandResult NotFound = new(CommandOutcome.NotFound);
    public static readonly CommandResult Forbidden = new(CommandOutcome.Forbidden);

    public static CommandResult Invalid(string field, string error) => new(CommandOutcome.Invalid, field, error);
}

/// <summary>
/// Everything staff do to a conversation. Each command checks <see cref="ConversationAccess"/>, changes the rows and
/// records the audit event in the same transaction. A conversation the viewer cannot see is "not found", never "forbidden".
/// </summary>
public sealed class ConversationCommands(CivicDeskDb db, ConversationAccess access, AuditLog audit, OutboundSignal outbound, TimeProvider clock)
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

        var team = teamId is { } t ? await db.Teams.SingleOrDefaultAsync(x => x.Id == t, ct) : null;
        if (team is null)
        {
            return CommandResult.Invalid("TeamId", "Select a team");
        }

        if (!ConversationAccess.CanAssign(viewer, conversation.AssignedTeamId, conversation.AssignedStaffId, team.Id))
        {
            return CommandResult.Forbidden;
        }

        staffId = string.IsNullOrEmpty(staffId) ? null : staffId;
        string? staffName = null;
        if (staffId is not null)
        {
            staffName = await db.TeamMemberships.Where(m => m.TeamId == team.Id && m.StaffMemberId == staffId)
                .Join(db.Users.Where(u => u.IsActive), m => m.StaffMemberId, u => u.Id, (m, u) => u.DisplayName)
                .SingleOrDefaultAsync(ct);
            if (staffName is null)
            {
                return CommandResult.Invalid("StaffId", $"Select a person in {team.Name}, or nobody in particular");
            }
        }

        if (conversation.AssignedTeamId == team.Id && conversation.AssignedStaffId == staffId)
        {
            return CommandResult.Done;
        }

        var before = await DescribeAssignmentAsync(conversation.AssignedTeamId, conversation.AssignedStaffId, ct);
        conversation.AssignedTeamId = team.Id;
        conversation.AssignedStaffId = staffId;
        conversation.UpdatedAt = Now;
        audit.Record("conversation.assigned", "Conversation", id, before, staffName is null ? team.Name : $"{team.Name}, {staffName}");
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
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        audit.Record("note.added", "InternalNote", note.Id, null, names.Count == 0 ? "no mentions" : "mentioned " + string.Join(", ", names));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return CommandResult.Done;
    }

    public async Task<CommandResult> ReplyAsync(long id, string? text, CancellationToken ct)
    {
        var (conversation, viewer, refused) = await LoadForWorkAsync(id, ct);
        if (conversation is null)
        {
            return refused!;
        }

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

        if (string.IsNullOrEmpty(text))
        {
            return CommandResult.Invalid("ReplyText", "Enter a reply");
        }

        if (text.Length > max)
        {
            return CommandResult.Invalid("ReplyText", $"Reply must be {max} characters or fewer");
        }

        var now = Now;
        var organisationName = await db.Organisations.Where(o => o.Id == conversation.OrganisationId).Select(o => o.Name).SingleAsync(ct);
        var lastInbound = await db.Messages.Where(m => m.ConversationId == id && m.Direction == MessageDirection.Inbound)
            .OrderByDescending(m => m.CreatedAt).Select(m => m.ExternalId).FirstOrDefaultAsync(ct);
        var message = new Message
        {
            OrganisationId = conversation.OrganisationId, ChannelId = conversation.ChannelId, ConversationId = id,
            Direction = MessageDirection.Outbound, ExternalId = "reply-" + Guid.NewGuid().ToString("N"),
            AuthorHandle = channel.Account ?? organisationName, AuthorName = organisationName, Text = text,
            CreatedAt = now, ReceivedAt = now, InReplyTo = lastInbound, SentByStaffId = viewer.StaffId,
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
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        db.OutboundMessages.Add(new OutboundMessage
        {
            OrganisationId = conversation.OrganisationId, ChannelId = conversation.ChannelId, ConversationId = id, MessageId = message.Id,
            Status = OutboundStatus.Pending, QueuedAt = now, NextAttemptAt = now,
        });
        audit.Record("reply.queued", "Message", message.Id, null, $"{text.Length} characters on {channel.Kind}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        outbound.Ring();
        return CommandResult.Done;
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

    private async Task<string> DescribeAssignmentAsync(long? teamId, string? staffId, CancellationToken ct)
    {
        var team = teamId is { } t ? await db.Teams.Where(x => x.Id == t).Select(x => x.Name).SingleOrDefaultAsync(ct) : null;
        var person = staffId is null ? null : await db.Users.Where(u => u.Id == staffId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct);
        return (team, person) switch
        {
            (null, null) => "nobody",
            (_, null) => team!,
            (null, _) => person!,
            _ => $"{team}, {person}",
        };
    }
}
