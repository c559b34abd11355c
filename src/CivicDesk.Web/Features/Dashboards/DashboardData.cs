using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>Which teams' figures a viewer may see: null means the whole organisation.</summary>
public sealed record DashboardScope(IReadOnlySet<long>? TeamIds)
{
    public static readonly DashboardScope Everything = new((IReadOnlySet<long>?)null);

    public bool Allows(long teamId) => TeamIds is null || TeamIds.Contains(teamId);

    /// <summary>Narrows to one team when asked and allowed; otherwise leaves the scope as it is.</summary>
    public DashboardScope Narrow(long? team) =>
        team is { } t && Allows(t) ? new DashboardScope(new HashSet<long> { t }) : this;
}

public sealed record HeadlineFigure(string Label, string Value, string? Change, string Basis);

public sealed record ResponseTimeRow(string Team, int Conversations, int Answered, double? MedianFirstResponseHours, double? P90FirstResponseHours,
    double? FirstResponseTargetHours, double? ShareAnsweredWithinTarget, int Resolved, double? MedianResolutionHours, double? P90ResolutionHours,
    double? ResolutionTargetHours, double? ShareResolvedWithinTarget);

public sealed record DashboardView(
    DateOnly From, DateOnly To, DateOnly PreviousFrom, DateOnly PreviousTo, Grain Grain, bool Compare,
    IReadOnlyList<HeadlineFigure> Headlines,
    IReadOnlyList<ChartModel> VolumeCharts,
    IReadOnlyList<ResponseTimeRow> ResponseTimes, ChartModel ResponseChart, string ResponseBasis,
    ChartModel Backlog, int BacklogTotal,
    IReadOnlyList<ChartModel> ReplyCharts,
    IReadOnlyList<ChartModel> SentimentCharts,
    IReadOnlyList<EmergingAlert> Alerts, DateOnly AlertDay, int AlertsTested,
    DateTime GeneratedAt, int PendingHours);

/// <summary>
/// Builds every dashboard figure for a period and scope from the aggregate tables only, never a scan of messages or
/// conversations: message counts from the hourly and daily counts, response and resolution times from the daily
/// response-time rows (distributions merged over the period), the backlog from the open conversations per hour.
/// </summary>
public sealed class DashboardData(CivicDeskDb db, SlaClock sla, TimeProvider time, IServiceScopeFactory scopes)
{
    public const int BaselineDays = 28;
    private static readonly TopicKind[] EveryTopicKind = Enum.GetValues<TopicKind>();
    private static readonly CultureInfo Gb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>When set, each section of <see cref="BuildAsync"/> adds its elapsed time here (the benchmark's profile).</summary>
    public List<(string Section, double Milliseconds)>? Timings { get; set; }

    private long _mark;

    private void Mark(string section)
    {
        if (Timings is not null)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            Timings.Add((section, System.Diagnostics.Stopwatch.GetElapsedTime(_mark, now).TotalMilliseconds));
            _mark = now;
        }
    }

