using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// The response-time table and backlog of the dashboard come from aggregates (DailyResponseTimes,
/// HourlyOpenConversations): here they are checked against the conversations themselves, computed the direct way —
/// exact quantiles of working hours, counts within each conversation's own target, open conversations banded by age
/// at the view's own "now" — including conversations a few seconds either side of each band's boundary.
/// </summary>
public sealed class DashboardAggregateTests(ManualAggregatesFactory factory) : IClassFixture<ManualAggregatesFactory>
{
    private static readonly ConversationStatus[] Statuses = Enum.GetValues<ConversationStatus>();

    private async Task<TestOrganisation> ArrangeAsync(DateTime now)
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        db.SlaPolicies.AddRange(
            new SlaPolicy { OrganisationId = org.Id, FirstResponseHours = 4, ResolutionHours = 40, UpdatedAt = now },
            new SlaPolicy { OrganisationId = org.Id, TeamId = org.Teams["Highways"], ServiceCode = "pothole", FirstResponseHours = 1, ResolutionHours = 16, UpdatedAt = now });
        var random = new Random(11);
        var teams = org.Teams.Values.Cast<long?>().Append(null).ToArray();
        var ages = new List<TimeSpan>();
        for (var i = 0; i < 300; i++)
        {
            ages.Add(TimeSpan.FromHours(random.NextDouble() * 24 * 12));
        }

        foreach (var boundary in new[] { 1, 3, 7 })
        {
            // Either side of a band boundary by a few seconds: the view's "now" is a little later than this one.
            ages.AddRange(Enumerable.Range(-3, 9).Select(s => TimeSpan.FromDays(boundary) + TimeSpan.FromSeconds(s * 0.7)));
        }

