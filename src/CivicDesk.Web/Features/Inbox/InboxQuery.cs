using System.Linq.Expressions;
using System.Reflection;
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
/// to find them; otherwise the pages are read by keyset (<see cref="InboxPager.LoadAsync"/>). A text search holds at
/// most <see cref="TextMatchLimit"/> conversations, so its total and status counts come from one read of their keys.
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
        // The bare column, not "= ?": it is the condition of the partial index IX_Conversations_NeedsHuman, which holds only
        // these conversations (Data/Configurations), so either database reads just them whatever its statistics say.
        var needsHumanParts = parts.Select(p => p.Conversations.Where(c => c.NeedsHuman && open.Contains(c.Status))).ToList();

        IReadOnlyCollection<long>? text = null;
        var textLimited = false;
        if (filter.Text is { } query)
        {
            var ids = await ConversationSearch.NewestMatchesAsync(db, query, TextMatchLimit + 1, ct);
            textLimited = ids.Count > TextMatchLimit;
            text = ids.Take(TextMatchLimit).ToList();
        }

        // Parts a team filter rules out are left out here, not sent to the database to find nothing.
        var filteredParts = parts.Where(p => p.MayHoldTeam(filter.Team))
            .Select(p => filter.Apply(p.Conversations, now, viewer.StaffId, mentionedVisible, textMatches: text)).ToList();
        var facetStatus = parts.Where(p => p.MayHoldTeam(filter.Team))
            .Select(p => filter.Apply(p.Conversations, now, viewer.StaffId, mentionedVisible, ignoreStatus: true, textMatches: text)).ToList();
        var statuses = Enum.GetValues<ConversationStatus>();
        int needsHuman, total;
        Dictionary<ConversationStatus, int> byStatus;
        List<InboxKey>? matchedKeys = null;
        if (text is not null)
        {
            // At most TextMatchLimit conversations: read each one's key and status once and count them here. A capped
            // count per status looked every match up again (six counts of ≤ 1,000 ids, 18 of a 70-ms "road pothole"
            // view at 3 M messages, bench inbox --sql).
            var matched = new List<(InboxKey Key, ConversationStatus Status)>();
            foreach (var part in facetStatus)
            {
                var read = await part.Select(c => new { c.Id, c.CreatedAt, c.IsUrgent, c.Priority, c.AssignedTeamId, c.Status }).ToListAsync(ct);
                matched.AddRange(read.Select(c => (new InboxKey(c.Id, c.CreatedAt, c.IsUrgent, c.Priority, c.AssignedTeamId), c.Status)));
            }

            needsHuman = (await CappedCountsAsync([needsHumanParts], ct))[0];
            var chosen = filter.Statuses;
            matchedKeys = [.. matched.Where(m => chosen.Contains(m.Status)).Select(m => m.Key)];
            total = matchedKeys.Count;
            byStatus = statuses.ToDictionary(status => status, status => matched.Count(m => m.Status == status));
        }
        else
        {
            var counts = await CappedCountsAsync(
                [needsHumanParts, filteredParts, .. statuses.Select(status => facetStatus.Select(q => q.Where(c => c.Status == status)).ToList())], ct);
            needsHuman = counts[0];
            total = counts[1];
            byStatus = statuses.Select((status, i) => (status, i)).ToDictionary(x => x.status, x => counts[2 + x.i]);
        }

        var after = cursors.Read(filter.After, filter.Sort);
        var before = after is null ? cursors.Read(filter.Before, filter.Sort) : null;
        InboxPage page;
        List<InboxKey>? keys = null;
        if (total <= InMemoryUpTo)
        {
            keys = matchedKeys;
            if (keys is null)
            {
                keys = [];
                foreach (var part in filteredParts)
                {
                    keys.AddRange(await part.Select(c => new InboxKey(c.Id, c.CreatedAt, c.IsUrgent, c.Priority, c.AssignedTeamId)).ToListAsync(ct));
                }
            }

            page = InboxPager.FromKeys(keys, filter.Sort, after, before, InboxFilter.PageSize);
        }
        else
        {
            // The pager reads each status's run on its own, so the filter's "Status IN (…)" is left out of its reads: with it
            // beside "Status = ?" PostgreSQL 15 no longer read the index in (CreatedAt, Id) order and sorted every row of
            // the run to keep 51 (bench inbox --postgres --sql: Sort, top-N heapsort over all of the run).
            var anyStatus = filter.Apply(visible, now, viewer.StaffId, mentionedVisible, ignoreStatus: true, textMatches: text);
            page = await InboxPager.LoadAsync(anyStatus, filter.Sort, filter.Statuses, after, before, InboxFilter.PageSize, ct);
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

        var facetTeam = parts.Select(p => (Part: p, Query: filter.Apply(p.Conversations, now, viewer.StaffId, mentionedVisible, ignoreTeam: true, textMatches: text))).ToList();
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        // Without a team filter the team facet counts the filtered set itself: when its keys are in memory, count them
        // there (a filter no index serves, the listening search say, would otherwise walk each team's conversations).
        var teamCounts = keys is not null && filter.Team is null
            ? teams.Select(t => new TeamCount(t.Id, t.Name, keys.Count(k => k.AssignedTeamId == t.Id))).ToList()
            : (await CappedCountsAsync(teams.Select(t => facetTeam.Where(f => f.Part.MayHoldTeam(t.Id)).Select(f => f.Query.Where(c => c.AssignedTeamId == t.Id)).ToList()).ToList(), ct))
                .Select((n, i) => new TeamCount(teams[i].Id, teams[i].Name, n)).ToList();

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

    /// <summary>
    /// Counts, each of the conversations of some disjoint parts up to <see cref="InboxFilter.CountCap"/> + 1, all in one
    /// statement: a scalar sub-select per part (its own capped index range) on the organisation's row. One statement per
    /// count cost more than the counting (eleven facet counts of 0.1–0.2 ms of SQL each, bench inbox --sql).
    /// </summary>
    private async Task<int[]> CappedCountsAsync(List<List<IQueryable<Conversation>>> counts, CancellationToken ct)
    {
        var result = new int[counts.Count];
        var cells = counts.SelectMany((parts, i) => parts.Select(part => (Count: i, Part: part))).ToList();
        if (cells.Count == 0)
        {
            return result;
        }

        // o => new[] { part1.Take(cap + 1).Count(), part2.Take(cap + 1).Count(), ... }: EF Core inlines each part as a sub-select.
        var organisation = Expression.Parameter(typeof(Organisation), "o");
        var cap = Expression.Constant(InboxFilter.CountCap + 1);
        var row = Expression.Lambda<Func<Organisation, int[]>>(
            Expression.NewArrayInit(typeof(int), cells.Select(c => Expression.Call(CountMethod, Expression.Call(TakeMethod, c.Part.Expression, cap)))),
            organisation);
        var organisationId = db.CurrentOrganisationId;
        var values = await db.Organisations.AsNoTracking().Where(o => o.Id == organisationId).Select(row).SingleAsync(ct);
        for (var i = 0; i < cells.Count; i++)
        {
            result[cells[i].Count] = Math.Min(InboxFilter.CountCap + 1, result[cells[i].Count] + values[i]);
        }

        return result;
    }

    private static readonly MethodInfo TakeMethod = typeof(Queryable).GetMethods()
        .Single(m => m.Name == nameof(Queryable.Take) && m.GetParameters()[1].ParameterType == typeof(int)).MakeGenericMethod(typeof(Conversation));

    private static readonly MethodInfo CountMethod = typeof(Queryable).GetMethods()
        .Single(m => m.Name == nameof(Queryable.Count) && m.GetParameters().Length == 1).MakeGenericMethod(typeof(Conversation));
}