    public async Task<DashboardView> BuildAsync(DashboardFilter filter, DashboardScope scope, CancellationToken ct)
    {
        _mark = System.Diagnostics.Stopwatch.GetTimestamp();
        var calendar = await sla.CalendarAsync(ct);
        var zone = calendar.Zone;
        var now = time.GetUtcNow().UtcDateTime;
        var today = AggregateTime.LocalDay(now, zone);
        var (from, to) = filter.Period(today);
        var days = to.DayNumber - from.DayNumber + 1;
        var (prevFrom, prevTo) = (from.AddDays(-days), from.AddDays(-1));
        var grain = DashboardFilter.GrainFor(from, to);

        var channels = await db.Channels.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        string TeamName(long id) => id == 0 ? "No team" : teams.GetValueOrDefault(id, $"Team {id}");

        // The topic charts and the emerging issues read their own tables: on a second connection, on another thread,
        // while this one reads the message counts, response times and backlog. Microsoft.Data.Sqlite runs "async"
        // commands synchronously, so awaiting them in turn kept the page's reads one after another on one core: at 10 M
        // messages the organisation's page was ~300 ms of reads on a 2-core machine with the other core idle
        // (bench/README.md, session 16). Each half is its own read, as each query already was (no shared snapshot). The
        // side task owns its scope and context and disposes them itself, so it is safe to leave if this half throws.
        var side = Task.Run(() => TopicsAndEmergingAsync(from, to, scope, ct), ct);

        // Hours are few (three days at most): one read of everything. Days and weeks: the time series and the period's
        // breakdowns are read separately, each summed in the database to the dimensions it shows.
        var hourly = grain == Grain.Hour;
        var currentSeries = await CountsAsync(from, to, grain, zone, scope, ct, hourly ? CountShape.Full : CountShape.Series);
        var current = hourly ? currentSeries : await CountsAsync(from, to, grain, zone, scope, ct, CountShape.Totals);
        var previousSeries = filter.Compare ? await CountsAsync(prevFrom, prevTo, grain, zone, scope, ct, hourly ? CountShape.Full : CountShape.Series) : [];
        var previous = !filter.Compare ? [] : hourly ? previousSeries : await CountsAsync(prevFrom, prevTo, grain, zone, scope, ct, CountShape.Totals);
        Mark("read message counts");
        var buckets = Buckets(from, to, grain, zone);
        var prevBuckets = Buckets(prevFrom, prevTo, grain, zone);
        var unit = grain switch { Grain.Hour => "hour", Grain.Week => "week", _ => "day" };
        var basis = $"{from.ToString("d MMM yyyy", Gb)} to {to.ToString("d MMM yyyy", Gb)}";
        var prevBasis = $"{prevFrom.ToString("d MMM yyyy", Gb)} to {prevTo.ToString("d MMM yyyy", Gb)}";

        var contact = current.Where(r => r.Direction == MessageDirection.Inbound && !r.Listening).ToList();
        var prevContact = previous.Where(r => r.Direction == MessageDirection.Inbound && !r.Listening).ToList();
        var contactSeries = currentSeries.Where(r => r.Direction == MessageDirection.Inbound && !r.Listening).ToList();
        var prevContactSeries = previousSeries.Where(r => r.Direction == MessageDirection.Inbound && !r.Listening).ToList();
        var replies = current.Where(r => r.Direction == MessageDirection.Outbound).ToList();
        var prevReplies = previous.Where(r => r.Direction == MessageDirection.Outbound).ToList();

        // --- volumes
        var volumeCharts = new List<ChartModel>();
        var totalSeries = new List<ChartSeries> { new("This period", Series(contactSeries, buckets)) };
        if (filter.Compare)
        {
            totalSeries.Add(new ChartSeries($"Previous period ({prevBasis})", Series(prevContactSeries, prevBuckets), SeriesStyle.Dashed));
        }

        volumeCharts.Add(new ChartModel
        {
            Id = "contact-total", Title = $"Contact received per {unit}", TimeUnit = unit, LabelHeading = Heading(grain), ValueHeading = "Messages",
            Description = $"Inbound messages addressed to the organisation, {basis}; public posts kept by listening searches and deleted messages are not counted."
                          + (filter.Compare ? " The dashed line is the previous period of the same length, aligned by position." : ""),
            Labels = buckets.Select(b => Label(b, grain)).ToList(), Series = totalSeries,
        });
        volumeCharts.Add(new ChartModel
        {
            Id = "contact-channel", Title = $"Contact by channel per {unit}", Kind = ChartKind.StackedBar, TimeUnit = unit, LabelHeading = Heading(grain), ValueHeading = "Messages",
            Description = $"Inbound messages by channel, {basis}.",
            Labels = buckets.Select(b => Label(b, grain)).ToList(),
            Series = contactSeries.GroupBy(r => r.ChannelId).OrderByDescending(g => g.Sum(r => r.Count))
                .Select(g => new ChartSeries(channels.GetValueOrDefault(g.Key, $"Channel {g.Key}"), Series(g, buckets))).ToList(),
        });
        volumeCharts.Add(Breakdown("contact-team", "Contact by team", "Team", contact, prevContact, r => TeamName(r.TeamId), filter.Compare, basis));
        volumeCharts.Add(Breakdown("contact-kind", "Contact by kind", "Kind", contact, prevContact, r => Nameless(r.Kind), filter.Compare, basis));
        volumeCharts.Add(Breakdown("contact-category", "Contact by category", "Category", contact, prevContact, r => Nameless(r.Category), filter.Compare, basis));

        Mark("volume charts");
        // --- replies
        var staffNames = await db.Users.AsNoTracking().Select(u => new { u.Id, u.DisplayName }).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var replyCharts = new List<ChartModel>
        {
            Breakdown("replies-team", "Replies sent by team", "Team", replies, prevReplies, r => TeamName(r.TeamId), filter.Compare, basis),
            Breakdown("replies-agent", "Replies sent per member of staff", "Member of staff", replies.Where(r => r.StaffId.Length > 0).ToList(),
                prevReplies.Where(r => r.StaffId.Length > 0).ToList(), r => staffNames.GetValueOrDefault(r.StaffId, "Former member of staff"), filter.Compare, basis),
        };

        // --- sentiment
        var sentiments = new[] { "negative", "neutral", "positive", "" };
        string SentimentName(string s) => s.Length == 0 ? "Not classified" : char.ToUpperInvariant(s[0]) + s[1..];
        // Colours that mean what they say (GOV.UK red, dark grey, green; light grey for unclassified), not palette order.
        static string SentimentColour(string s) => s switch { "negative" => "#d4351c", "neutral" => "#505a5f", "positive" => "#00703c", _ => "#b1b4b6" };
        Mark("reply charts");
        // --- response times and backlog
        var (responseRows, responseBasis) = await ResponseTimesAsync(from, to, scope, TeamName, ct);
        Mark("response times");
        var (backlog, backlogTotal) = await BacklogAsync(now, scope, TeamName, ct);
        Mark("backlog");
        var (topics, alerts, tested, sideTimings) = await side;
        Mark("wait for topics and emerging issues");
        Timings?.AddRange(sideTimings);
        var sentimentCharts = new List<ChartModel>
        {
            new()
            {
                Id = "sentiment-time", Title = $"Sentiment of contact per {unit}", Kind = ChartKind.StackedBar, TimeUnit = unit, LabelHeading = Heading(grain), ValueHeading = "Messages",
                Description = $"Inbound messages by the sentiment triage gave them, {basis}. Sentiment is a model's reading of the text, and only of those who wrote to or about the organisation, not of the public at large.",
                Labels = buckets.Select(b => Label(b, grain)).ToList(),
                Series = sentiments.Select(s => new ChartSeries(SentimentName(s), Series(contactSeries.Where(r => r.Sentiment == s), buckets), Colour: SentimentColour(s))).ToList(),
            },
            SentimentBreakdown("sentiment-category", "Sentiment by category", "Category", contact.Select(r => (Nameless(r.Category), r.Sentiment, r.Count)), sentiments, SentimentName, SentimentColour, basis),
            SentimentBreakdown("sentiment-place", $"Sentiment by place (top {TopTopics})", "Place", topics.Where(t => t.TopicKind == TopicKind.Place).SelectMany(t => SentimentCells(t.Topic, t)), sentiments, SentimentName, SentimentColour, basis),
            SentimentBreakdown("sentiment-search", "Sentiment by listening search", "Listening search", topics.Where(t => t.TopicKind == TopicKind.ListeningSearch).SelectMany(t => SentimentCells(t.Topic, t)), sentiments, SentimentName, SentimentColour, basis),
            SentimentBreakdown("sentiment-hashtag", $"Sentiment by hashtag (top {TopTopics})", "Hashtag", topics.Where(t => t.TopicKind == TopicKind.Hashtag).SelectMany(t => SentimentCells("#" + t.Topic, t)), sentiments, SentimentName, SentimentColour, basis),
        };

        Mark("sentiment charts");
        var responseChart = new ChartModel
        {
            Id = "response-times", Title = "First response in working hours by team", Kind = ChartKind.Bar, LabelHeading = "Team", ValueHeading = "Working hours", Decimals = 1,
            Description = responseBasis,
            Labels = responseRows.Select(r => r.Team).ToList(),
            Series =
            [
                new ChartSeries("Median", responseRows.Select(r => r.MedianFirstResponseHours).ToList()),
                new ChartSeries("90th percentile", responseRows.Select(r => r.P90FirstResponseHours).ToList()),
                new ChartSeries("Target", responseRows.Select(r => r.FirstResponseTargetHours).ToList(), SeriesStyle.Dashed),
            ],
        };

        var pending = await db.AggregateDirtyHours.CountAsync(d => d.OrganisationId == db.CurrentOrganisationId, ct);
        var contactNow = contact.Sum(r => r.Count);
        var contactBefore = prevContact.Sum(r => r.Count);
        var repliesNow = replies.Sum(r => r.Count);
        var answered = responseRows.Sum(r => r.Answered);
        var within = responseRows.Where(r => r.ShareAnsweredWithinTarget is not null).Sum(r => r.ShareAnsweredWithinTarget!.Value * r.Answered);
        var withTarget = responseRows.Where(r => r.ShareAnsweredWithinTarget is not null).Sum(r => r.Answered);
        var headlines = new List<HeadlineFigure>
        {
            new("Contact received", contactNow.ToString("N0", Gb), filter.Compare ? Change(contactNow, contactBefore) : null, $"inbound messages, {basis}"),
            new("Replies sent", repliesNow.ToString("N0", Gb), filter.Compare ? Change(repliesNow, prevReplies.Sum(r => r.Count)) : null, $"outbound messages, {basis}"),
            new("Conversations answered", answered.ToString("N0", Gb), null, $"of {responseRows.Sum(r => r.Conversations):N0} opened in the period"),
            new("Answered within target", withTarget == 0 ? "No target set" : (within / withTarget).ToString("P0", Gb), null,
                withTarget == 0 ? "set service targets to measure this" : $"of {withTarget:N0} answered conversations with a target"),
            new("Open now", backlogTotal.ToString("N0", Gb), null, "conversations not yet resolved"),
        };

        return new DashboardView(from, to, prevFrom, prevTo, grain, filter.Compare, headlines, volumeCharts, responseRows, responseChart, responseBasis,
            backlog, backlogTotal, replyCharts, sentimentCharts, alerts, to, tested, now, pending);
    }

