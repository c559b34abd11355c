using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

public sealed record IndexComponent(string Key, string Name, double Weight, string Measure, string Normalisation);

/// <summary>One component's value for a month, 0–100, or null when it cannot be measured (then it is left out and the weights rescale).</summary>
public sealed record ComponentScore(IndexComponent Component, double? Score, string Basis);

public enum IndexScopeKind
{
    Organisation,
    Team,
    /// <summary>One channel (an account on a network, the web form, email): conversations arriving through it, its replies and broadcasts.</summary>
    Account,
}

/// <summary>What an index is computed for: the organisation, one team (by id) or one account (by channel id).</summary>
public sealed record IndexScope(IndexScopeKind Kind, long Id, string Name)
{
    public static readonly IndexScope Organisation = new(IndexScopeKind.Organisation, 0, "Whole organisation");

    public static IndexScope ForTeam(long teamId, string name) => new(IndexScopeKind.Team, teamId, name);

    public static IndexScope ForAccount(long channelId, string name) => new(IndexScopeKind.Account, channelId, name);
}

public sealed record MonthlyIndex(DateOnly Month, string Scope, double? Score, IReadOnlyList<ComponentScore> Components, int Conversations)
{
    public IndexScopeKind Kind { get; init; } = IndexScopeKind.Organisation;

    /// <summary>Share of the full weight that was measured; below half, the score is not published.</summary>
    public double Coverage => Components.Where(c => c.Score is not null).Sum(c => c.Component.Weight);

    public double? ComponentScore(string key) => Components.FirstOrDefault(c => c.Component.Key == key)?.Score;
}

/// <summary>
/// The CivicDesk Engagement Index (published in full on /dashboards/methods and in docs/dashboards.md). A weighted mean
/// of components each scaled 0–100; components that cannot be measured for a month (no target set, no audience data,
/// no consultation open) are left out and the remaining weights rescaled, and the page lists which were used.
/// A month with fewer than <see cref="MinimumConversations"/> conversations, or under half the weight measured, has no score.
/// One pass per month loads the organisation's facts once and scores every scope asked for (organisation, teams, accounts).
/// </summary>
public sealed class EngagementIndex(CivicDeskDb db, SlaClock sla, AudienceFigures audience)
{
    /// <summary>Changes whenever a component, weight, normalisation or limit changes; exported files carry it.</summary>
    public const string MethodsVersion = "2026-12";
    public const int MinimumConversations = 20;
    /// <summary>Used for responsiveness when the organisation has set no first-response target: one working day.</summary>
    public const double FallbackTargetHours = 8;
    /// <summary>Participation: contributions per 1,000 inbound messages that score 100 (the scale is linear below and capped above).</summary>
    public const double ParticipationFullScorePerThousand = 200;
    public const int MinimumSentimentConversations = 10;

    public static readonly IReadOnlyList<IndexComponent> Components =
    [
        new("responsiveness", "Responsiveness", 0.30,
            "Share of conversations opened in the month that got a first response within their first-response target (working hours).",
            "The share as a percentage: 100 when every one was answered in time."),
        new("two-way", "Two-way conversation", 0.20,
            "Replies sent in the month (outbound replies the network or mail server accepted) divided by replies plus broadcasts published in the month. A broadcast is a publication delivered to one account (a post on three accounts counts three times) or a newsroom post published without an announcement. An account counts its own replies and deliveries; a team counts replies on its conversations and the broadcasts written by its members.",
            "The ratio as a percentage: 100 means only conversing, 0 only broadcasting. Not measured for a month with neither, or before the organisation has published anything through CivicDesk (posts made directly on the networks are not seen, so the ratio would flatter)."),
        new("resolution", "Resolution", 0.20,
            "Share of conversations opened in the month that were resolved or closed, with or without a case.",
            "The share as a percentage."),
        new("sentiment-after-reply", "Sentiment after a reply", 0.15,
            "For conversations with a classified inbound message both before and after the first reply: the mean change in sentiment (negative −1, neutral 0, positive +1).",
            $"50 + 25 × mean change (which runs from −2 to +2), so 50 is no change and 100 every citizen moved from negative to positive. Needs at least {MinimumSentimentConversations} such conversations."),
        new("reach", "Reach and growth", 0.10,
            "Followers gained over the month by the accounts in scope, as a share of their followers at the start, from the daily audience reads (start: the last read on or before the 1st, or else the month's first; end: the month's last read). The organisation counts every connected account, a team the accounts the account register gives it, an account itself; accounts without reads on two different days in the month are left out.",
            "50 + 10 × growth in percent, limited to 0–100 (±5 % a month spans the scale; no change scores 50). Not measured for a month in which no account in scope has two reads."),
        new("participation", "Participation", 0.05,
            "Ideas, supports and comments made on challenges and consultations in the month (ideas and comments that are visible; hidden, removed and unmoderated ones do not count) per 1,000 inbound messages addressed to the organisation in the month (listening posts excluded). A team counts the challenges it owns and the inbound messages of its conversations.",
            $"Contributions per 1,000 ÷ {ParticipationFullScorePerThousand / 100:0}, capped at 100: {ParticipationFullScorePerThousand:0} or more per 1,000 scores 100, 50 per 1,000 scores 25. Measured only for a month in which a challenge was open (for a team, one it owns); not measured for an account, since contributions are made on the website."),
    ];

