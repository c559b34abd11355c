using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Inbox;

/// <summary>One row of the inbox.</summary>
public sealed record InboxRow(
    long Id,
    string Reference,
    string Subject,
    string CitizenHandle,
    string ChannelName,
    ChannelKind ChannelKind,
    string? TeamName,
    string? AssignedStaffName,
    ConversationStatus Status,
    Priority Priority,
    bool IsUrgent,
    string? Sentiment,
    string? Kind,
    string? Category,
    DateTime CreatedAt);

public sealed record TeamCount(long Id, string Name, int Count);

/// <summary>
/// The living inbox: conversations the viewer may see, filtered, counted and sorted. htmx polls this same handler
/// with the current filters and gets only the results partial (rows, pagination and the counts, swapped out of band).
/// </summary>
public sealed class IndexModel(CivicDeskDb db, ConversationAccess access, SlaClock sla, TimeProvider clock) : PageModel
{
    public InboxFilter Filter { get; private set; } = new();
    public StaffViewer Viewer { get; private set; } = null!;
    public IReadOnlyList<InboxRow> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public int PageCount => Math.Max(1, (Total + InboxFilter.PageSize - 1) / InboxFilter.PageSize);
    public IReadOnlyDictionary<ConversationStatus, int> StatusCounts { get; private set; } = new Dictionary<ConversationStatus, int>();
    public IReadOnlyList<TeamCount> TeamCounts { get; private set; } = [];
    public int UnreadMentions { get; private set; }
    public IReadOnlySet<long> MentionedConversations { get; private set; } = new HashSet<long>();
    public DateTime Now { get; private set; }
    /// <summary>First-response target states of visible open conversations (due soon / overdue tags, overdue filter).</summary>
    public IReadOnlyDictionary<long, SlaState> Sla { get; private set; } = new Dictionary<long, SlaState>();
    public int OverdueCount { get; private set; }

    /// <summary>True when rendering the htmx partial: counts then go out of band.</summary>
    public bool IsPartial { get; private set; }

    public async Task<IActionResult> OnGetAsync(InboxFilter filter, CancellationToken ct)
    {
        // A malformed value (an unknown status, say) is ignored rather than failing the whole inbox.
        Filter = filter;
        Filter.Page = Math.Max(1, Filter.Page);
        Viewer = await access.ViewerAsync(ct);
        Now = clock.GetUtcNow().UtcDateTime;

        var mentioned = await db.NoteMentions.AsNoTracking()
            .Where(m => m.StaffMemberId == Viewer.StaffId && !m.IsRead)
            .Join(db.InternalNotes, m => m.InternalNoteId, n => n.Id, (m, n) => n.ConversationId)
            .ToListAsync(ct);
        var visible = ConversationAccess.Visible(db.Conversations.AsNoTracking(), Viewer);
        var mentionedVisible = await visible.Where(c => mentioned.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct);
        MentionedConversations = mentionedVisible.ToHashSet();
        UnreadMentions = mentioned.Count(mentionedVisible.Contains);

        Sla = await sla.ConversationsAsync(visible, Now, ct);
        Filter.OverdueIds = [.. Sla.Where(s => s.Value.IsOverdue).Select(s => s.Key)];
        OverdueCount = Filter.OverdueIds.Count;

        var filtered = Filter.Apply(visible, Now, Viewer.StaffId, mentionedVisible);
        Total = await filtered.CountAsync(ct);
        if (Filter.Page > PageCount)
        {
            Filter.Page = PageCount;
        }

        Rows = await InboxFilter.Sorted(filtered, Filter.Sort)
            .Skip((Filter.Page - 1) * InboxFilter.PageSize).Take(InboxFilter.PageSize)
            .Select(c => new InboxRow(c.Id, c.Reference, c.Subject, c.CitizenHandle, c.Channel!.Name, c.Channel.Kind,
                c.AssignedTeam!.Name, db.Users.Where(u => u.Id == c.AssignedStaffId).Select(u => u.DisplayName).FirstOrDefault(),
                c.Status, c.Priority, c.IsUrgent, c.Sentiment, c.Kind, c.Category, c.CreatedAt))
            .ToListAsync(ct);

        var byStatus = await Filter.Apply(visible, Now, Viewer.StaffId, mentionedVisible, ignoreStatus: true)
            .GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        StatusCounts = byStatus.ToDictionary(x => x.Key, x => x.Count);
        var byTeam = await Filter.Apply(visible, Now, Viewer.StaffId, mentionedVisible, ignoreTeam: true)
            .Where(c => c.AssignedTeamId != null)
            .GroupBy(c => c.AssignedTeamId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        TeamCounts = teams.Select(t => new TeamCount(t.Id, t.Name, byTeam.FirstOrDefault(x => x.Key == t.Id)?.Count ?? 0)).ToList();

        // The response depends on HX-Request; caches must not serve one for the other.
        Response.Headers.Vary = "HX-Request";
        if (Request.IsHtmx() && !Request.Headers.ContainsKey("HX-History-Restore-Request"))
        {
            IsPartial = true;
            return Partial("_InboxResults", this);
        }

        return Page();
    }

    public int CountFor(ConversationStatus status) => StatusCounts.TryGetValue(status, out var n) ? n : 0;
}
