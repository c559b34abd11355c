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
public sealed class IndexModel(CivicDeskDb db, ConversationAccess access, InboxQuery inbox, TimeProvider clock) : PageModel
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

    /// <summary>The text search matched more conversations than it looks at (<see cref="InboxQuery.TextMatchLimit"/>, the newest).</summary>
    public bool TextLimited { get; private set; }

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

        var view = await inbox.LoadAsync(Viewer, Filter, Now, mentionedVisible, ct);
        Sla = view.Sla;
        OverdueCount = view.OverdueCount;
        NeedsHumanCount = view.NeedsHumanCount;
        Total = view.Total;
        Rows = view.Rows;
        Offset = view.Offset;
        PreviousCursor = view.PreviousCursor;
        NextCursor = view.NextCursor;
        StatusCounts = view.StatusCounts;
        TeamCounts = view.TeamCounts;
        TextLimited = view.TextLimited;

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
}