    /// <summary>The organisation (or one team) for the last <paramref name="months"/> months up to the month of <paramref name="lastMonth"/>.</summary>
    public async Task<IReadOnlyList<MonthlyIndex>> MonthsAsync(DateOnly lastMonth, int months, long? teamId, string scopeName, CancellationToken ct)
    {
        var scope = teamId is { } t ? IndexScope.ForTeam(t, scopeName) : IndexScope.Organisation with { Name = scopeName };
        return (await MonthsAsync(lastMonth, months, [scope], ct))[0];
    }

    /// <summary>Every scope's months, in the order of <paramref name="scopes"/>; each list runs oldest month first.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<MonthlyIndex>>> MonthsAsync(DateOnly lastMonth, int months, IReadOnlyList<IndexScope> scopes, CancellationToken ct)
    {
        var calendar = await sla.CalendarAsync(ct);
        var policies = await sla.PoliciesAsync(ct);
        var memberships = (await db.TeamMemberships.AsNoTracking().Select(m => new { m.StaffMemberId, m.TeamId }).ToListAsync(ct))
            .GroupBy(m => m.StaffMemberId).ToDictionary(g => g.Key, g => g.Select(m => m.TeamId).ToHashSet());
        // Only teams asked for: the conversations of those teams are enough.
        var teamsOnly = scopes.All(s => s.Kind == IndexScopeKind.Team) ? scopes.Select(s => (long?)s.Id).ToList() : null;
        var result = scopes.Select(_ => new List<MonthlyIndex>()).ToList();
        var firstMonth = new DateOnly(lastMonth.Year, lastMonth.Month, 1).AddMonths(-(months - 1));
        var followers = await audience.MonthlyFollowersAsync(firstMonth, months, null, ct);
        var teamAccounts = new Dictionary<long, HashSet<long>>();
        foreach (var team in scopes.Where(s => s.Kind == IndexScopeKind.Team).Select(s => s.Id).Distinct())
        {
            teamAccounts[team] = (await AudienceFigures.AccountChannelIds(db, team).ToListAsync(ct)).ToHashSet();
        }

        for (var i = months - 1; i >= 0; i--)
        {
            var month = new DateOnly(lastMonth.Year, lastMonth.Month, 1).AddMonths(-i);
            var (start, _) = AggregateTime.DayRange(month, calendar.Zone);
            var (_, end) = AggregateTime.DayRange(month.AddMonths(1).AddDays(-1), calendar.Zone);
            var facts = await LoadAsync(month, start, end, teamsOnly, ct);
            for (var s = 0; s < scopes.Count; s++)
            {
                var sc = scopes[s];
                var accounts = followers.Where(f => f.Month == month && sc.Kind switch
                {
                    IndexScopeKind.Team => teamAccounts[sc.Id].Contains(f.ChannelId),
                    IndexScopeKind.Account => f.ChannelId == sc.Id,
                    _ => true,
                }).ToList();
                result[s].Add(Score(sc, month, facts, calendar, policies, memberships, Reach(accounts)));
            }
        }

        return result;
    }

    private sealed record ConversationRow(long Id, long ChannelId, long? TeamId, string? Category, Priority Priority, DateTime CreatedAt, DateTime? FirstResponseAt, DateTime? ResolvedAt);

    private sealed record CountRow(long ChannelId, long TeamId, string? StaffId, int Count);

    /// <summary>What one month's scores are made from, for the whole organisation (or the teams asked for).</summary>
    private sealed record MonthFacts(
        List<ConversationRow> Conversations,
        Dictionary<long, int> SentimentChange,
        List<CountRow> Replies,
        List<CountRow> Deliveries,
        List<CountRow> NewsOnly,
        bool PublishingInUse,
        List<CountRow> Contributions,
        HashSet<long> TeamsWithOpenChallenge,
        List<CountRow> Inbound);