        var n = 0;
        foreach (var age in ages)
        {
            var at = now - age;
            var status = Statuses[random.Next(Statuses.Length)];
            db.Conversations.Add(new Conversation
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"DA-{n++}-{Guid.NewGuid():N}"[..16], CitizenHandle = "c", Subject = "s",
                CreatedAt = at, UpdatedAt = at, LastMessageAt = at, AssignedTeamId = teams[random.Next(teams.Length)], Status = status,
                Category = random.Next(3) == 0 ? "pothole" : "bins", Priority = (Priority)random.Next(4),
                FirstResponseAt = status == ConversationStatus.New ? null : at.AddMinutes(random.Next(0, 60 * 30)),
                ResolvedAt = status is ConversationStatus.Resolved or ConversationStatus.Closed ? at.AddHours(random.Next(1, 24 * 9)) : null,
            });
        }

        await db.SaveChangesAsync();
        await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().DrainAsync(CancellationToken.None);
        return org;
    }

    private async Task<DashboardView> ViewAsync(long org, DashboardScope scope)
    {
        await using var s = factory.ScopeFor(org);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        return await s.ServiceProvider.GetRequiredService<DashboardData>()
            .BuildAsync(new DashboardFilter { From = today.AddDays(-13), To = today }, scope, CancellationToken.None);
    }

    [Fact]
    public async Task ResponseTimesAndBacklog_EqualWhatTheConversationsSay()
    {
        var org = await ArrangeAsync(DateTime.UtcNow);
        var highways = org.Teams["Highways"];
        foreach (var scope in new[] { DashboardScope.Everything, new DashboardScope(new HashSet<long> { highways }) })
        {
            var view = await ViewAsync(org.Id, scope);
            await using var s = factory.ScopeFor(org.Id);
            var db = s.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var calendar = await s.ServiceProvider.GetRequiredService<SlaClock>().CalendarAsync(CancellationToken.None);
            var policies = await db.SlaPolicies.ToListAsync();
            var teamNames = await db.Teams.ToDictionaryAsync(t => t.Id, t => t.Name);
            string Name(long? team) => team is { } t ? teamNames[t] : "No team";
            var (start, _) = AggregateTime.DayRange(view.From, calendar.Zone);
            var (_, end) = AggregateTime.DayRange(view.To, calendar.Zone);
            var all = await db.Conversations.Where(c => scope.TeamIds == null || (c.AssignedTeamId != null && scope.TeamIds.Contains(c.AssignedTeamId.Value))).ToListAsync();

            // Response times, the direct way.
            var expected = all.Where(c => c.CreatedAt >= start && c.CreatedAt < end).GroupBy(c => Name(c.AssignedTeamId)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            {
                var first = g.Where(c => c.FirstResponseAt is not null).Select(c => (c, h: calendar.BusinessTimeBetween(c.CreatedAt, c.FirstResponseAt!.Value).TotalHours)).ToList();
                var done = g.Where(c => c.ResolvedAt is not null).Select(c => (c, h: calendar.BusinessTimeBetween(c.CreatedAt, c.ResolvedAt!.Value).TotalHours)).ToList();
                SlaPolicy Target(Conversation c) => SlaPolicy.Choose(policies, c.AssignedTeamId, c.Category, c.Priority)!;
                return (Team: g.Key, Opened: g.Count(), First: first.Select(x => x.h).ToList(), Done: done.Select(x => x.h).ToList(),
                    FirstShare: first.Count(x => x.h <= Target(x.c).FirstResponseHours) / (double)first.Count,
                    DoneShare: done.Count == 0 ? (double?)null : done.Count(x => x.h <= Target(x.c).ResolutionHours) / (double)done.Count);
            }).ToList();

            view.ResponseTimes.Select(r => r.Team).ShouldBe(expected.Select(e => e.Team));
            foreach (var (row, e) in view.ResponseTimes.Zip(expected))
            {
                row.Conversations.ShouldBe(e.Opened);
                row.Answered.ShouldBe(e.First.Count);
                row.Resolved.ShouldBe(e.Done.Count);
                row.ShareAnsweredWithinTarget!.Value.ShouldBe(e.FirstShare, 1e-12);
                row.ShareResolvedWithinTarget.ShouldBe(e.DoneShare);
                Close(row.MedianFirstResponseHours, Describe.Quantile(e.First, 0.5));
                Close(row.P90FirstResponseHours, Describe.Quantile(e.First, 0.9));
                Close(row.MedianResolutionHours, Describe.Quantile(e.Done, 0.5));
                Close(row.P90ResolutionHours, Describe.Quantile(e.Done, 0.9));
            }

            // Backlog, the direct way, at the moment the view says it was made.
            static int Band(double days) => days < 1 ? 0 : days < 3 ? 1 : days < 7 ? 2 : 3;
            var open = all.Where(c => c.Status is ConversationStatus.New or ConversationStatus.Open or ConversationStatus.WaitingOnCitizen).ToList();
            var bands = open.GroupBy(c => (Name(c.AssignedTeamId), Band((view.GeneratedAt - c.CreatedAt).TotalDays))).ToDictionary(g => g.Key, g => g.Count());
            view.BacklogTotal.ShouldBe(open.Count);
            view.Backlog.Labels.ShouldBe(open.Select(c => Name(c.AssignedTeamId)).Distinct().Order(StringComparer.Ordinal));
            for (var b = 0; b < 4; b++)
            {
                view.Backlog.Series[b].Values.ShouldBe(view.Backlog.Labels.Select(l => (double?)bands.GetValueOrDefault((l, b))).ToList(), $"band {view.Backlog.Series[b].Name}");
            }
        }
    }

    [Fact]
    public async Task ChangedTargets_AreSaidToBeRecomputing_UntilTheWorkerHasRemeasured()
    {
        var org = await ArrangeAsync(DateTime.UtcNow);
        var before = await ViewAsync(org.Id, DashboardScope.Everything);
        before.ResponseBasis.ShouldNotContain("being recomputed");

        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var general = await db.SlaPolicies.SingleAsync(p => p.TeamId == null);
            general.FirstResponseHours = 0.25; // much stricter: fewer answered within target
            await db.SaveChangesAsync();
        }

        var stale = await ViewAsync(org.Id, DashboardScope.Everything);
        stale.ResponseBasis.ShouldContain("being recomputed");

        await using (var scope = factory.ScopeFor(null))
        {
            var maintainer = scope.ServiceProvider.GetRequiredService<AggregateMaintainer>();
            while (await maintainer.RefreshStaleResponseTimesAsync(CancellationToken.None) > 0)
            {
            }
        }

        var after = await ViewAsync(org.Id, DashboardScope.Everything);
        after.ResponseBasis.ShouldNotContain("being recomputed");
        var team = after.ResponseTimes.Single(r => r.Team == "Customer Services");
        team.ShareAnsweredWithinTarget!.Value.ShouldBeLessThan(before.ResponseTimes.Single(r => r.Team == "Customer Services").ShareAnsweredWithinTarget!.Value);
    }

    [Fact]
    public async Task LongPeriods_ReadWholeWeeksFromWeeklyRows_AndPartWeeksFromDays_WithTheSameCounts()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var random = new Random(5);
            var conversation = new Conversation
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"WK-{Guid.NewGuid():N}"[..14], CitizenHandle = "c", Subject = "s",
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow, LastMessageAt = DateTime.UtcNow, AssignedTeamId = org.Teams["Waste"],
            };
            db.Conversations.Add(conversation);
            await db.SaveChangesAsync();
            for (var i = 0; i < 400; i++)
            {
                var at = DateTime.UtcNow.Date.AddDays(-random.Next(0, 140)).AddMinutes(random.Next(0, 24 * 60));
                db.Messages.Add(new Message
                {
                    OrganisationId = org.Id, ChannelId = random.Next(2) == 0 ? org.WebFormChannelId : org.ApiChannelId, ConversationId = conversation.Id,
                    ExternalId = $"wk{i}-{Guid.NewGuid():N}", AuthorHandle = "c", Text = "t", CreatedAt = at, ReceivedAt = at,
                    Category = random.Next(2) == 0 ? "bins" : "roads", Sentiment = random.Next(2) == 0 ? "negative" : "neutral",
                });
            }

            await db.SaveChangesAsync();
            await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().DrainAsync(CancellationToken.None);
        }

        await using var s = factory.ScopeFor(org.Id);
        var data = s.ServiceProvider.GetRequiredService<DashboardData>();
        var zone = (await s.ServiceProvider.GetRequiredService<SlaClock>().CalendarAsync(CancellationToken.None)).Zone;
        var daily = await s.ServiceProvider.GetRequiredService<CivicDeskDb>().DailyMessageCounts.ToListAsync();
        // Ends on every day of the week, so periods start and end mid-week, on a Monday and on a Sunday.
        for (var shift = 0; shift < 7; shift++)
        {
            var (from, to) = (today.AddDays(-130 + shift), today.AddDays(-shift));
            DashboardFilter.GrainFor(from, to).ShouldBe(Grain.Week);
            string Key(DateTime bucket, long channel, string category, string sentiment) => $"{bucket:yyyy-MM-dd}|{channel}|{category}|{sentiment}";
            var expected = daily.Where(r => r.Day >= from && r.Day <= to)
                .GroupBy(r => Key(DashboardData.BucketOf(r.Day, Grain.Week), r.ChannelId, r.Category, r.Sentiment)).Select(g => $"{g.Key}={g.Sum(r => r.Count)}").Order(StringComparer.Ordinal).ToList();
            var actual = (await data.CountsAsync(from, to, Grain.Week, zone, DashboardScope.Everything, CancellationToken.None))
                .GroupBy(r => Key(r.Bucket, r.ChannelId, r.Category, r.Sentiment)).Select(g => $"{g.Key}={g.Sum(r => r.Count)}").Order(StringComparer.Ordinal).ToList();
            actual.ShouldBe(expected, $"{from} to {to}");
            expected.ShouldNotBeEmpty();

            // The view reads the series and the breakdowns separately, each summed in the database: same numbers.
            var view = await data.BuildAsync(new DashboardFilter { From = from, To = to }, DashboardScope.Everything, CancellationToken.None);
            var inPeriod = daily.Where(r => r.Day >= from && r.Day <= to && r.Direction == MessageDirection.Inbound && !r.Listening).ToList();
            var total = view.VolumeCharts.Single(c => c.Id == "contact-total");
            total.Series[0].Values.ShouldBe(DashboardData.Buckets(from, to, Grain.Week, zone)
                .Select(b => (double?)inPeriod.Where(r => DashboardData.BucketOf(r.Day, Grain.Week) == b).Sum(r => r.Count)).ToList());
            var category = view.VolumeCharts.Single(c => c.Id == "contact-category");
            category.Labels.Select((label, i) => $"{label}={category.Series[0].Values[i]}").Order(StringComparer.Ordinal)
                .ShouldBe(inPeriod.GroupBy(r => r.Category).Select(g => $"{g.Key}={g.Sum(r => r.Count)}").Order(StringComparer.Ordinal));
            var previous = daily.Where(r => r.Day >= view.PreviousFrom && r.Day <= view.PreviousTo && r.Direction == MessageDirection.Inbound).Sum(r => r.Count);
            total.Series[1].Values.Sum().ShouldBe(previous);
            // The breakdowns take the period's whole calendar months from the monthly rows, for a team's view too (all
            // the messages are the Waste team's; none are Highways').
            (await data.CountsAsync(from, to, Grain.Week, zone, DashboardScope.Everything, CancellationToken.None, DashboardData.CountShape.Totals))
                .GroupBy(r => $"{r.Category}|{r.Sentiment}").Select(g => $"{g.Key}={g.Sum(r => r.Count)}").Order(StringComparer.Ordinal)
                .ShouldBe(daily.Where(r => r.Day >= from && r.Day <= to).GroupBy(r => $"{r.Category}|{r.Sentiment}").Select(g => $"{g.Key}={g.Sum(r => r.Count)}").Order(StringComparer.Ordinal));
            // And at a daily grain (25 days, so the ends fall on every day of the week): whole weeks from the weekly rows.
            var monthAgo = to.AddDays(-24);
            DashboardFilter.GrainFor(monthAgo, to).ShouldBe(Grain.Day);
            (await data.CountsAsync(monthAgo, to, Grain.Day, zone, DashboardScope.Everything, CancellationToken.None, DashboardData.CountShape.Totals))
                .GroupBy(r => $"{r.TeamId}|{r.Category}|{r.Sentiment}").Select(g => $"{g.Key}={g.Sum(r => r.Count)}").Order(StringComparer.Ordinal)
                .ShouldBe(daily.Where(r => r.Day >= monthAgo && r.Day <= to).GroupBy(r => $"{r.TeamId}|{r.Category}|{r.Sentiment}").Select(g => $"{g.Key}={g.Sum(r => r.Count)}").Order(StringComparer.Ordinal));
            var waste = await data.BuildAsync(new DashboardFilter { From = from, To = to }, new DashboardScope(new HashSet<long> { org.Teams["Waste"] }), CancellationToken.None);
            var wasteCategory = waste.VolumeCharts.Single(c => c.Id == "contact-category");
            wasteCategory.Labels.Select((label, i) => $"{label}={wasteCategory.Series[0].Values[i]}").Order(StringComparer.Ordinal)
                .ShouldBe(category.Labels.Select((label, i) => $"{label}={category.Series[0].Values[i]}").Order(StringComparer.Ordinal));
            (await data.BuildAsync(new DashboardFilter { From = from, To = to }, new DashboardScope(new HashSet<long> { org.Teams["Highways"] }), CancellationToken.None))
                .VolumeCharts.Single(c => c.Id == "contact-category").Labels.ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task EmergingIssues_ReadOnlyTopicsAtTheMinimum_AndAlertAsTestingEveryTopicWould()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var (highways, waste) = (org.Teams["Highways"], org.Teams["Waste"]);
        var rows = new List<DailyTopicCount>();
        var random = new Random(23);
        for (var d = -60; d <= 0; d++)
        {
            var day = today.AddDays(d);
            // Many streets with a message or two (never reaching the minimum), some with a steady baseline, some that
            // jump today and four days ago (inside the report range below); a hashtag whose jump is split across two teams (4 + 3: only the organisation alerts).
            for (var i = 0; i < 120; i++)
            {
                if (random.Next(4) == 0)
                {
                    rows.Add(Topic(day, TopicKind.Place, $"Quiet Street {i}", random.Next(2) == 0 ? highways : waste, random.Next(1, 3)));
                }
            }

            for (var i = 0; i < 8; i++)
            {
                var jump = (d == 0 || d == -4) && i % 2 == 0 ? 12 + (3 * i) : 0;
                rows.Add(Topic(day, TopicKind.Place, $"Busy Road {i}", highways, 2 + random.Next(4) + jump));
            }

            rows.Add(Topic(day, TopicKind.Hashtag, "flooding", highways, d == 0 ? 4 : random.Next(2)));
            rows.Add(Topic(day, TopicKind.Hashtag, "flooding", waste, d == 0 ? 3 : random.Next(2)));
        }

        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            db.DailyTopicCounts.AddRange(rows.Where(r => r.Count > 0));
            AddOrganisationRollups(db, rows.Where(r => r.Count > 0));
            await db.SaveChangesAsync();
        }

        // The rule applied to every series with a message on the day, from all the rows (the brute force).
        static List<EmergingAlert> Expected(List<DailyTopicCount> rows, DateOnly day, Func<long, bool> inScope)
        {
            var first = day.AddDays(-DashboardData.BaselineDays);
            var candidates = rows.Where(r => r.Count > 0 && inScope(r.TeamId) && r.Day >= first && r.Day <= day).GroupBy(r => (r.TopicKind, r.Topic))
                .Select(g => new EmergingCandidate(DashboardData.TopicDimension(g.Key.TopicKind), g.Key.Topic,
                    Enumerable.Range(0, DashboardData.BaselineDays).Select(i => g.Where(r => r.Day == first.AddDays(i)).Sum(r => r.Count)).ToList(),
                    g.Where(r => r.Day == day).Sum(r => r.Count)))
                .Where(c => c.Observed > 0).ToList();
            return [.. EmergingIssues.Detect(candidates)];
        }

        await using var s = factory.ScopeFor(org.Id);
        var data = s.ServiceProvider.GetRequiredService<DashboardData>();
        foreach (var (scope, inScope) in new (DashboardScope, Func<long, bool>)[]
                 { (DashboardScope.Everything, _ => true), (new DashboardScope(new HashSet<long> { waste }), t => t == waste) })
        {
            var view = await data.BuildAsync(new DashboardFilter { From = today.AddDays(-27), To = today }, scope, CancellationToken.None);
            var expected = Expected(rows, today, inScope);
            view.AlertsTested.ShouldBe(expected.Count);
            string Line(EmergingAlert a) => $"{a.Dimension}|{a.Value}|{a.Observed}|{a.Expected:F6}|{a.QValue:F9}";
            view.Alerts.Where(a => a.Flagged).Select(Line).Order(StringComparer.Ordinal)
                .ShouldBe(expected.Where(a => a.Flagged).Select(Line).Order(StringComparer.Ordinal));

            // The monthly report's alerts of each day of a range, each against its own 28 days.
            var (alerts, tested) = await data.EmergingAlertsAsync(today.AddDays(-6), today, scope, CancellationToken.None);
            var days = Enumerable.Range(0, 7).Select(i => today.AddDays(-6 + i)).ToList();
            tested.ShouldBe(days.Sum(d => Expected(rows, d, inScope).Count));
            alerts.Select(a => $"{a.Day}|{Line(a.Alert)}").Order(StringComparer.Ordinal)
                .ShouldBe(days.SelectMany(d => Expected(rows, d, inScope).Where(a => a.Flagged).Select(a => $"{d}|{Line(a)}")).Order(StringComparer.Ordinal));
        }

        var organisation = await data.BuildAsync(new DashboardFilter { From = today.AddDays(-27), To = today }, DashboardScope.Everything, CancellationToken.None);
        organisation.Alerts.Where(a => a.Flagged).Select(a => a.Value).ShouldContain("Busy Road 0");
        organisation.Alerts.Where(a => a.Flagged).Select(a => a.Value).ShouldContain("flooding");
        organisation.AlertsTested.ShouldBeGreaterThan(organisation.Alerts.Count); // quiet streets counted, not read

        DailyTopicCount Topic(DateOnly day, TopicKind kind, string topic, long team, int count) =>
            new() { OrganisationId = org.Id, Day = day, TopicKind = kind, Topic = topic, TeamId = team, Sentiment = "negative", Count = count };
    }

    private static DateOnly Monday(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>
    /// The organisation's day, week and month rows as the maintainer keeps them (AggregateEquivalenceTests checks that):
    /// the team rows summed over teams, sentiments as columns.
    /// </summary>
    private static void AddOrganisationRollups(CivicDeskDb db, IEnumerable<DailyTopicCount> rows)
    {
        var list = rows.ToList();
        db.DailyOrganisationTopicCounts.AddRange(list.GroupBy(r => (r.Day, r.OrganisationId, r.TopicKind, r.Topic))
            .Select(g => Fill(new DailyOrganisationTopicCount { Day = g.Key.Day, Topic = g.Key.Topic }, g)));
        db.WeeklyOrganisationTopicCounts.AddRange(list.GroupBy(r => (Week: Monday(r.Day), r.OrganisationId, r.TopicKind, r.Topic))
            .Select(g => Fill(new WeeklyOrganisationTopicCount { WeekStart = g.Key.Week, Topic = g.Key.Topic }, g)));
        db.MonthlyOrganisationTopicCounts.AddRange(list.GroupBy(r => (Month: new DateOnly(r.Day.Year, r.Day.Month, 1), r.OrganisationId, r.TopicKind, r.Topic))
            .Select(g => Fill(new MonthlyOrganisationTopicCount { MonthStart = g.Key.Month, Topic = g.Key.Topic }, g)));

        static T Fill<T>(T row, IEnumerable<DailyTopicCount> group) where T : OrganisationTopicTotals
        {
            var rows = group.ToList();
            (row.OrganisationId, row.TopicKind, row.Count) = (rows[0].OrganisationId, rows[0].TopicKind, rows.Sum(r => r.Count));
            row.Negative = rows.Where(r => r.Sentiment == "negative").Sum(r => r.Count);
            row.Neutral = rows.Where(r => r.Sentiment == "neutral").Sum(r => r.Count);
            row.Positive = rows.Where(r => r.Sentiment == "positive").Sum(r => r.Count);
            row.Unclassified = rows.Where(r => r.Sentiment == "").Sum(r => r.Count);
            return row;
        }
    }

    [Fact]
    public async Task TopicCharts_RankedInTheDatabase_EqualTheTop12OfEveryTopicRow()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var (highways, waste) = (org.Teams["Highways"], org.Teams["Waste"]);
        var random = new Random(29);
        string[] sentiments = ["negative", "neutral", "positive", ""];
        // A label the charts do not show still counts in the ranking.
        string[] labels = [.. sentiments, "mixed"];
        var rows = new Dictionary<(DateOnly, TopicKind, string, long, string), DailyTopicCount>();
        for (var i = 0; i < 6000; i++)
        {
            // 40 places with totals close together (ties near the 12th are likely), 15 hashtags, 3 searches; some rows
            // outside the period.
            var kind = (TopicKind)random.Next(3);
            var topic = kind switch { TopicKind.Place => $"Street {random.Next(40)}", TopicKind.Hashtag => $"tag{random.Next(15)}", _ => $"search {random.Next(3)}" };
            var key = (today.AddDays(-random.Next(0, 120)), kind, topic, random.Next(2) == 0 ? highways : waste, labels[random.Next(5)]);
            var row = rows.GetValueOrDefault(key) ?? (rows[key] = new DailyTopicCount
            {
                OrganisationId = org.Id, Day = key.Item1, TopicKind = kind, Topic = topic, TeamId = key.Item4, Sentiment = key.Item5, Count = 0,
            });
            row.Count += 1;
        }

        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            db.DailyTopicCounts.AddRange(rows.Values);
            // The weekly rollup as the maintainer keeps it (AggregateEquivalenceTests checks that): the days' sums.
            db.WeeklyTopicCounts.AddRange(rows.Values.GroupBy(r => (Week: Monday(r.Day), r.TopicKind, r.Topic, r.TeamId, r.Sentiment)).Select(g => new WeeklyTopicCount
            {
                OrganisationId = org.Id, WeekStart = g.Key.Week, TopicKind = g.Key.TopicKind, Topic = g.Key.Topic, TeamId = g.Key.TeamId, Sentiment = g.Key.Sentiment,
                Count = g.Sum(r => r.Count),
            }));
            AddOrganisationRollups(db, rows.Values);
            await db.SaveChangesAsync();
        }

        await using var s = factory.ScopeFor(org.Id);
        var data = s.ServiceProvider.GetRequiredService<DashboardData>();
        // 28, 100 and 365 days ending on every day of the week: whole weeks from the weekly rows, the edges from the
        // days; for the organisation, whole months from the monthly rows (periods ending on a month's last day too).
        var monthEnd = new DateOnly(today.Year, today.Month, 1).AddDays(-1);
        var periods = Enumerable.Range(0, 7).SelectMany(shift => new[]
            {
                (today.AddDays(-27 - shift), today.AddDays(-shift)), (today.AddDays(-99 - shift), today.AddDays(-shift)), (today.AddDays(-364 - shift), today.AddDays(-shift)),
            })
            .Append((monthEnd.AddDays(-99), monthEnd)).Append((new DateOnly(monthEnd.Year, monthEnd.Month, 1).AddMonths(-2), monthEnd));
        foreach (var ((from, to), (scope, inScope)) in periods.SelectMany(p => new (DashboardScope, Func<long, bool>)[]
                     { (DashboardScope.Everything, _ => true), (new DashboardScope(new HashSet<long> { waste }), t => t == waste) }.Select(sc => (p, sc))))
        {
            var view = await data.BuildAsync(new DashboardFilter { From = from, To = to }, scope, CancellationToken.None);
            foreach (var (chart, kind, prefix) in new[] { ("sentiment-place", TopicKind.Place, ""), ("sentiment-hashtag", TopicKind.Hashtag, "#"), ("sentiment-search", TopicKind.ListeningSearch, "") })
            {
                var inPeriod = rows.Values.Where(r => r.TopicKind == kind && r.Day >= from && r.Day <= to && inScope(r.TeamId)).ToList();
                var expected = inPeriod.GroupBy(r => r.Topic).OrderByDescending(g => g.Sum(r => r.Count)).ThenBy(g => g.Key, StringComparer.Ordinal)
                    .Take(DashboardData.TopTopics)
                    .SelectMany(g => sentiments.Select(sentiment => $"{prefix}{g.Key}|{sentiment}={g.Where(r => r.Sentiment == sentiment).Sum(r => r.Count)}")).ToList();
                var actual = view.SentimentCharts.Single(c => c.Id == chart);
                actual.Labels.SelectMany((label, i) => sentiments.Select((sentiment, j) => $"{label}|{sentiment}={actual.Series[j].Values[i]}")).ToList()
                    .ShouldBe(expected, $"{chart}, {from} to {to}");
            }
        }
    }

    private static void Close(double? actual, double? exact)
    {
        if (exact is null)
        {
            actual.ShouldBeNull();
            return;
        }

        actual.ShouldNotBeNull();
        Math.Abs(actual.Value - exact.Value).ShouldBeLessThanOrEqualTo((DurationSketch.RelativeAccuracy * exact.Value) + (1.0 / 3600) + 1e-12, $"exact {exact}, from the aggregate {actual}");
    }
}
