using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Inbox;

/// <summary>Everything the inbox shows that comes from the database for one view.</summary>
public sealed record InboxView(
    IReadOnlyList<InboxRow> Rows,
    int Total,
    int Offset,
    string? PreviousCursor,
    string? NextCursor,
    IReadOnlyDictionary<ConversationStatus, int> StatusCounts,
    IReadOnlyList<TeamCount> TeamCounts,
    int NeedsHumanCount,
    IReadOnlyDictionary<long, SlaState> Sla,
    int OverdueCount,
    bool TextLimited);

/// <summary>
/// The inbox view's database work, shared by the page (<see cref="IndexModel"/>) and <c>bench inbox</c> so the
/// benchmark measures exactly what the page runs: SLA states, the capped needs-a-human and total counts, one page of
/// keys and its rows, the status and team facet counts. Every count stops at <see cref="InboxFilter.CountCap"/> + 1
/// rows, and is the sum of one count per part of the viewer's conversations (<see cref="ConversationAccess.VisibleParts"/>:
/// an agent's teams, and what is assigned to them personally), so that each is one exact range of a filter index
/// (Data/Configurations: (filter, status, team)). A filter that matches few conversations (the capped count says so) is paged in memory from those
/// conversations' keys (<see cref="InboxPager.FromKeys"/>): walking the sort indexes would read past every other row
/// to find them; otherwise the pages are read by keyset (<see cref="InboxPager.LoadAsync"/>).
/// </summary>
public sealed class InboxQuery(CivicDeskDb db, SlaClock sla, InboxCursors cursors)
{
    /// <summary>A text search considers at most this many matching conversations, the newest (see <see cref="ConversationSearch"/>).</summary>
    public const int TextMatchLimit = InboxFilter.CountCap;

    /// <summary>Up to this many matches the page is cut from every match's key in memory. Tests lower it to reach the keyset path.</summary>
    public int InMemoryUpTo { get; set; } = InboxFilter.CountCap;

    public async Task<InboxView> LoadAsync(StaffViewer viewer, InboxFilter filter, DateTime now, IReadOnlyCollection<long> mentionedVisible, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        ArgumentNullException.ThrowIfNull(filter);
        var visible = ConversationAccess.Visible(db.Conversations.AsNoTracking(), viewer);
        var parts = ConversationAccess.VisibleParts(db.Conversations.AsNoTracking(), viewer);
        var slaStates = await sla.ConversationsAsync(visible, now, ct);
        filter.OverdueIds = [.. slaStates.Where(s => s.Value.IsOverdue).Select(s => s.Key)];
        if (filter.Channel is { } channelKind)
        {
            // A handful of channels: their ids let the filter seek IX_Conversations_OrganisationId_ChannelId_Status_AssignedTeamId instead of a join per row.
            filter.ChannelIds = await db.Channels.AsNoTracking().Where(ch => ch.Kind == channelKind).Select(ch => ch.Id).ToListAsync(ct);
        }

        var open = InboxFilter.OpenStatuses.ToList();
        // A parameter, not the constant: SQLite reads "NeedsHuman" = ?1 as an index range, a bare boolean column as a per-row check.
        var yes = true;
        var needsHuman = await CappedCountAsync(parts.Select(p => p.Conversations.Where(c => c.NeedsHuman == yes && open.Contains(c.Status))), ct);

        IReadOnlyCollection<long>? text = null;
        var textLimited = false;
        if (filter.Text is { } query)
        {
            var ids = await ConversationSearch.NewestMatchesAsync(db, query, TextMatchLimit + 1, ct);
            textLimited = ids.Count > TextMatchLimit;
            text = ids.Take(TextMatchLimit).ToList();
        }

        var filtered = filter.Apply(visible, now, viewer.StaffId, mentionedVisible, textMatches: text);
        // Parts a team filter rules out are left out here, not sent to the database to find nothing.
        var filteredParts = parts.Where(p => p.MayHoldTeam(filter.Team))
            .Select(p => filter.Apply(p.Conversations, now, viewer.StaffId, mentionedVisible, textMatches: text)).ToList();
        var total = await CappedCountAsync(filteredParts, ct);

        var after = cursors.Read(filter.After, filter.Sort);
        var before = after is null ? cursors.Read(filter.Before, filter.Sort) : null;
        InboxPage page;
        List<InboxKey>? keys = null;
        if (total <= InMemoryUpTo)
        {
            keys = [];
            foreach (var part in filteredParts)
            {
                keys.AddRange(await part.Select(c => new InboxKey(c.Id, c.CreatedAt, c.IsUrgent, c.Priority, c.AssignedTeamId)).ToListAsync(ct));
            }

            page = InboxPager.FromKeys(keys, filter.Sort, after, before, InboxFilter.PageSize);
        }
        else
        {
            page = await InboxPager.LoadAsync(filtered, filter.Sort, filter.Statuses, after, before, InboxFilter.PageSize, ct);
        }

        var pageIds = page.Keys.Select(k => k.Id).ToList();
        // The ids come from the viewer's filtered conversations, so the organisation filter adds nothing here but a
        // choice of plan: with it SQLite walked the organisation's status index past every row (388 ms at 1 M
        // messages, bench inbox --sql) instead of fifty primary-key look-ups.
        var rows = await db.Conversations.IgnoreQueryFilters().AsNoTracking().Where(c => pageIds.Contains(c.Id))
            .Select(c => new InboxRow(c.Id, c.Reference, c.Subject, c.CitizenHandle, c.Channel!.Name, c.Channel.Kind,
                c.AssignedTeam!.Name, db.Users.Where(u => u.Id == c.AssignedStaffId).Select(u => u.DisplayName).FirstOrDefault(),
                c.Status, c.Priority, c.IsUrgent, c.Sentiment, c.Kind, c.Category, c.CreatedAt))
            .ToListAsync(ct);
        var order = pageIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);

