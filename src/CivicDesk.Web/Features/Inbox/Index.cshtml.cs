using System.Globalization;
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
public sealed class IndexModel(CivicDeskDb db, ConversationAccess access, SlaClock sla, InboxCursors cursors, TimeProvider clock) : PageModel
{
    public InboxFilter Filter { get; private set; } = new();
    public StaffViewer Viewer { get; private set; } = null!;
    public IReadOnlyList<InboxRow> Rows { get; private set; } = [];
    /// <summary>Conversations matching the filters, counted up to <see cref="InboxFilter.CountCap"/> + 1 (see <see cref="CountText"/>).</summary>
    public int Total { get; private set; }
    /// <summary>How many rows come before this page (display only: "Showing 51 to 100").</summary>
    public int Offset { get; private set; }
    /// <summary>Cursors for the Previous and Next links; null where there is no such page.</summary>
    public string? PreviousCursor { get; private set; }
    public string? NextCursor { get; private set; }
    public IReadOnlyDictionary<ConversationStatus, int> StatusCounts { get; private set; } = new Dictionary<ConversationStatus, int>();
    public IReadOnlyList<TeamCount> TeamCounts { get; private set; } = [];
    public int UnreadMentions { get; private set; }
    /// <summary>Conversations still to do with a message waiting for a person to confirm its triage labels.</summary>
    public int NeedsHumanCount { get; private set; }
    public IReadOnlySet<long> MentionedConversations { get; private set; } = new HashSet<long>();
    public DateTime Now { get; private set; }
    /// <summary>First-response target states of visible open conversations (due soon / overdue tags, overdue filter).</summary>
    public IReadOnlyDictionary<long, SlaState> Sla { get; private set; } = new Dictionary<long, SlaState>();
    public int OverdueCount { get; private set; }
    /// <summary>The organisation's listening search names, for the filter.</summary>
    public IReadOnlyList<string> Searches { get; private set; } = [];

    /// <summary>True when rendering the htmx partial: counts then go out of band.</summary>
    public bool IsPartial { get; private set; }

    public async Task<IActionResult> OnGetAsync(InboxFilter filter, CancellationToken ct)
    {
        // A malformed value (an unknown status, say) is ignored rather than failing the whole inbox.
        Filter = filter;
        Viewer = await access.ViewerAsync(ct);
        Now = clock.GetUtcNow().UtcDateTime;
        Searches = await db.ListeningSearches.AsNoTracking().OrderBy(s => s.Name).Select(s => s.Name).ToListAsync(ct);

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

        // Every count on the page stops at CountCap + 1 rows: each reads at most that many index entries.
        var open = InboxFilter.OpenStatuses.ToList();
        NeedsHumanCount = await CappedCountAsync(visible.Where(c => open.Contains(c.Status) && c.Messages.Any(m => m.NeedsHumanTriage)), ct);
        var text = Filter.Text is { } query ? ConversationSearch.MatchingIds(db, query) : null;
        var filtered = Filter.Apply(visible, Now, Viewer.StaffId, mentionedVisible, textMatches: text);
        Total = await CappedCountAsync(filtered, ct);

        var after = cursors.Read(Filter.After, Filter.Sort);
        var before = after is null ? cursors.Read(Filter.Before, Filter.Sort) : null;
        var page = await InboxPager.LoadAsync(filtered, Filter.Sort, after, before, InboxFilter.PageSize, ct);
        var ids = page.Keys.Select(k => k.Id).ToList();
        var rows = await db.Conversations.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new InboxRow(c.Id, c.Reference, c.Subject, c.CitizenHandle, c.Channel!.Name, c.Channel.Kind,
                c.AssignedTeam!.Name, db.Users.Where(u => u.Id == c.AssignedStaffId).Select(u => u.DisplayName).FirstOrDefault(),
                c.Status, c.Priority, c.IsUrgent, c.Sentiment, c.Kind, c.Category, c.CreatedAt))
            .ToListAsync(ct);
        var order = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        Rows = [.. rows.OrderBy(r => order[r.Id])];
        Offset = page.Keys.Count > 0 ? page.Keys[0].Position : 0;
        PreviousCursor = page.HasPrevious && page.Keys.Count > 0 ? cursors.Write(page.Keys[0]) : null;
        NextCursor = page.HasNext ? cursors.Write(page.Keys[^1]) : null;

        var facetStatus = Filter.Apply(visible, Now, Viewer.StaffId, mentionedVisible, ignoreStatus: true, textMatches: text);
        var byStatus = new Dictionary<ConversationStatus, int>();
        foreach (var status in Enum.GetValues<ConversationStatus>())
        {
            byStatus[status] = await CappedCountAsync(facetStatus.Where(c => c.Status == status), ct);
        }

        StatusCounts = byStatus;
        var facetTeam = Filter.Apply(visible, Now, Viewer.StaffId, mentionedVisible, ignoreTeam: true, textMatches: text);
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        var teamCounts = new List<TeamCount>();
        foreach (var t in teams)
        {
            teamCounts.Add(new TeamCount(t.Id, t.Name, await CappedCountAsync(facetTeam.Where(c => c.AssignedTeamId == t.Id), ct)));
        }

        TeamCounts = teamCounts;

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

    /// <summary>A capped count for people: "1,000+" once past <see cref="InboxFilter.CountCap"/>.</summary>
    public static string CountText(int count) =>
        count > InboxFilter.CountCap ? InboxFilter.CountCap.ToString("N0", CultureInfo.InvariantCulture) + "+" : count.ToString("N0", CultureInfo.InvariantCulture);

    private static Task<int> CappedCountAsync(IQueryable<Conversation> q, CancellationToken ct) => q.Take(InboxFilter.CountCap + 1).CountAsync(ct);
}