    /// <summary>
    /// The topic charts' rows and the emerging-issue alerts of the period, read through a context of its own (a DbContext
    /// serves one query at a time) for the same organisation, with each section's elapsed time when the caller keeps them.
    /// </summary>
    private async Task<(List<TopicTotal> Topics, IReadOnlyList<EmergingAlert> Alerts, int Tested, List<(string, double)> Timings)> TopicsAndEmergingAsync(
        DateOnly from, DateOnly to, DashboardScope scope, CancellationToken ct)
    {
        await using var side = scopes.CreateAsyncScope();
        if (db.CurrentOrganisationId is { } organisation)
        {
            side.ServiceProvider.GetRequiredService<OrganisationContext>().Set(organisation);
        }

        var reader = side.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var timings = new List<(string, double)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var topics = await TopicsAsync(reader, from, to, scope, ct);
        timings.Add(("read topics", clock.Elapsed.TotalMilliseconds));
        clock.Restart();
        var (alerts, tested) = await EmergingAsync(reader, to, scope, ct);
        timings.Add(("emerging issues", clock.Elapsed.TotalMilliseconds));
        return (topics, alerts, tested, timings);
    }

    public sealed record CountRow(DateTime Bucket, long ChannelId, long TeamId, MessageDirection Direction, bool Listening, string Kind, string Category, string Sentiment, string StaffId, int Count);

    /// <summary>Aggregate rows of the period, each placed in its bucket (local hour, local day or week from Monday).</summary>
    public async Task<List<CountRow>> CountsAsync(DateOnly from, DateOnly to, Grain grain, TimeZoneInfo zone, DashboardScope scope, CancellationToken ct,
        CountShape shape = CountShape.Full)
    {
        var teamIds = scope.TeamIds?.ToList();
        if (grain == Grain.Hour)
        {
            var (start, _) = AggregateTime.DayRange(from, zone);
            var (_, end) = AggregateTime.DayRange(to, zone);
            var rows = await db.HourlyMessageCounts.AsNoTracking()
                .Where(r => r.HourStart >= start && r.HourStart < end && (teamIds == null || teamIds.Contains(r.TeamId)))
                .Select(r => new { r.HourStart, r.ChannelId, r.TeamId, r.Direction, r.Listening, r.Kind, r.Category, r.Sentiment, r.StaffId, r.Count })
                .ToListAsync(ct);
            return rows.Select(r => new CountRow(TimeZoneInfo.ConvertTimeFromUtc(AggregateTime.Utc(r.HourStart), zone), r.ChannelId, r.TeamId, r.Direction, r.Listening,
                r.Kind, r.Category, r.Sentiment, r.StaffId, r.Count)).ToList();
        }

        if (from > to)
        {
            return [];
        }

        // The period's breakdowns (no bucket): its whole calendar months from the monthly rows, the weeks and days either
        // side as below. A year's breakdowns read ≈ 11 months of rows instead of ≈ 50 weeks' (4,800 rows against 22,300
        // at 10 M messages; 28-30 ms → 5-6 ms of CPU for the GROUP BY in the sqlite3 shell, bench/README.md session 16).
        if (shape == CountShape.Totals)
        {
            var (firstMonth, lastMonth) = WholeMonths(from, to);
            if (firstMonth <= lastMonth)
            {
                // Each month named (an equality on the key's second column), as the monthly topic rows are read.
                var months = Enumerable.Range(0, (lastMonth.Year - firstMonth.Year) * 12 + lastMonth.Month - firstMonth.Month + 1).Select(firstMonth.AddMonths).ToList();
                var monthly = await db.MonthlyMessageCounts.AsNoTracking()
                    .Where(r => months.Contains(r.MonthStart) && (teamIds == null || teamIds.Contains(r.TeamId)))
                    .GroupBy(r => new { r.TeamId, r.Direction, r.Listening, r.Kind, r.Category, r.Sentiment, r.StaffId })
                    .Select(g => new { g.Key.TeamId, g.Key.Direction, g.Key.Listening, g.Key.Kind, g.Key.Category, g.Key.Sentiment, g.Key.StaffId, Count = g.Sum(r => r.Count) })
                    .ToListAsync(ct);
                var bucket = BucketOf(from, grain);
                return
                [
                    .. monthly.Select(r => new CountRow(bucket, 0, r.TeamId, r.Direction, r.Listening, r.Kind, r.Category, r.Sentiment, r.StaffId, r.Count)),
                    .. (await CountsAsync(from, firstMonth.AddDays(-1), grain, zone, scope, ct, shape)).Select(r => r with { Bucket = bucket }),
                    .. (await CountsAsync(lastMonth.AddMonths(1), to, grain, zone, scope, ct, shape)).Select(r => r with { Bucket = bucket }),
                ];
            }
        }

        // Weekly grain, and the period's breakdowns at any grain (they need no bucket): whole weeks from the weekly rows,
        // the part-weeks at either end from the daily rows. A week has about as many weekly rows as a day has daily ones
        // (≈ 445 and ≈ 427 at 10 M messages), so a 28-day view's breakdowns read 4 weeks' rows instead of 28 days'.
        var (wholeFrom, wholeTo) = (from, from.AddDays(-1)); // no whole weeks for a daily time series
        if (grain == Grain.Week || shape == CountShape.Totals)
        {
            (wholeFrom, wholeTo) = WholeWeeks(from, to); // the Mondays of the first and last whole weeks
        }

        var (skipFrom, skipTo) = wholeFrom <= wholeTo ? (wholeFrom, wholeTo.AddDays(6)) : (to.AddDays(1), to);
        var weekly = db.WeeklyMessageCounts.AsNoTracking()
            .Where(r => r.WeekStart >= wholeFrom && r.WeekStart <= wholeTo && (teamIds == null || teamIds.Contains(r.TeamId)))
            .Select(r => new CountFact { Bucket = r.WeekStart, ChannelId = r.ChannelId, TeamId = r.TeamId, Direction = r.Direction, Listening = r.Listening, Kind = r.Kind, Category = r.Category, Sentiment = r.Sentiment, StaffId = r.StaffId, Count = r.Count });
        var days = db.DailyMessageCounts.AsNoTracking();
        var daily = (wholeFrom <= wholeTo
                // Two day ranges, not [from, to] minus the weeks: SQLite then searches the key for each range (MULTI-INDEX OR)
                // instead of walking a year of daily rows to keep a few (40 ms of CPU a read at 1 M messages).
                ? days.Where(r => (r.Day >= from && r.Day < skipFrom) || (r.Day > skipTo && r.Day <= to))
                // No whole weeks (a daily grain): one range. The OR with an empty second range still made SQLite collect
                // and look up every row id of the first (MULTI-INDEX OR): 29 against 18 ms of CPU for a 28-day read at
                // 10 M messages in the sqlite3 shell, four reads a 28-day view (bench/README.md, session 17).
                : days.Where(r => r.Day >= from && r.Day <= to))
            .Where(r => teamIds == null || teamIds.Contains(r.TeamId))
            .Select(r => new CountFact { Bucket = r.Day, ChannelId = r.ChannelId, TeamId = r.TeamId, Direction = r.Direction, Listening = r.Listening, Kind = r.Kind, Category = r.Category, Sentiment = r.Sentiment, StaffId = r.StaffId, Count = r.Count });
        var result = new List<CountRow>();
        foreach (var source in wholeFrom <= wholeTo ? new[] { weekly, daily } : [daily])
        {
            var rows = shape switch
            {
                // The time series need bucket, channel and sentiment; the period breakdowns need no bucket at all: summed
                // in the database, a year's view reads a few thousand rows instead of one per day (or week) and combination.
                CountShape.Series => await source.GroupBy(r => new { r.Bucket, r.ChannelId, r.Direction, r.Listening, r.Sentiment })
                    .Select(g => new CountFact { Bucket = g.Key.Bucket, ChannelId = g.Key.ChannelId, Direction = g.Key.Direction, Listening = g.Key.Listening, Sentiment = g.Key.Sentiment, Count = g.Sum(r => r.Count) })
                    .ToListAsync(ct),
                CountShape.Totals => await source.GroupBy(r => new { r.TeamId, r.Direction, r.Listening, r.Kind, r.Category, r.Sentiment, r.StaffId })
                    .Select(g => new CountFact { Bucket = from, TeamId = g.Key.TeamId, Direction = g.Key.Direction, Listening = g.Key.Listening, Kind = g.Key.Kind, Category = g.Key.Category, Sentiment = g.Key.Sentiment, StaffId = g.Key.StaffId, Count = g.Sum(r => r.Count) })
                    .ToListAsync(ct),
                _ => await source.ToListAsync(ct),
            };
            result.AddRange(rows.Select(r => new CountRow(BucketOf(r.Bucket, grain), r.ChannelId, r.TeamId, r.Direction, r.Listening, r.Kind, r.Category, r.Sentiment, r.StaffId, r.Count)));
        }

        return result;
    }

