using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Map;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Cases;

public sealed record CaseMessageView(long Id, long ConversationId, string ConversationReference, string AuthorHandle, string? AuthorName,
    ChannelKind ChannelKind, string Text, DateTime CreatedAt);

public sealed record ReporterView(long? ConversationId, string? ConversationReference, string? Handle, ChannelKind? ChannelKind,
    string? Name, string? Email, string? Phone);

public sealed record PhotoView(string FileName, string? Href);

public sealed record CandidateView(long Id, long CandidateCaseId, string Reference, string Title, CaseStatus Status, double Score,
    double TextSimilarity, double? DistanceMetres, IReadOnlyList<string> Reasons);

/// <summary>One entry of the case timeline: an update or note (with its text) or an audit event.</summary>
public sealed record CaseTimelineEntry(DateTime At, string Title, string Actor, string? Text, string? Tag, long? AuditSequence);

public sealed record PersonOption(string Id, string Name, long TeamId, string TeamName);

/// <summary>
/// A case for staff: summary, map pin, messages, reporters, photos, duplicates and the timeline, with the forms to
/// work it. Every form posts, redirects and gets (no JavaScript needed); errors re-render with a GOV.UK error summary.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class CaseModel(
    CivicDeskDb db,
    ConversationAccess access,
    CaseCommands commands,
    DuplicateFinder duplicates,
    IOptions<MapOptions> mapOptions,
    TimeProvider clock,
    CasePublicText publicText) : PageModel
{
    public Case Case { get; private set; } = null!;
    public StaffViewer Viewer { get; private set; } = null!;
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public string? ServiceName { get; private set; }
    public string? TeamName { get; private set; }
    public string? AssignedStaffName { get; private set; }
    public string? MergedIntoReference { get; private set; }
    public IReadOnlyList<string> MergedFrom { get; private set; } = [];
    public IReadOnlyList<CaseMessageView> Messages { get; private set; } = [];
    public IReadOnlyList<ReporterView> Reporters { get; private set; } = [];
    public IReadOnlyList<PhotoView> Photos { get; private set; } = [];
    public IReadOnlyList<CandidateView> Candidates { get; private set; } = [];
    public IReadOnlyList<CaseTimelineEntry> Timeline { get; private set; } = [];
    public IReadOnlyList<Team> Teams { get; private set; } = [];
    public IReadOnlyList<PersonOption> People { get; private set; } = [];
    public MapOptions Map => mapOptions.Value;
    public DateTime Now { get; private set; }

    [TempData] public string? Notice { get; set; }

    [BindProperty] public CaseStatus? NewStatus { get; set; }
    [BindProperty] public string? UpdateText { get; set; }
    /// <summary>"yes" to publish the reporter's description and address (after reading them), "no" to withdraw.</summary>
    [BindProperty] public string? PublishText { get; set; }
    /// <summary>"public" or "internal".</summary>
    [BindProperty] public string? Visibility { get; set; }
    [BindProperty] public long? TeamId { get; set; }
    [BindProperty] public string? StaffId { get; set; }
    [BindProperty] public Priority? NewPriority { get; set; }
    [BindProperty] public DateOnly? DueDate { get; set; }
    [BindProperty] public TimeOnly? DueTime { get; set; }
    [BindProperty] public string? SurvivorReference { get; set; }
    [BindProperty] public long? CandidateId { get; set; }

    public bool CanWork => CaseAccess.CanWorkOn(Viewer, Case);
    public string When(DateTime utc) => InboxText.When(utc, Zone);
    public string HandlerUrl(string? handler = null) => $"/cases/{Case.Reference}" + (handler is null ? "" : "?handler=" + handler);
    public string? ErrorFor(string key) => ModelState.TryGetValue(key, out var e) && e.Errors.Count > 0 ? e.Errors[0].ErrorMessage : null;

    public async Task<IActionResult> OnGetAsync(string reference, CancellationToken ct)
    {
        if (!await LoadAsync(reference, ct))
        {
            return NotFound();
        }

        await LoadDetailsAsync(ct);
        return Page();
    }

    public Task<IActionResult> OnPostStatusAsync(string reference, CancellationToken ct) =>
        WorkAsync(reference, c => commands.ChangeStatusAsync(c.Id, NewStatus, UpdateText, Visibility == "public", ct),
            NewStatus is { } s ? $"Status changed to {s.Label().ToLowerInvariant()}" + (Visibility == "public" ? " and reporters told" : "") : null, "status", ct);

    public Task<IActionResult> OnPostUpdateAsync(string reference, CancellationToken ct) =>
        WorkAsync(reference, c => commands.AddUpdateAsync(c.Id, UpdateText, Visibility == "public", ct),
            Visibility == "public" ? "Update sent to every reporter" : "Internal note added", "updates", ct);

    public Task<IActionResult> OnPostAssignAsync(string reference, CancellationToken ct) =>
        WorkAsync(reference, async c =>
        {
            if (TeamId is { } team && !CaseAccess.CanAssign(Viewer, c, team))
            {
                return CaseResult.Forbidden;
            }

            return await commands.AssignAsync(c.Id, TeamId, StaffId, ct);
        }, "Assignment changed", "assign", ct);

    public Task<IActionResult> OnPostPublicTextAsync(string reference, CancellationToken ct) =>
        WorkAsync(reference, c => publicText.SetAsync(c.Id, PublishText == "yes", ct),
            PublishText == "yes" ? "The description and address are now public" : "The description and address are no longer public", "public-text", ct);

    public Task<IActionResult> OnPostPriorityAsync(string reference, CancellationToken ct) =>
        WorkAsync(reference, c => commands.ChangePriorityAsync(c.Id, NewPriority, ct), "Priority changed", "priority", ct);

    public Task<IActionResult> OnPostDueAsync(string reference, CancellationToken ct) =>
        WorkAsync(reference, async c =>
        {
            DateTime? due = null;
            if (DueDate is { } date)
            {
                var local = date.ToDateTime(DueTime ?? new TimeOnly(17, 0), DateTimeKind.Unspecified);
                due = TimeZoneInfo.ConvertTimeToUtc(local, Zone);
            }
            else if (DueTime is not null)
            {
                return CaseResult.Invalid("DueDate", "Enter a date for the due time, or clear the time");
            }

            return await commands.SetDueAsync(c.Id, due, ct);
        }, "Due time changed", "due", ct);

    /// <summary>This case is a duplicate of <see cref="SurvivorReference"/>: merge it into that case.</summary>
    public Task<IActionResult> OnPostMergeAsync(string reference, CancellationToken ct) =>
        WorkAsync(reference, async c =>
        {
            var wanted = References.Normalise(SurvivorReference ?? "");
            var survivor = await db.Cases.AsNoTracking().Where(x => x.Reference == wanted).Select(x => new { x.Id, x.TeamId, x.AssignedStaffId }).SingleOrDefaultAsync(ct);
            if (survivor is null || !ConversationAccess.CanSee(Viewer, survivor.TeamId, survivor.AssignedStaffId))
            {
                return CaseResult.Invalid("SurvivorReference", "Enter the reference of a case you can see, like CS-7K3F9Q");
            }

            var result = await commands.MergeAsync(c.Id, survivor.Id, ct);
            return result;
        }, $"Merged into {References.Normalise(SurvivorReference ?? "")}: its reporters will be told when that case is resolved", "duplicates", ct);

    public Task<IActionResult> OnPostDismissAsync(string reference, CancellationToken ct) =>
        WorkAsync(reference, async c =>
        {
            var row = await db.CaseDuplicateCandidates.SingleOrDefaultAsync(d => d.Id == CandidateId && d.CaseId == c.Id, ct);
            if (row is null)
            {
                return CaseResult.NotFound;
            }

            row.Dismissed = true;
            var candidate = await db.Cases.Where(x => x.Id == row.CandidateCaseId).Select(x => x.Reference).SingleAsync(ct);
            HttpContext.RequestServices.GetRequiredService<Audit.AuditLog>().Record("case.duplicate-dismissed", "Case", c.Id, null, candidate);
            await db.SaveChangesAsync(ct);
            return CaseResult.Done(c);
        }, "Suggestion dismissed", "duplicates", ct);

    public Task<IActionResult> OnPostFindDuplicatesAsync(string reference, CancellationToken ct) =>
        WorkAsync(reference, async c =>
        {
            await duplicates.StoreAsync(c, ct);
            await db.SaveChangesAsync(ct);
            return CaseResult.Done(c);
        }, "Looked for duplicates again", "duplicates", ct);

    private async Task<IActionResult> WorkAsync(string reference, Func<Case, Task<CaseResult>> work, string? notice, string anchor, CancellationToken ct)
    {
        if (!await LoadAsync(reference, ct))
        {
            return NotFound();
        }

        if (!CanWork)
        {
            return Forbid();
        }

        var result = await work(Case);
        switch (result.Outcome)
        {
            case CaseOutcome.NotFound:
                return NotFound();
            case CaseOutcome.Forbidden:
                return Forbid();
            case CaseOutcome.Invalid:
                ModelState.AddModelError(result.Field ?? "", result.Error ?? "Check your answer");
                db.ChangeTracker.Clear();
                await LoadAsync(reference, ct);
                await LoadDetailsAsync(ct);
                return Page();
            default:
                Notice = notice;
                return Redirect($"/cases/{Case.Reference}#{anchor}");
        }
    }

    private async Task<bool> LoadAsync(string reference, CancellationToken ct)
    {
        var wanted = References.Normalise(reference);
        Viewer = await access.ViewerAsync(ct);
        var found = await db.Cases.SingleOrDefaultAsync(c => c.Reference == wanted, ct);
        if (found is null || !CaseAccess.CanSee(Viewer, found))
        {
            return false;
        }

        Case = found;
        Now = clock.GetUtcNow().UtcDateTime;
        Zone = InboxText.Zone(await db.Organisations.Where(o => o.Id == found.OrganisationId).Select(o => o.TimeZoneId).SingleAsync(ct));
        return true;
    }

    private async Task LoadDetailsAsync(CancellationToken ct)
    {
        var c = Case;
        ServiceName = await db.CaseServices.Where(s => s.Code == c.ServiceCode).Select(s => s.Name).FirstOrDefaultAsync(ct);
        TeamName = c.TeamId is { } t ? await db.Teams.Where(x => x.Id == t).Select(x => x.Name).SingleOrDefaultAsync(ct) : null;
        AssignedStaffName = c.AssignedStaffId is { } s ? await db.Users.Where(u => u.Id == s).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) : null;
        MergedIntoReference = c.MergedIntoCaseId is { } m ? await db.Cases.Where(x => x.Id == m).Select(x => x.Reference).SingleOrDefaultAsync(ct) : null;
        MergedFrom = await db.Cases.AsNoTracking().Where(x => x.MergedIntoCaseId == c.Id).OrderBy(x => x.Id).Select(x => x.Reference).ToListAsync(ct);

        Messages = await db.CaseMessages.AsNoTracking().Where(x => x.CaseId == c.Id)
            .Join(db.Messages, x => x.MessageId, m => m.Id, (x, m) => m)
            .Join(db.Conversations, m => m.ConversationId, v => v.Id, (m, v) => new { m, v.Reference, v.Channel!.Kind })
            .OrderBy(x => x.m.CreatedAt)
            .Select(x => new CaseMessageView(x.m.Id, x.m.ConversationId, x.Reference, x.m.AuthorHandle, x.m.AuthorName, x.Kind, x.m.Text, x.m.CreatedAt))
            .ToListAsync(ct);
        Reporters = await db.CaseReporters.AsNoTracking().Where(r => r.CaseId == c.Id).OrderBy(r => r.Id)
            .Select(r => new ReporterView(r.ConversationId,
                db.Conversations.Where(v => v.Id == r.ConversationId).Select(v => v.Reference).FirstOrDefault(),
                db.Conversations.Where(v => v.Id == r.ConversationId).Select(v => v.CitizenHandle).FirstOrDefault(),
                db.Conversations.Where(v => v.Id == r.ConversationId).Select(v => (ChannelKind?)v.Channel!.Kind).FirstOrDefault(),
                r.Name ?? db.Conversations.Where(v => v.Id == r.ConversationId).Select(v => v.CitizenName).FirstOrDefault(),
                r.Email ?? db.Conversations.Where(v => v.Id == r.ConversationId).Select(v => v.CitizenEmail).FirstOrDefault(),
                r.Phone))
            .ToListAsync(ct);
        Photos = (await db.CasePhotos.AsNoTracking().Where(p => p.CaseId == c.Id).OrderBy(p => p.Id).ToListAsync(ct))
            .Select(p => new PhotoView(p.FileName, PhotoHref(p))).DistinctBy(p => (p.FileName, p.Href)).ToList();

        var candidates = await db.CaseDuplicateCandidates.AsNoTracking().Where(d => d.CaseId == c.Id && !d.Dismissed)
            .Join(db.Cases, d => d.CandidateCaseId, x => x.Id, (d, x) => new { d, x.Reference, x.Title, x.Status })
            .ToListAsync(ct);
        Candidates = candidates.Where(x => x.Status.IsOpen()).OrderByDescending(x => x.d.Score)
            .Select(x => new CandidateView(x.d.Id, x.d.CandidateCaseId, x.Reference, x.Title, x.Status, x.d.Score, x.d.TextSimilarity, x.d.DistanceMetres,
                x.d.Reasons.Split('\n', StringSplitOptions.RemoveEmptyEntries)))
            .ToList();

        var updates = await db.CaseUpdates.AsNoTracking().Where(u => u.CaseId == c.Id).ToListAsync(ct);
        var id = c.Id.ToString(CultureInfo.InvariantCulture);
        var audits = await db.AuditEvents.AsNoTracking().Where(a => a.TargetType == "Case" && a.TargetId == id)
            .OrderByDescending(a => a.Sequence).Take(500).ToListAsync(ct);
        Timeline = updates.Select(u => new CaseTimelineEntry(u.CreatedAt, UpdateTitle(u), u.AuthorName, u.Text, u.IsPublic ? "Public" : "Internal", null))
            .Concat(audits.Select(a => new CaseTimelineEntry(a.At, DescribeAudit(a), a.ActorName, null, null, a.Sequence)))
            .OrderByDescending(e => e.At).ThenByDescending(e => e.AuditSequence ?? long.MaxValue)
            .ToList();

        Teams = await db.Teams.AsNoTracking().OrderBy(x => x.Name).ToListAsync(ct);
        Teams = Teams.Where(x => ConversationAccess.MayChooseTeam(Viewer, x.Id)).ToList();
        People = (await db.TeamMemberships.AsNoTracking()
            .Join(db.Users.Where(u => u.IsActive), m => m.StaffMemberId, u => u.Id, (m, u) => new { u.Id, u.DisplayName, m.TeamId, TeamName = m.Team!.Name })
            .ToListAsync(ct))
            .Select(p => new PersonOption(p.Id, p.DisplayName, p.TeamId, p.TeamName))
            .OrderBy(p => p.TeamName, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    private static string? PhotoHref(CasePhoto p)
    {
        // Uploaded photos are served to staff by the inbox's attachment page (a local path); others are network URLs.
        if (p.Url is { } local && local.StartsWith("/inbox/attachments/", StringComparison.Ordinal))
        {
            return local;
        }

        return p.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "https" or "http" ? url : null;
    }

    private static string UpdateTitle(CaseUpdate u) => u.Kind switch
    {
        CaseUpdateKind.StatusChange => $"Status changed from {u.StatusBefore?.Label() ?? "none"} to {u.StatusAfter?.Label()}",
        CaseUpdateKind.PublicUpdate => "Public update",
        _ => "Internal note",
    };

    public static string DescribeAudit(Domain.AuditEvent e) => e.Action switch
    {
        "case.created" => $"Case created ({e.After})",
        "case.status-changed" => $"Audit: status {e.Before} to {e.After}",
        "case.assigned" => $"Assigned to {e.After} (was {e.Before})",
        "case.priority-changed" => $"Priority changed from {e.Before} to {e.After}",
        "case.due-changed" => $"Due time changed from {e.Before ?? "none"} to {e.After ?? "none"}",
        "case.message-linked" => $"Message linked ({e.After})",
        "case.merged" => $"Merged: {e.After}",
        "case.merged-into" => $"Another case merged into this one: {e.After}",
        "case.duplicate-dismissed" => $"Dismissed the duplicate suggestion {e.After}",
        "case.update-added" => $"Public update sent ({e.After})",
        "case.note-added" => $"Internal note added ({e.After})",
        _ => AuditTimeline.Describe(e),
    };
}