        var facetStatus = parts.Where(p => p.MayHoldTeam(filter.Team))
            .Select(p => filter.Apply(p.Conversations, now, viewer.StaffId, mentionedVisible, ignoreStatus: true, textMatches: text)).ToList();
        var byStatus = new Dictionary<ConversationStatus, int>();
        foreach (var status in Enum.GetValues<ConversationStatus>())
        {
            byStatus[status] = await CappedCountAsync(facetStatus.Select(q => q.Where(c => c.Status == status)), ct);
        }

        var facetTeam = parts.Select(p => (Part: p, Query: filter.Apply(p.Conversations, now, viewer.StaffId, mentionedVisible, ignoreTeam: true, textMatches: text))).ToList();
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        var teamCounts = new List<TeamCount>();
        foreach (var t in teams)
        {
            // Without a team filter the team facet counts the filtered set itself: when its keys are in memory, count
            // them there (a rare filter's count per team otherwise walks each team's open conversations to find it).
            teamCounts.Add(new TeamCount(t.Id, t.Name, keys is not null && filter.Team is null
                ? keys.Count(k => k.AssignedTeamId == t.Id)
                : await CappedCountAsync(facetTeam.Where(f => f.Part.MayHoldTeam(t.Id)).Select(f => f.Query.Where(c => c.AssignedTeamId == t.Id)), ct)));
        }

        return new InboxView(
            [.. rows.OrderBy(r => order[r.Id])],
            total,
            page.Keys.Count > 0 ? page.Keys[0].Position : 0,
            page.HasPrevious && page.Keys.Count > 0 ? cursors.Write(page.Keys[0]) : null,
            page.HasNext ? cursors.Write(page.Keys[^1]) : null,
            byStatus,
            teamCounts,
            needsHuman,
            slaStates,
            filter.OverdueIds.Count,
            textLimited);
    }

    /// <summary>The conversations of disjoint parts counted up to <see cref="InboxFilter.CountCap"/> + 1 in all, part by part.</summary>
    private static async Task<int> CappedCountAsync(IEnumerable<IQueryable<Conversation>> parts, CancellationToken ct)
    {
        var count = 0;
        foreach (var part in parts)
        {
            count += await part.Take(InboxFilter.CountCap + 1 - count).CountAsync(ct);
            if (count > InboxFilter.CountCap)
            {
                break;
            }
        }

        return count;
    }
}
