using System.Text.Json;
using CivicDesk.Triage;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Account;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Features.Triage;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Inbox;

public sealed record DeliveryView(long OutboundId, OutboundStatus Status, int Attempts, string? LastError, DateTime NextAttemptAt, DateTime? SentAt,
    string? ExternalId = null, string? ExternalUrl = null);

public sealed record MessageView(
    long Id,
    MessageDirection Direction,
    string AuthorHandle,
    string? AuthorName,
    string Text,
    DateTime CreatedAt,
    IReadOnlyList<AttachmentInfo> Attachments,
    TriageResult? Triage,
    bool IsUrgent,
    string? UrgencyReason,
    string? Place,
    string? RoutingReason,
    string? SentBy,
    DeliveryView? Delivery,
    string? Kind = null,
    string? Category = null,
    string? Sentiment = null,
    bool NeedsHumanTriage = false,
    string? NeedsHumanReason = null,
    string? MatchedSearch = null,
    DateTime? EditedAt = null);

public sealed record NoteView(long Id, string AuthorName, string Text, DateTime CreatedAt, IReadOnlyList<string> Mentioned);

public sealed record PersonOption(string Id, string Name);

public sealed record TeamOption(long Id, string Name, IReadOnlyList<PersonOption> People);

/// <summary>
/// One conversation: thread with triage evidence, routing explanation, status, priority, assignment, notes, reply
/// and audit history. Every POST handler works without JavaScript (post, redirect, get); status and notes also answer
/// htmx with just their panel and the refreshed audit history.
/// </summary>
public sealed class ConversationModel(CivicDeskDb db, ConversationAccess access, ConversationCommands commands, TimeProvider clock) : PageModel
{
    private static readonly JsonSerializerOptions TriageJson = new(JsonSerializerDefaults.Web);

    public Conversation Conversation { get; private set; } = null!;
    public StaffViewer Viewer { get; private set; } = null!;
    public Channel Channel { get; private set; } = null!;
    public string OrganisationName { get; private set; } = "";
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public string? TeamName { get; private set; }
    public string? AssignedStaffName { get; private set; }
    public RoutingRule? Rule { get; private set; }
    public IReadOnlyList<MessageView> Messages { get; private set; } = [];
    public IReadOnlyList<NoteView> Notes { get; private set; } = [];
    public IReadOnlyList<TeamOption> Teams { get; private set; } = [];
    public IReadOnlyList<TimelineEntry> Timeline { get; private set; } = [];
    public DateTime Now { get; private set; }

    /// <summary>Set when answering htmx: the audit history then goes out of band.</summary>
    public bool IsPartial { get; private set; }

    /// <summary>For the people control: the team whose members to list (null: every team, grouped).</summary>
    public long? PeopleTeamId { get; private set; }

    [TempData] public string? Notice { get; set; }

    [BindProperty] public ConversationStatus? NewStatus { get; set; }
    [BindProperty] public Priority? NewPriority { get; set; }
    [BindProperty] public long? TeamId { get; set; }
    [BindProperty] public string? StaffId { get; set; }
    [BindProperty] public string? NoteText { get; set; }
    [BindProperty] public string? ReplyText { get; set; }
    [BindProperty] public long? OutboundId { get; set; }
    /// <summary>Where to go after a status change made from the inbox (the "e" shortcut); local paths only.</summary>
    [BindProperty] public string? ReturnUrl { get; set; }