    private async Task<MonthFacts> LoadAsync(DateOnly month, DateTime start, DateTime end, List<long?>? teams, CancellationToken ct)
    {
        var conversations = await db.Conversations.AsNoTracking()
            .Where(c => c.CreatedAt >= start && c.CreatedAt < end && (teams == null || teams.Contains(c.AssignedTeamId)))
            .Select(c => new ConversationRow(c.Id, c.ChannelId, c.AssignedTeamId, c.Category, c.Priority, c.CreatedAt, c.FirstResponseAt, c.ResolvedAt))
            .ToListAsync(ct);

        // Sentiment before and after the first reply, per answered conversation.
        var changes = new Dictionary<long, int>();
        var firstReply = conversations.Where(c => c.FirstResponseAt is not null).ToDictionary(c => c.Id, c => c.FirstResponseAt!.Value);
        foreach (var chunk in firstReply.Keys.Chunk(500))
        {
            var messages = await db.Messages.AsNoTracking()
                .Where(m => chunk.Contains(m.ConversationId) && m.Direction == MessageDirection.Inbound && m.Sentiment != null)
                .Select(m => new { m.ConversationId, m.CreatedAt, m.Sentiment }).ToListAsync(ct);
            foreach (var g in messages.GroupBy(m => m.ConversationId))
            {
                var reply = firstReply[g.Key];
                var before = g.Where(m => m.CreatedAt < reply).OrderBy(m => m.CreatedAt).LastOrDefault();
                var after = g.Where(m => m.CreatedAt > reply).OrderBy(m => m.CreatedAt).FirstOrDefault();
                if (before is not null && after is not null)
                {
                    changes[g.Key] = Polarity(after.Sentiment) - Polarity(before.Sentiment);
                }
            }
        }

        // Replies the channel accepted in the month, by channel and the team of their conversation.
        var replies = (await (from o in db.OutboundMessages.AsNoTracking()
                              join c in db.Conversations.AsNoTracking() on o.ConversationId equals c.Id
                              where o.Status == OutboundStatus.Sent && o.SentAt >= start && o.SentAt < end
                              group o by new { o.ChannelId, c.AssignedTeamId } into g
                              select new { g.Key.ChannelId, g.Key.AssignedTeamId, Count = g.Count() }).ToListAsync(ct))
            .Select(r => new CountRow(r.ChannelId, r.AssignedTeamId ?? 0, null, r.Count)).ToList();

        // Broadcasts: each publication delivered to an account, by account and author; newsroom posts published with no announcement.
        var deliveries = (await (from d in db.PublicationDeliveries.AsNoTracking()
                                 join p in db.Publications.AsNoTracking() on d.PublicationId equals p.Id
                                 where d.State == DeliveryState.Delivered && d.DeliveredAt >= start && d.DeliveredAt < end
                                 group d by new { d.ChannelId, p.CreatedById } into g
                                 select new { g.Key.ChannelId, g.Key.CreatedById, Count = g.Count() }).ToListAsync(ct))
            .Select(r => new CountRow(r.ChannelId, 0, r.CreatedById, r.Count)).ToList();
        var published = new[] { NewsPostStatus.Published, NewsPostStatus.Withdrawn };
        var newsOnly = (await db.NewsPosts.AsNoTracking()
                .Where(p => published.Contains(p.Status) && p.PublicationId == null && p.PublishedAt >= start && p.PublishedAt < end)
                .GroupBy(p => p.AuthorId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .Select(r => new CountRow(0, 0, r.Key, r.Count)).ToList();
        var publishingInUse = deliveries.Count > 0 || newsOnly.Count > 0
            || await db.PublicationDeliveries.AnyAsync(d => d.State == DeliveryState.Delivered && d.DeliveredAt < end, ct)
            || await db.NewsPosts.AnyAsync(p => published.Contains(p.Status) && p.PublishedAt < end, ct);

        // Participation: challenges open at some point in the month, and contributions made in it, by owner team.
        var openTeams = (await db.Challenges.AsNoTracking()
            .Where(c => c.OpensAt != null && c.OpensAt < end && (c.ClosesAt == null || c.ClosesAt > start))
            .Select(c => c.OwnerTeamId).Distinct().ToListAsync(ct)).ToHashSet();
        var ideas = await (from i in db.Ideas.AsNoTracking()
                           join c in db.Challenges.AsNoTracking() on i.ChallengeId equals c.Id
                           where i.State == ContributionState.Visible && i.CreatedAt >= start && i.CreatedAt < end
                           group i by c.OwnerTeamId into g
                           select new { Team = g.Key, Count = g.Count() }).ToListAsync(ct);
        var supports = await (from s in db.IdeaSupports.AsNoTracking()
                              join i in db.Ideas.AsNoTracking() on s.IdeaId equals i.Id
                              join c in db.Challenges.AsNoTracking() on i.ChallengeId equals c.Id
                              where s.CreatedAt >= start && s.CreatedAt < end
                              group s by c.OwnerTeamId into g
                              select new { Team = g.Key, Count = g.Count() }).ToListAsync(ct);
        var comments = await (from m in db.IdeaComments.AsNoTracking()
                              join i in db.Ideas.AsNoTracking() on m.IdeaId equals i.Id
                              join c in db.Challenges.AsNoTracking() on i.ChallengeId equals c.Id
                              where m.State == ContributionState.Visible && m.CreatedAt >= start && m.CreatedAt < end
                              group m by c.OwnerTeamId into g
                              select new { Team = g.Key, Count = g.Count() }).ToListAsync(ct);
        var contributions = ideas.Concat(supports).Concat(comments).Select(r => new CountRow(0, r.Team, null, r.Count)).ToList();

        // Inbound messages addressed to the organisation, from the daily aggregates (the organisation's local days).
        var last = month.AddMonths(1);
        var inbound = (await db.DailyMessageCounts.AsNoTracking()
                .Where(d => d.Day >= month && d.Day < last && d.Direction == MessageDirection.Inbound && !d.Listening)
                .GroupBy(d => new { d.ChannelId, d.TeamId }).Select(g => new { g.Key.ChannelId, g.Key.TeamId, Count = g.Sum(d => d.Count) }).ToListAsync(ct))
            .Select(r => new CountRow(r.ChannelId, r.TeamId, null, r.Count)).ToList();

        return new MonthFacts(conversations, changes, replies, deliveries, newsOnly, publishingInUse, contributions, openTeams, inbound);
    }

    private static MonthlyIndex Score(IndexScope scope, DateOnly month, MonthFacts facts, BusinessCalendar calendar, IReadOnlyList<SlaPolicy> policies,
        Dictionary<string, HashSet<long>> memberships, ComponentScore reach)
    {
        bool InScope(long channelId, long? teamId) => scope.Kind switch
        {
            IndexScopeKind.Team => teamId == scope.Id,
            IndexScopeKind.Account => channelId == scope.Id,
            _ => true,
        };
        bool AuthorInScope(string? staffId) => scope.Kind switch
        {
            IndexScopeKind.Team => staffId is not null && memberships.TryGetValue(staffId, out var teams) && teams.Contains(scope.Id),
            _ => true,
        };

        var conversations = facts.Conversations.Where(c => InScope(c.ChannelId, c.TeamId)).ToList();
        var scores = new List<ComponentScore>();

        // Responsiveness
        var answeredInTime = conversations.Count(c => c.FirstResponseAt is { } at
            && calendar.BusinessTimeBetween(c.CreatedAt, at).TotalHours <= (SlaPolicy.Choose(policies, c.TeamId, c.Category, c.Priority)?.FirstResponseHours ?? FallbackTargetHours));
        scores.Add(new ComponentScore(Components[0], conversations.Count == 0 ? null : 100.0 * answeredInTime / conversations.Count,
            $"{answeredInTime} of {conversations.Count} answered in time" + (policies.Count == 0 ? $" (no target set: {FallbackTargetHours} working hours used)" : "")));

        // Two-way
        var replies = facts.Replies.Where(r => InScope(r.ChannelId, r.TeamId)).Sum(r => r.Count);
        var broadcasts = facts.Deliveries.Where(d => (scope.Kind != IndexScopeKind.Account || d.ChannelId == scope.Id) && AuthorInScope(d.StaffId)).Sum(d => d.Count)
            + (scope.Kind == IndexScopeKind.Account ? 0 : facts.NewsOnly.Where(n => AuthorInScope(n.StaffId)).Sum(n => n.Count));
        scores.Add(TwoWay(replies, broadcasts, facts.PublishingInUse));

        // Resolution
        var resolved = conversations.Count(c => c.ResolvedAt is not null);
        scores.Add(new ComponentScore(Components[2], conversations.Count == 0 ? null : 100.0 * resolved / conversations.Count, $"{resolved} of {conversations.Count} resolved"));

        // Sentiment after a reply
        var changes = conversations.Where(c => facts.SentimentChange.ContainsKey(c.Id)).Select(c => facts.SentimentChange[c.Id]).ToList();
        scores.Add(new ComponentScore(Components[3], changes.Count >= MinimumSentimentConversations ? Math.Clamp(50 + (25 * changes.Average()), 0, 100) : null,
            changes.Count >= MinimumSentimentConversations
                ? $"{changes.Count} conversations with sentiment before and after the first reply"
                : $"only {changes.Count} conversations with sentiment before and after a reply ({MinimumSentimentConversations} needed)"));

        // Reach and growth
        scores.Add(reach);

        // Participation
        if (scope.Kind == IndexScopeKind.Account)
        {
            scores.Add(new ComponentScore(Components[5], null, "not measured for an account: ideas, supports and comments are made on the website"));
        }
        else
        {
            var open = scope.Kind == IndexScopeKind.Team ? facts.TeamsWithOpenChallenge.Contains(scope.Id) : facts.TeamsWithOpenChallenge.Count > 0;
            var contributions = facts.Contributions.Where(c => scope.Kind != IndexScopeKind.Team || c.TeamId == scope.Id).Sum(c => c.Count);
            var inbound = facts.Inbound.Where(r => InScope(r.ChannelId, r.TeamId == 0 ? null : r.TeamId)).Sum(r => r.Count);
            scores.Add(Participation(contributions, inbound, open, scope.Kind == IndexScopeKind.Team));
        }

        return new MonthlyIndex(month, scope.Name, Combine(scores, conversations.Count), scores, conversations.Count) { Kind = scope.Kind };
    }

    /// <summary>Replies ÷ (replies + broadcasts) as a percentage; see the component's published text.</summary>
    public static ComponentScore TwoWay(int replies, int broadcasts, bool publishingInUse)
    {
        if (!publishingInUse)
        {
            return new ComponentScore(Components[1], null, "nothing has been published through CivicDesk yet, so broadcasts cannot be counted");
        }

        if (replies + broadcasts == 0)
        {
            return new ComponentScore(Components[1], null, "no replies and no broadcasts in the month");
        }

        return new ComponentScore(Components[1], 100.0 * replies / (replies + broadcasts), $"{replies} replies and {broadcasts} broadcasts");
    }

    /// <summary>Follower growth over the month across the accounts given, scaled; see the component's published text.</summary>
    public static ComponentScore Reach(IReadOnlyList<AccountMonthFollowers> accounts)
    {
        var measured = accounts.Where(a => a.Growth is not null && a.FollowersAtStart > 0).ToList();
        if (measured.Count == 0)
        {
            return new ComponentScore(Components[4], null, accounts.Count == 0
                ? "no audience reads for these accounts in the month"
                : "no account has follower counts on two different days in the month");
        }

        long start = measured.Sum(a => a.FollowersAtStart!.Value), end = measured.Sum(a => a.FollowersAtEnd!.Value);
        var percent = 100.0 * (end - start) / start;
        var gb = System.Globalization.CultureInfo.GetCultureInfo("en-GB");
        return new ComponentScore(Components[4], Math.Clamp(50 + (10 * percent), 0, 100),
            $"{measured.Count} account(s): {start.ToString("N0", gb)} to {end.ToString("N0", gb)} followers ({percent.ToString("+0.0;-0.0;0.0", gb)} %)");
    }

    /// <summary>Contributions per 1,000 inbound messages, scaled and capped; see the component's published text.</summary>
    public static ComponentScore Participation(int contributions, int inbound, bool challengeOpen, bool team = false)
    {
        if (!challengeOpen)
        {
            return new ComponentScore(Components[5], null, team ? "the team had no challenge open in the month" : "no challenge or consultation was open in the month");
        }

        if (inbound == 0)
        {
            return new ComponentScore(Components[5], null, $"{contributions} contributions but no inbound messages to compare them with");
        }

        var perThousand = 1000.0 * contributions / inbound;
        return new ComponentScore(Components[5], Math.Min(100, perThousand * 100 / ParticipationFullScorePerThousand),
            $"{contributions} ideas, supports and comments per {inbound} inbound messages ({perThousand.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} per 1,000)");
    }

    /// <summary>Weighted mean over measured components, or null when too little is measured.</summary>
    public static double? Combine(IReadOnlyList<ComponentScore> scores, int conversations)
    {
        var measured = scores.Where(s => s.Score is not null).ToList();
        var weight = measured.Sum(s => s.Component.Weight);
        if (conversations < MinimumConversations || weight < 0.5)
        {
            return null;
        }

        return measured.Sum(s => s.Component.Weight * s.Score!.Value) / weight;
    }

    private static int Polarity(string? sentiment) => sentiment switch { "positive" => 1, "negative" => -1, _ => 0 };
}