    /// <summary>Which dimensions a read keeps: all of them, those of the time series, or those of the period's breakdowns.</summary>
    public enum CountShape
    {
        Full,
        Series,
        Totals,
    }

    /// <summary>An aggregate row of either table (member-initialised so EF can group after the projection).</summary>
    private sealed class CountFact
    {
        public DateOnly Bucket { get; init; }
        public long ChannelId { get; init; }
        public long TeamId { get; init; }
        public MessageDirection Direction { get; init; }
        public bool Listening { get; init; }
        public string Kind { get; init; } = "";
        public string Category { get; init; } = "";
        public string Sentiment { get; init; } = "";
        public string StaffId { get; init; } = "";
        public int Count { get; init; }
    }

    /// <summary>How many places, listening searches and hashtags each sentiment chart shows.</summary>
    public const int TopTopics = 12;

    /// <summary>
    /// What the topic charts show: per kind, the <see cref="TopTopics"/> topics with most messages in the period (ties
    /// by name), with their counts per sentiment. Ranked and summed in the database, one query a kind: a busy
    /// organisation has thousands of topic rows a day (one per street or hashtag, team and sentiment), and returning
    /// every topic of a 28-day period to be ranked here cost more than a second. Each row read carries its sentiment
    /// as count columns, so the ranking's answer is the chart (no second read of the chosen topics' rows). The
    /// period's whole Monday-to-Sunday weeks come from the weekly topic rows and only the days outside them from the
    /// daily rows (exact at either edge; <see cref="WholeWeeks"/>); with no team restriction, from the organisation's
    /// rows (no team, sentiments as columns): its whole calendar months from the monthly ones, and the weeks and days
    /// at either side of them from the weekly and daily ones (<see cref="TopicSums"/>).
    /// </summary>
    private static async Task<List<TopicTotal>> TopicsAsync(CivicDeskDb reader, DateOnly from, DateOnly to, DashboardScope scope, CancellationToken ct)
    {
        var result = new List<TopicTotal>();
        foreach (var kind in Enum.GetValues<TopicKind>())
        {
            var totals = TopicSums(reader, from, to, kind, scope).GroupBy(t => t.Topic).Select(g => new TopicTotal
            {
                TopicKind = kind, Topic = g.Key, Count = g.Sum(t => t.Count), Negative = g.Sum(t => t.Negative), Neutral = g.Sum(t => t.Neutral),
                Positive = g.Sum(t => t.Positive), Unclassified = g.Sum(t => t.Unclassified),
            });
            // Ties by name in code-point order, as the chart orders them (PostgreSQL's default collation is the locale's).
            var ranked = reader.Provider == DatabaseProvider.Postgres
                ? totals.OrderByDescending(r => r.Count).ThenBy(r => EF.Functions.Collate(r.Topic, "C"))
                : totals.OrderByDescending(r => r.Count).ThenBy(r => r.Topic);
            result.AddRange(await ranked.Take(TopTopics).ToListAsync(ct));
        }

        return result;
    }

    /// <summary>
    /// One kind's topic rows of [from, to] in scope, each with its sentiment as count columns. With a team restriction,
    /// the team rows of the whole period (<see cref="TopicRows"/>). With none, the organisation's rows, which hold no
    /// team and no sentiment split: the whole calendar months from the monthly rows, then on either side of them the
    /// whole weeks from the weekly rows and the days left from the daily rows. UNION ALL, summed by the caller.
    /// </summary>
    private static IQueryable<TopicTotal> TopicSums(CivicDeskDb reader, DateOnly from, DateOnly to, TopicKind kind, DashboardScope scope)
    {
        if (scope.TeamIds is not null)
        {
            return TopicRows(reader, from, to, kind, scope).Select(t => new TopicTotal
            {
                Topic = t.Topic, Count = t.Count, Negative = t.Sentiment == "negative" ? t.Count : 0, Neutral = t.Sentiment == "neutral" ? t.Count : 0,
                Positive = t.Sentiment == "positive" ? t.Count : 0, Unclassified = t.Sentiment == "" ? t.Count : 0,
            });
        }

        var (firstMonth, lastMonth) = WholeMonths(from, to);
        if (firstMonth > lastMonth)
        {
            return OrganisationWeeksAndDays(reader, from, to, kind);
        }

        // The buckets named one by one, not as a range: each key is (OrganisationId, bucket start, TopicKind, Topic), so
        // a range on the bucket left the kind to be checked on every row of every kind (a year's 37,600 monthly rows at
        // 1 M messages for each of the three kinds); with each bucket an equality the kind is part of the search too,
        // and a kind with few rows reads only those (11-13 ms → 1-2 ms of CPU for the hashtags in the sqlite3 shell,
        // session 15). Parameters (EF Core's default, one per bucket), so the compiled query is reused whatever the period.
        var months = Enumerable.Range(0, (lastMonth.Year - firstMonth.Year) * 12 + lastMonth.Month - firstMonth.Month + 1).Select(firstMonth.AddMonths).ToList();
        return Totals(reader.MonthlyOrganisationTopicCounts.AsNoTracking().Where(t => months.Contains(t.MonthStart) && t.TopicKind == kind))
            .Concat(OrganisationWeeksAndDays(reader, from, firstMonth.AddDays(-1), kind))
            .Concat(OrganisationWeeksAndDays(reader, lastMonth.AddMonths(1), to, kind));
    }