    public bool CanWork => ConversationAccess.CanWorkOn(Viewer, Conversation.AssignedTeamId, Conversation.AssignedStaffId);
    public int ReplyMaxLength => ReplyLimits.MaxLength(Channel.Kind);
    public string When(DateTime utc) => InboxText.When(utc, Zone);
    public string HandlerUrl(string? handler = null) => $"/inbox/conversation/{Conversation.Id}" + (handler is null ? "" : "?handler=" + handler);

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadConversationAsync(id, ct))
        {
            return NotFound();
        }

        await commands.OpenOnViewAsync(Conversation, ct);
        // Reading the conversation reads the notes that mention you.
        await db.NoteMentions
            .Where(m => m.StaffMemberId == Viewer.StaffId && !m.IsRead && db.InternalNotes.Any(n => n.Id == m.InternalNoteId && n.ConversationId == id))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.IsRead, true), ct);
        await LoadDetailsAsync(ct);
        return Page();
    }

    /// <summary>The people control for the chosen team (htmx, when the team select changes).</summary>
    public async Task<IActionResult> OnGetPeopleAsync(long id, long? teamId, CancellationToken ct)
    {
        if (!await LoadConversationAsync(id, ct))
        {
            return NotFound();
        }

        await LoadTeamsAsync(ct);
        PeopleTeamId = Teams.Any(t => t.Id == teamId) ? teamId : null;
        return Partial("_AssignPerson", this);
    }

    public async Task<IActionResult> OnPostStatusAsync(long id, CancellationToken ct) =>
        await RespondAsync(id, await commands.ChangeStatusAsync(id, NewStatus, ct), "_StatusUpdate",
            NewStatus is { } s ? $"Status changed to {s.Label().ToLowerInvariant()}" : null, "status", ct);

    public async Task<IActionResult> OnPostPriorityAsync(long id, CancellationToken ct) =>
        await RespondAsync(id, await commands.ChangePriorityAsync(id, NewPriority, ct), null, "Priority changed", "priority", ct);

    public async Task<IActionResult> OnPostAssignAsync(long id, CancellationToken ct) =>
        await RespondAsync(id, await commands.AssignAsync(id, TeamId, StaffId, ct), null, "Conversation assigned", "assign", ct);

    public async Task<IActionResult> OnPostNoteAsync(long id, CancellationToken ct)
    {
        var result = await commands.AddNoteAsync(id, NoteText, ct);
        if (result.Outcome == CommandOutcome.Done)
        {
            NoteText = null;
            ModelState.Remove(nameof(NoteText));
        }

        return await RespondAsync(id, result, "_NotesUpdate", "Note added", "notes", ct);
    }

    public async Task<IActionResult> OnPostReplyAsync(long id, CancellationToken ct) =>
        await RespondAsync(id, await commands.ReplyAsync(id, ReplyText, ct), null, "Reply queued for sending", "thread", ct);

    /// <summary>Staff confirm or correct one message's triage labels (feedback, re-routing: see <see cref="TriageCorrections"/>).</summary>
    public async Task<IActionResult> OnPostLabelsAsync(long id, long messageId, string? labelKind, string? labelCategory, string? labelSentiment, bool labelUrgent,
        [FromServices] TriageCorrections corrections, CancellationToken ct)
    {
        var outcome = await corrections.CorrectAsync(id, messageId, new LabelCorrection(labelKind, labelCategory, labelSentiment, labelUrgent), ct);
        var notice = outcome.RoutedTo is { } team ? $"Labels saved; routed to {team}" : "Labels saved";
        // Routed to a team this person cannot see: back to the inbox rather than to a page they may no longer open.
        if (outcome.Result.Outcome == CommandOutcome.Done && !await LoadConversationAsync(id, ct))
        {
            Notice = notice;
            return Redirect("/inbox");
        }

        return await RespondAsync(id, outcome.Result, null, notice, $"message-{messageId}", ct);
    }

    public async Task<IActionResult> OnPostRetryAsync(long id, CancellationToken ct) =>
        await RespondAsync(id, await commands.RetryReplyAsync(id, OutboundId, ct), null, "Reply queued to be sent again", "thread", ct);

    private async Task<IActionResult> RespondAsync(long id, CommandResult result, string? htmxPartial, string? notice, string anchor, CancellationToken ct)
    {
        switch (result.Outcome)
        {
            case CommandOutcome.NotFound:
                return NotFound();
            case CommandOutcome.Forbidden:
                return Forbid();
            case CommandOutcome.Invalid:
                ModelState.AddModelError(result.Field ?? "", result.Error ?? "Check your answer");
                break;
            default:
                break;
        }

        if (htmxPartial is not null && Request.IsHtmx())
        {
            await LoadConversationAsync(id, ct);
            await LoadDetailsAsync(ct);
            IsPartial = true;
            return Partial(htmxPartial, this);
        }

        if (result.Outcome == CommandOutcome.Invalid)
        {
            await LoadConversationAsync(id, ct);
            await LoadDetailsAsync(ct);
            return Page();
        }

        Notice = notice;
        var back = SignInModel.SafeReturnUrl(ReturnUrl);
        return !string.IsNullOrEmpty(ReturnUrl) && back == ReturnUrl ? LocalRedirect(back) : Redirect($"/inbox/conversation/{id}#{anchor}");
    }

    private async Task<bool> LoadConversationAsync(long id, CancellationToken ct)
    {
        Viewer = await access.ViewerAsync(ct);
        var conversation = await db.Conversations.Include(c => c.Channel).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null || !ConversationAccess.CanSee(Viewer, conversation.AssignedTeamId, conversation.AssignedStaffId))
        {
            return false;
        }

        Conversation = conversation;
        Channel = conversation.Channel!;
        Now = clock.GetUtcNow().UtcDateTime;
        return true;
    }

    private async Task LoadDetailsAsync(CancellationToken ct)
    {
        var c = Conversation;
        var org = await db.Organisations.AsNoTracking().Where(o => o.Id == c.OrganisationId).Select(o => new { o.Name, o.TimeZoneId }).SingleAsync(ct);
        OrganisationName = org.Name;
        Zone = InboxText.Zone(org.TimeZoneId);
        TeamName = c.AssignedTeamId is { } teamId ? await db.Teams.Where(t => t.Id == teamId).Select(t => t.Name).SingleOrDefaultAsync(ct) : null;
        AssignedStaffName = c.AssignedStaffId is { } staffId ? await db.Users.Where(u => u.Id == staffId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) : null;
        Rule = c.RoutingRuleId is { } ruleId ? await db.RoutingRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == ruleId, ct) : null;

        var rows = await db.Messages.AsNoTracking().Where(m => m.ConversationId == c.Id)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .Select(m => new
            {
                Message = m,
                SentBy = db.Users.Where(u => u.Id == m.SentByStaffId).Select(u => u.DisplayName).FirstOrDefault(),
                Delivery = db.OutboundMessages.Where(o => o.MessageId == m.Id)
                    .Select(o => new DeliveryView(o.Id, o.Status, o.Attempts, o.LastError, o.NextAttemptAt, o.SentAt, o.ExternalId, o.ExternalUrl)).FirstOrDefault(),
            })
            .ToListAsync(ct);
        Messages = rows.Select(r => new MessageView(r.Message.Id, r.Message.Direction, r.Message.AuthorHandle, r.Message.AuthorName, r.Message.Text,
            r.Message.CreatedAt, Attachments(r.Message.AttachmentsJson), Triage(r.Message.TriageJson), r.Message.IsUrgent, r.Message.UrgencyReason,
            r.Message.Place, r.Message.RoutingReason, r.SentBy, r.Delivery, r.Message.Kind, r.Message.Category, r.Message.Sentiment,
            r.Message.NeedsHumanTriage, r.Message.NeedsHumanReason, r.Message.MatchedSearch, r.Message.EditedAt)).ToList();

        var notes = await db.InternalNotes.AsNoTracking().Where(n => n.ConversationId == c.Id).OrderBy(n => n.CreatedAt).ThenBy(n => n.Id)
            .Select(n => new
            {
                n.Id, n.AuthorName, n.Text, n.CreatedAt,
                Mentioned = n.Mentions.Join(db.Users, m => m.StaffMemberId, u => u.Id, (m, u) => u.DisplayName).ToList(),
            })
            .ToListAsync(ct);
        Notes = notes.Select(n => new NoteView(n.Id, n.AuthorName, n.Text, n.CreatedAt, n.Mentioned)).ToList();
        await LoadTeamsAsync(ct);
        Timeline = await AuditTimeline.ForConversationAsync(db, c.Id, ct);
    }

    private async Task LoadTeamsAsync(CancellationToken ct)
    {
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        var members = await db.TeamMemberships.AsNoTracking()
            .Join(db.Users.Where(u => u.IsActive), m => m.StaffMemberId, u => u.Id, (m, u) => new { m.TeamId, u.Id, u.DisplayName })
            .ToListAsync(ct);
        Teams = teams.Where(t => ConversationAccess.MayChooseTeam(Viewer, t.Id))
            .Select(t => new TeamOption(t.Id, t.Name, members.Where(m => m.TeamId == t.Id).OrderBy(m => m.DisplayName)
                .Select(m => new PersonOption(m.Id, m.DisplayName)).ToList()))
            .ToList();
    }

    private static List<AttachmentInfo> Attachments(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<AttachmentInfo>>(json, TriageJson) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static TriageResult? Triage(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<TriageResult>(json, TriageJson);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Only web links are shown as links: a citizen-supplied javascript: or data: URL must never be clickable.</summary>
    public static bool IsWebLink(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    public static string StatusAction(ConversationStatus to) => to switch
    {
        ConversationStatus.Open => "Mark as open",
        ConversationStatus.WaitingOnCitizen => "Mark as waiting on citizen",
        ConversationStatus.Resolved => "Mark as resolved",
        ConversationStatus.Closed => "Close",
        _ => to.Label(),
    };

    public string? ErrorFor(string field) => ModelState[field]?.Errors.FirstOrDefault()?.ErrorMessage;
}