    /// <summary>
    /// One kind's organisation topic rows of [from, to] (nothing when to is before from): the whole weeks' weekly rows
    /// and the daily rows of the days before the first and after the last of them, each bucket named (see above).
    /// </summary>
    private static IQueryable<TopicTotal> OrganisationWeeksAndDays(CivicDeskDb reader, DateOnly from, DateOnly to, TopicKind kind)
    {
        var (firstWeek, lastWeek) = WholeWeeks(from, to);
        var weeks = new List<DateOnly>();
        for (var week = firstWeek; week <= lastWeek; week = week.AddDays(7))
        {
            weeks.Add(week);
        }

        var days = new List<DateOnly>();
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            if (weeks.Count == 0 || day < firstWeek || day > lastWeek.AddDays(6))
            {
                days.Add(day);
            }
        }

        return Totals(reader.WeeklyOrganisationTopicCounts.AsNoTracking().Where(t => weeks.Contains(t.WeekStart) && t.TopicKind == kind))
            .Concat(Totals(reader.DailyOrganisationTopicCounts.AsNoTracking().Where(t => days.Contains(t.Day) && t.TopicKind == kind)));
    }

    private static IQueryable<TopicTotal> Totals(IQueryable<OrganisationTopicTotals> rows) =>
        rows.Select(t => new TopicTotal { Topic = t.Topic, Count = t.Count, Negative = t.Negative, Neutral = t.Neutral, Positive = t.Positive, Unclassified = t.Unclassified });

    /// <summary>
    /// The first days of the first and last calendar months lying wholly inside [from, to]; the first is after the
    /// last when there is none.
    /// </summary>
    public static (DateOnly FirstMonth, DateOnly LastMonth) WholeMonths(DateOnly from, DateOnly to)
    {
        var first = from.Day == 1 ? from : new DateOnly(from.Year, from.Month, 1).AddMonths(1);
        var last = new DateOnly(to.Year, to.Month, 1);
        return (first, to.AddDays(1).Day == 1 ? last : last.AddMonths(-1));
    }

    /// <summary>
    /// One kind's topic rows of [from, to] in scope (nothing when to is before from): the whole weeks' weekly rows,
    /// then the daily rows of the days before the first and after the last whole week (UNION ALL).
    /// </summary>
    private static IQueryable<TopicFact> TopicRows(CivicDeskDb reader, DateOnly from, DateOnly to, TopicKind kind, DashboardScope scope)
    {
        var teamIds = scope.TeamIds?.ToList();
        var (firstWeek, lastWeek) = WholeWeeks(from, to);
        var (skipFrom, skipTo) = firstWeek <= lastWeek ? (firstWeek, lastWeek.AddDays(6)) : (to.AddDays(1), to);
        // Two day ranges as two queries, not one OR: with TopicKind in the index SQLite walked every daily row of the
        // kind to keep the edge days (EXPLAIN QUERY PLAN; ≈ 40 ms of CPU per kind at 1 M messages in the sqlite3 shell).
        IQueryable<TopicFact> Days(DateOnly first, DateOnly last) => reader.DailyTopicCounts.AsNoTracking()
            .Where(t => t.TopicKind == kind && t.Day >= first && t.Day <= last && (teamIds == null || teamIds.Contains(t.TeamId)))
            .Select(t => new TopicFact { Topic = t.Topic, Sentiment = t.Sentiment, Count = t.Count });
        var daily = Days(from, skipFrom.AddDays(-1)).Concat(Days(skipTo.AddDays(1), to));
        if (firstWeek > lastWeek)
        {
            return daily;
        }

        return reader.WeeklyTopicCounts.AsNoTracking()
            .Where(t => t.TopicKind == kind && t.WeekStart >= firstWeek && t.WeekStart <= lastWeek && (teamIds == null || teamIds.Contains(t.TeamId)))
            .Select(t => new TopicFact { Topic = t.Topic, Sentiment = t.Sentiment, Count = t.Count })
            .Concat(daily);
    }

    /// <summary>
    /// The Mondays of the first and last Monday-to-Sunday weeks lying wholly inside [from, to]; the first is after
    /// the last when there is none.
    /// </summary>
    public static (DateOnly FirstWeek, DateOnly LastWeek) WholeWeeks(DateOnly from, DateOnly to)
    {
        var first = AggregateTime.WeekStart(from) == from ? from : AggregateTime.WeekStart(from).AddDays(7);
        var last = AggregateTime.WeekStart(to);
        return (first, last.AddDays(6) == to ? last : last.AddDays(-7));
    }

    /// <summary>A topic row of either table (member-initialised so EF can group after the union).</summary>
    private sealed class TopicFact
    {
        public string Topic { get; init; } = "";
        public string Sentiment { get; init; } = "";
        public int Count { get; init; }
    }

    /// <summary>A topic's messages, in all and per sentiment (Count also holds any label other than these four).</summary>
    public sealed class TopicTotal
    {
        public TopicKind TopicKind { get; init; }
        public string Topic { get; init; } = "";
        public int Count { get; init; }
        public int Negative { get; init; }
        public int Neutral { get; init; }
        public int Positive { get; init; }
        public int Unclassified { get; init; }
    }

    public static DateTime BucketOf(DateOnly day, Grain grain)
    {
        return (grain == Grain.Week ? AggregateTime.WeekStart(day) : day).ToDateTime(TimeOnly.MinValue);
    }

    public static List<DateTime> Buckets(DateOnly from, DateOnly to, Grain grain, TimeZoneInfo zone)
    {
        var list = new List<DateTime>();
        if (grain == Grain.Hour)
        {
            var (start, _) = AggregateTime.DayRange(from, zone);
            var (_, end) = AggregateTime.DayRange(to, zone);
            for (var h = start; h < end; h = h.AddHours(1))
            {
                list.Add(TimeZoneInfo.ConvertTimeFromUtc(h, zone));
            }

            return list;
        }

        for (var d = from; d <= to; d = d.AddDays(1))
        {
            var b = BucketOf(d, grain);
            if (list.Count == 0 || list[^1] != b)
            {
                list.Add(b);
            }
        }

        return list;
    }

    private static List<double?> Series(IEnumerable<CountRow> rows, List<DateTime> buckets)
    {
        var sums = rows.GroupBy(r => r.Bucket).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
        return buckets.Select(b => (double?)sums.GetValueOrDefault(b)).ToList();
    }

    private static string Label(DateTime bucket, Grain grain) =>
        bucket.ToString(grain == Grain.Hour ? "yyyy-MM-dd'T'HH:mm" : "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Heading(Grain grain) => grain switch { Grain.Hour => "Hour", Grain.Week => "Week", _ => "Day" };

    private static string Nameless(string value) => value.Length == 0 ? "Not classified" : value;

    private static string? Change(int now, int before) =>
        before == 0 ? (now == 0 ? "no change" : "none in the previous period")
                    : ((now - before) / (double)before).ToString("+0%;-0%;0%", Gb) + " on the previous period";

    private static ChartModel Breakdown(string id, string title, string heading, List<CountRow> rows, List<CountRow> previous, Func<CountRow, string> key, bool compare, string basis)
    {
        var now = rows.GroupBy(key).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
        var before = previous.GroupBy(key).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
        var labels = now.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key)
            .Concat(before.Keys.Where(k => !now.ContainsKey(k)).Order(StringComparer.Ordinal)).Take(20).ToList();
        var series = new List<ChartSeries> { new("This period", labels.Select(l => (double?)now.GetValueOrDefault(l)).ToList()) };
        if (compare)
        {
            series.Add(new ChartSeries("Previous period", labels.Select(l => (double?)before.GetValueOrDefault(l)).ToList()));
        }

        return new ChartModel
        {
            Id = id, Title = title, Kind = ChartKind.Bar, LabelHeading = heading, ValueHeading = "Messages", Labels = labels, Series = series,
            Description = $"{basis}; the 20 largest shown." + (compare ? " Beside each, the previous period of the same length." : ""),
        };
    }

    /// <summary>A topic's total as (label, sentiment, count) cells; a label other than the four shown still counts in the ranking.</summary>
    private static IEnumerable<(string Key, string Sentiment, int Count)> SentimentCells(string key, TopicTotal t)
    {
        yield return (key, "negative", t.Negative);
        yield return (key, "neutral", t.Neutral);
        yield return (key, "positive", t.Positive);
        yield return (key, "", t.Unclassified);
        if (t.Count - t.Negative - t.Neutral - t.Positive - t.Unclassified is > 0 and var other)
        {
            yield return (key, "other", other);
        }
    }

    private static ChartModel SentimentBreakdown(string id, string title, string heading, IEnumerable<(string Key, string Sentiment, int Count)> rows,
        string[] sentiments, Func<string, string> name, Func<string, string> colour, string basis)
    {
        // One pass: totals per key and per key and sentiment (ties in the top 12 broken by name).
        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        var cells = new Dictionary<(string, string), int>();
        foreach (var (key, sentiment, count) in rows)
        {
            totals[key] = totals.GetValueOrDefault(key) + count;
            cells[(key, sentiment)] = cells.GetValueOrDefault((key, sentiment)) + count;
        }

        var labels = totals.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(TopTopics).Select(kv => kv.Key).ToList();
        return new ChartModel
        {
            Id = id, Title = title, Kind = ChartKind.StackedBar, LabelHeading = heading, ValueHeading = "Messages", Labels = labels,
            Description = $"Inbound messages, {basis}.",
            Series = sentiments.Select(s => new ChartSeries(name(s), labels.Select(l => (double?)cells.GetValueOrDefault((l, s))).ToList(), Colour: colour(s))).ToList(),
        };
    }

    private async Task<(List<ResponseTimeRow>, string)> ResponseTimesAsync(DateOnly from, DateOnly to, DashboardScope scope, Func<long, string> teamName, CancellationToken ct)
    {
        var teamIds = scope.TeamIds?.ToList();
        var policies = await sla.PoliciesAsync(ct);
        var organisation = await db.Organisations.AsNoTracking().SingleAsync(o => o.Id == db.CurrentOrganisationId, ct);
        var current = ResponseBasis.Fingerprint(organisation, policies);
        var inPeriod = db.DailyResponseTimes.AsNoTracking().Where(r => r.Day >= from && r.Day <= to && (teamIds == null || teamIds.Contains(r.TeamId)));
        // The columns the figures need, not the entity: its day (a text date SQLite's reader parses) and basis were a
        // third of the section's CPU for a year's organisation view at 10 M messages (dotnet-trace, session 19). The
        // days measured another way are counted in the database.
        var rows = await inPeriod.Select(r => new DailyResponseTime
        {
            TeamId = r.TeamId, Opened = r.Opened, Answered = r.Answered, AnsweredWithTarget = r.AnsweredWithTarget, AnsweredWithinTarget = r.AnsweredWithinTarget,
            Resolved = r.Resolved, ResolvedWithTarget = r.ResolvedWithTarget, ResolvedWithinTarget = r.ResolvedWithinTarget,
            FirstResponseHours = r.FirstResponseHours, ResolutionHours = r.ResolutionHours, Basis = "",
        }).ToListAsync(ct);
        var stale = await inPeriod.Where(r => r.Basis != current).Select(r => r.Day).Distinct().CountAsync(ct);
        var result = new List<ResponseTimeRow>();
        foreach (var team in rows.GroupBy(r => r.TeamId).OrderBy(g => teamName(g.Key), StringComparer.Ordinal))
        {
            var first = new DurationSketch();
            var resolution = new DurationSketch();
            foreach (var r in team)
            {
                first.MergeBytes(r.FirstResponseHours);
                resolution.MergeBytes(r.ResolutionHours);
            }

            int Sum(Func<DailyResponseTime, int> f) => team.Sum(f);
            // The target shown is the team's general one (the most specific policy for the team with no service or priority).
            var general = SlaPolicy.Choose(policies, team.Key == 0 ? null : team.Key, null, null);
            result.Add(new ResponseTimeRow(teamName(team.Key), Sum(r => r.Opened), Sum(r => r.Answered), first.Quantile(0.5), first.Quantile(0.9),
                general?.FirstResponseHours, Sum(r => r.AnsweredWithTarget) == 0 ? null : Sum(r => r.AnsweredWithinTarget) / (double)Sum(r => r.AnsweredWithTarget),
                Sum(r => r.Resolved), resolution.Quantile(0.5), resolution.Quantile(0.9), general?.ResolutionHours,
                Sum(r => r.ResolvedWithTarget) == 0 ? null : Sum(r => r.ResolvedWithinTarget) / (double)Sum(r => r.ResolvedWithTarget)));
        }

        var total = rows.Sum(r => r.Opened);
        var basis = $"Conversations opened {from.ToString("d MMM yyyy", Gb)} to {to.ToString("d MMM yyyy", Gb)} ({total:N0}); times in working hours of the organisation's calendar "
                    + "(bank holidays and closed hours do not count). Medians and 90th percentiles are of the answered or resolved ones, each time kept to within 1%; "
                    + "each is measured against the target of its own team, service and priority.";
        if (stale > 0)
        {
            basis += $" Working hours or service targets changed recently: {stale:N0} of the period's days still show times measured the old way and are being recomputed.";
        }

        return (result, basis);
    }

    private static readonly ConversationStatus[] OpenStatuses = [ConversationStatus.New, ConversationStatus.Open, ConversationStatus.WaitingOnCitizen];

    /// <summary>
    /// Open conversations by team and age band, from the per-hour open counts; the (at most three) hours a band's
    /// boundary falls inside are counted from their conversations, so every band is exact.
    /// </summary>
    private async Task<(ChartModel, int)> BacklogAsync(DateTime now, DashboardScope scope, Func<long, string> teamName, CancellationToken ct)
    {
        var teamIds = scope.TeamIds?.ToList();
        string[] bands = ["Under 1 day", "1 to 3 days", "3 to 7 days", "Over 7 days"];
        static int Band(double days) => days < 1 ? 0 : days < 3 ? 1 : days < 7 ? 2 : 3;
        var boundaries = new[] { now.AddDays(-1), now.AddDays(-3), now.AddDays(-7) };
        // A boundary b splits the hour it falls in (on the hour too: a conversation opened exactly at b is a day old).
        var split = boundaries.Select(AggregateTime.HourStart).Distinct().ToList();
        // Whole hours, summed in the database: with no boundary in [start, start + 1 h), every conversation of the
        // hour is in the band of its first instant (age under a day when start > now − 1 day, and so on).
        var (day1, day3, day7) = (boundaries[0], boundaries[1], boundaries[2]);
        var whole = await db.HourlyOpenConversations.AsNoTracking()
            .Where(r => (teamIds == null || teamIds.Contains(r.TeamId)) && !split.Contains(r.HourStart))
            .GroupBy(r => new { r.TeamId, Band = r.HourStart > day1 ? 0 : r.HourStart > day3 ? 1 : r.HourStart > day7 ? 2 : 3 })
            .Select(g => new { g.Key.TeamId, g.Key.Band, Count = g.Sum(r => r.Count) })
            .ToListAsync(ct);
        var counts = new Dictionary<(string Team, int Band), int>();
        void Add(long team, int band, int n) => counts[(teamName(team), band)] = counts.GetValueOrDefault((teamName(team), band)) + n;
        foreach (var h in whole)
        {
            Add(h.TeamId, h.Band, h.Count);
        }

        foreach (var start in split)
        {
            var end = start.AddHours(1);
            var open = await db.Conversations.AsNoTracking()
                .Where(c => c.CreatedAt >= start && c.CreatedAt < end && OpenStatuses.Contains(c.Status)
                            && (teamIds == null || (c.AssignedTeamId != null && teamIds.Contains(c.AssignedTeamId.Value))))
                .Select(c => new { c.AssignedTeamId, c.CreatedAt }).ToListAsync(ct);
            foreach (var c in open)
            {
                Add(c.AssignedTeamId ?? 0, Band((now - c.CreatedAt).TotalDays), 1);
            }
        }

        var labels = counts.Keys.Select(k => k.Team).Distinct().Order(StringComparer.Ordinal).ToList();
        var chart = new ChartModel
        {
            Id = "backlog", Title = "Open conversations by age", Kind = ChartKind.StackedBar, LabelHeading = "Team", ValueHeading = "Conversations",
            Description = $"Conversations not yet resolved at {now:HH:mm} UTC, by how long ago they were opened (calendar days).",
            Labels = labels,
            Series = bands.Select((band, i) => new ChartSeries(band, labels.Select(l => (double?)counts.GetValueOrDefault((l, i))).ToList())).ToList(),
        };
        return (chart, counts.Values.Sum());
    }

    /// <summary>The name an alert gives a topic's dimension; <see cref="MessagesModel"/> reads the same names back.</summary>
    public static string TopicDimension(TopicKind kind) => kind switch
    {
        TopicKind.Place => "Place",
        TopicKind.ListeningSearch => "Listening search",
        _ => "Hashtag",
    };

    /// <summary>Tests the last day of the period against the 28 days before it (see <see cref="EmergingIssues"/>).</summary>
    private static async Task<(IReadOnlyList<EmergingAlert>, int)> EmergingAsync(CivicDeskDb reader, DateOnly day, DashboardScope scope, CancellationToken ct)
    {
        var series = await EmergingSeriesAsync(reader, day, day, scope, ct);
        return DetectOn(day, series);
    }

    /// <summary>
    /// The alerts flagged on each day from <paramref name="from"/> to <paramref name="to"/>, each day tested against its
    /// own previous 28 days by the same rule as the dashboard (the monthly report's "emerging issues of the month"), with
    /// the number of series tested over all days. One read of the daily aggregates covers every day.
    /// </summary>
    public async Task<(IReadOnlyList<(DateOnly Day, EmergingAlert Alert)> Alerts, int Tested)> EmergingAlertsAsync(DateOnly from, DateOnly to, DashboardScope scope, CancellationToken ct)
    {
        var series = await EmergingSeriesAsync(db, from, to, scope, ct);
        var alerts = new List<(DateOnly, EmergingAlert)>();
        var tested = 0;
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            var (found, n) = DetectOn(day, series);
            alerts.AddRange(found.Where(a => a.Flagged).Select(a => (day, a)));
            tested += n;
        }

        return (alerts, tested);
    }

    private sealed record EmergingDaily(string Dimension, string Value, DateOnly Day, int Count);

    /// <summary>
    /// What the test needs for the days <paramref name="from"/> to <paramref name="to"/>: the daily counts, over those
    /// days and the 28 before, of every category and of each topic (place, listening search, hashtag) that reached
    /// the alert minimum on one of the days; and per day, how many topics had any message (they count in the number
    /// tested; see <see cref="EmergingIssues"/>). Topics are many (a street or hashtag a message) and nearly all
    /// below the minimum, so the days' topics are counted and filtered in the database (HAVING) and only the few
    /// candidates' baselines are read, by the topic index.
    /// </summary>
    private static async Task<EmergingSeries> EmergingSeriesAsync(CivicDeskDb reader, DateOnly from, DateOnly to, DashboardScope scope, CancellationToken ct)
    {
        var first = from.AddDays(-BaselineDays);
        var teamIds = scope.TeamIds?.ToList();
        var categories = await reader.DailyMessageCounts.AsNoTracking()
            .Where(r => r.Day >= first && r.Day <= to && r.Direction == MessageDirection.Inbound && !r.Listening && r.Category != ""
                        && (teamIds == null || teamIds.Contains(r.TeamId)))
            .GroupBy(r => new { r.Day, r.Category }).Select(g => new { g.Key.Day, Key = g.Key.Category, Count = g.Sum(r => r.Count) }).ToListAsync(ct);

        var minimum = EmergingIssues.DefaultMinimumCount;
        Dictionary<DateOnly, int> topicsPerDay;
        HashSet<(TopicKind, string)> hot;
        List<TopicDay> topics;
        if (teamIds is null)
        {
            // The organisation's own daily rows: one per day, kind and topic, so the day's topics are its rows and a hot
            // topic is a row at the minimum (no grouping over teams and sentiments, 2.5x fewer rows at 10 M messages).
            var days = reader.DailyOrganisationTopicCounts.AsNoTracking().Where(t => t.Day >= from && t.Day <= to);
            topicsPerDay = (await days.GroupBy(t => t.Day).Select(g => new { g.Key, Series = g.Count() }).ToListAsync(ct)).ToDictionary(d => d.Key, d => d.Series);
            hot = (await days.Where(t => t.Count >= minimum).Select(t => new { t.TopicKind, t.Topic }).Distinct().ToListAsync(ct))
                .Select(h => (h.TopicKind, h.Topic)).ToHashSet();
            var names = hot.Select(h => h.Item2).Distinct().ToList();
            topics = names.Count == 0 ? [] : await ByTopicIndex(reader, reader.DailyOrganisationTopicCounts)
                .Where(t => names.Contains(t.Topic) && t.Day >= first && t.Day <= to)
                .Select(t => new TopicDay(t.Day, t.TopicKind, t.Topic, t.Count)).ToListAsync(ct);
        }
        else
        {
            var days = reader.DailyTopicCounts.AsNoTracking().Where(t => t.Day >= from && t.Day <= to && teamIds.Contains(t.TeamId));
            topicsPerDay = (await days.Select(t => new { t.Day, t.TopicKind, t.Topic }).Distinct().GroupBy(t => t.Day)
                .Select(g => new { g.Key, Series = g.Count() }).ToListAsync(ct)).ToDictionary(d => d.Key, d => d.Series);
            hot = (await days.GroupBy(t => new { t.Day, t.TopicKind, t.Topic }).Where(g => g.Sum(t => t.Count) >= minimum)
                .Select(g => new { g.Key.TopicKind, g.Key.Topic }).Distinct().ToListAsync(ct)).Select(h => (h.TopicKind, h.Topic)).ToHashSet();
            var names = hot.Select(h => h.Item2).Distinct().ToList();
            // Every kind named, as constants of one static array (so the compiled query is cached): with only "Topic IN
            // (the names)" SQLite took the covering index (OrganisationId, TopicKind, Day, …) on OrganisationId alone and
            // walked every topic row the organisation has (310,000 at 1 M messages, 47-74 ms of CPU in the sqlite3 shell);
            // with the kinds it searches one 29-day range of that index per kind (3-5 ms). EXPLAIN QUERY PLAN,
            // bench/README.md session 15.
            topics = names.Count == 0 ? [] : await ByTopicIndex(reader, reader.DailyTopicCounts)
                .Where(t => EF.Constant(EveryTopicKind).Contains(t.TopicKind) && names.Contains(t.Topic) && t.Day >= first && t.Day <= to
                            && teamIds.Contains(t.TeamId))
                .GroupBy(t => new { t.Day, t.TopicKind, t.Topic }).Select(g => new TopicDay(g.Key.Day, g.Key.TopicKind, g.Key.Topic, g.Sum(t => t.Count))).ToListAsync(ct);
        }

        return new EmergingSeries(
            [.. categories.Select(c => new EmergingDaily("Category", c.Key, c.Day, c.Count)),
             .. topics.Where(t => hot.Contains((t.TopicKind, t.Topic))).Select(t => new EmergingDaily(TopicDimension(t.TopicKind), t.Topic, t.Day, t.Count))],
            topicsPerDay);
    }

    /// <summary>
    /// A daily topic table (the team rows or the organisation's) for the hot topics' baselines. SQLite: through its
    /// (organisation, topic, day) index, named. With no statistics on the aggregate tables (what a database has after the
    /// worker fills them: nothing runs ANALYZE on them) the planner weighed three kinds against a few hundred topics and
    /// walked every topic row of the 29 days by the (organisation, kind, day) index instead: 40 ms of CPU at 10 M
    /// messages against 12-14 ms by topic in the sqlite3 shell (346 hot topics, bench/README.md session 17).
    /// PostgreSQL keeps its own statistics and chooses.
    /// </summary>
    private static IQueryable<T> ByTopicIndex<T>(CivicDeskDb reader, DbSet<T> table) where T : class
    {
        if (reader.Provider != DatabaseProvider.Sqlite)
        {
            return table.AsNoTracking();
        }

        var entity = reader.Model.FindEntityType(typeof(T))!;
        var index = entity.GetIndexes()
            .Single(i => i.Properties.Select(p => p.Name).Take(3).SequenceEqual([nameof(DailyTopicCount.OrganisationId), nameof(DailyTopicCount.Topic), nameof(DailyTopicCount.Day)]))
            .GetDatabaseName();
        // A constant statement (the table and index names come from the model, not from input), so EF caches its plan like any other.
        var sql = "SELECT * FROM \"" + entity.GetTableName() + "\" INDEXED BY \"" + index + "\"";
        return table.FromSqlRaw(sql).AsNoTracking();
    }

    private sealed record TopicDay(DateOnly Day, TopicKind TopicKind, string Topic, int Count);

    /// <summary>Daily counts of the series read, and per day the number of topic series with a message (read or not).</summary>
    private sealed record EmergingSeries(List<EmergingDaily> Daily, Dictionary<DateOnly, int> TopicsPerDay);

    private static (IReadOnlyList<EmergingAlert>, int) DetectOn(DateOnly day, EmergingSeries series)
    {
        var first = day.AddDays(-BaselineDays);
        var candidates = new List<EmergingCandidate>();
        foreach (var g in series.Daily.Where(d => d.Day >= first && d.Day <= day).GroupBy(d => (d.Dimension, d.Value)))
        {
            var byDay = g.GroupBy(c => c.Day).ToDictionary(x => x.Key, x => x.Sum(c => c.Count));
            var observed = byDay.GetValueOrDefault(day);
            if (observed == 0)
            {
                continue; // nothing today cannot be a rise; leaving it out also keeps the false-discovery control honest
            }

            var baseline = Enumerable.Range(0, BaselineDays).Select(i => byDay.GetValueOrDefault(first.AddDays(i))).ToList();
            candidates.Add(new EmergingCandidate(g.Key.Dimension, g.Key.Value, baseline, observed));
        }

        // Categories first, then places, listening searches and hashtags, as before (Detect orders by q-value anyway).
        candidates = [.. candidates.Where(c => c.Dimension == "Category"), .. candidates.Where(c => c.Dimension != "Category")];
        // Topics with a message on the day whose counts were not read (under the minimum on every day read); never
        // below zero unless the worker committed between the two reads.
        var topicsRead = candidates.Count(c => c.Dimension != "Category");
        var unread = Math.Max(0, series.TopicsPerDay.GetValueOrDefault(day) - topicsRead);
        return (EmergingIssues.Detect(candidates, belowMinimum: unread), candidates.Count + unread);
    }
}
