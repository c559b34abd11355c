using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using CsCheck;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>The app with the aggregate worker off: the test decides when dirty hours are folded in.</summary>
public sealed class ManualAggregatesFactory : CivicDeskFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Dashboards:AggregateWorker", "false")];
}

/// <summary>
/// Property: after any history of inserts, edits (labels and times), tombstones, hard deletes, merges (messages moved to
/// another conversation), team reassignments and conversations answered, resolved, reopened and re-prioritised, with
/// maintenance runs at random points in between (some with a message stored between a batch's read and its write,
/// some claimed and never finished, as a crash would leave them), the aggregate tables equal a brute-force grouping of the messages
/// and conversations as they are now. The brute force is written here again,
/// independently of AggregateFacts. Times straddle the UK's spring clock change, so a local day of 23 hours is covered.
/// </summary>
public sealed partial class AggregateEquivalenceTests(ManualAggregatesFactory factory) : IClassFixture<ManualAggregatesFactory>
{
    private static readonly DateTime Start = new(2026, 3, 27, 0, 0, 0, DateTimeKind.Utc); // clocks go forward 29 March 01:00 UTC
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly string?[] Kinds = [null, "complaint", "request", "question"];
    private static readonly string?[] Categories = [null, "waste", "roads", "parking"];
    private static readonly string?[] Sentiments = [null, "negative", "neutral", "positive"];
    private static readonly string?[] Places = [null, null, "High Street", "Mill Lane"];
    private static readonly string?[] Searches = [null, null, null, "flooding"];
    // Hashtags in mixed case, repeated, glued to words or links (not tags) and numeric (not tags).
    private static readonly string[] Texts = ["text", "Bins not collected #Bins #bins", "#Flooding on Mill Lane #roads", "see page.html#top and a#b", "#123 only", "Gritters out #Snow2026 #snow2026 #SNOW"];

    public enum Op { Insert, Insert2, Edit, Retime, Tombstone, HardDelete, Merge, Reassign, Maintain, Answer, Resolve, Reopen, Reprioritise, MaintainInterleaved, Interrupt }

    private static readonly string?[] Services = [null, "roads", "waste"];

    public sealed record Step(Op Op, int A, int B, int Hour, int Minute);

    private static readonly Gen<Step> StepGen = Gen.Select(Gen.Enum<Op>(), Gen.Int[0, 999], Gen.Int[0, 999], Gen.Int[0, 24 * 5], Gen.Int[0, 59])
        .Select((op, a, b, h, m) => new Step(op, a, b, h, m));

    [Fact]
    public async Task Aggregates_EqualBruteForce_AfterAnyHistory()
    {
        await StepGen.Array[1, 50].SampleAsync(async steps => await RunHistoryAsync(steps), iter: 25, threads: 1,
            print: steps => string.Join("; ", steps.Select(s => $"{s.Op} {s.A} {s.B} +{s.Hour}h{s.Minute}m")));
    }

    [Fact]
    public async Task Rebuild_EqualsBruteForce_AndClearsTheDirtyLog()
    {
        var org = await NewOrganisationAsync();
        var steps = Enumerable.Range(0, 40).Select(i => new Step(i % 7 == 6 ? Op.Merge : Op.Insert, i * 37 % 1000, i * 91 % 1000, i * 3 % 120, i * 13 % 60)).ToArray();
        await ApplyAsync(org, steps);
        await using var scope = factory.ScopeFor(null);
        var days = await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().RebuildAsync(org.Id, null, CancellationToken.None);

        days.ShouldBeGreaterThan(1);
        (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().AggregateDirtyHours.CountAsync(d => d.OrganisationId == org.Id)).ShouldBe(0);
        await AssertEquivalentAsync(org.Id);
    }

    [Fact]
    public async Task Synthetic_seed_logs_every_hour_it_writes_so_catching_up_equals_brute_force()
    {
        // The seed writes the dirty log itself on SQLite (its bulk load drops the triggers): a missed hour would leave
        // that hour's aggregates empty after the catch-up.
        await factory.Services.GetRequiredService<CivicDesk.Web.Features.Demo.SyntheticSeeder>()
            .SeedAsync(new CivicDesk.Web.Features.Demo.SyntheticOptions(800, Seed: 11), null, default);
        await using var scope = factory.ScopeFor(null);
        var org = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Organisations
            .Where(o => o.Slug.StartsWith("synthetic-")).OrderByDescending(o => o.Id).Select(o => o.Id).FirstAsync();
        await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().DrainAsync(CancellationToken.None);

        await AssertEquivalentAsync(org);
    }

    private async Task RunHistoryAsync(Step[] steps)
    {
        var org = await NewOrganisationAsync();
        await ApplyAsync(org, steps);
        await using (var scope = factory.ScopeFor(null))
        {
            await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().DrainAsync(CancellationToken.None, batchSize: 7);
        }

        await AssertEquivalentAsync(org.Id);
    }

    private sealed record Org(long Id, long[] Teams, long[] Channels);

    private async Task<Org> NewOrganisationAsync()
    {
        await using var scope = factory.ScopeFor(null);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var slug = "agg-" + Guid.NewGuid().ToString("N")[..10];
        var organisation = new Organisation { Slug = slug, Name = slug, CreatedAt = Start, TimeZoneId = "Europe/London" };
        db.Organisations.Add(organisation);
        await db.SaveChangesAsync();
        var teams = Enumerable.Range(0, 3).Select(i => new Team { OrganisationId = organisation.Id, Name = $"Team {i}", Slug = $"team-{i}", IsDefault = i == 0, CreatedAt = Start }).ToList();
        var channels = Enumerable.Range(0, 2).Select(i => new Channel { OrganisationId = organisation.Id, Kind = i == 0 ? ChannelKind.WebForm : ChannelKind.Api, Name = $"Channel {i}", CreatedAt = Start }).ToList();
        db.Teams.AddRange(teams);
        db.Channels.AddRange(channels);
        await db.SaveChangesAsync();
        // Targets: a default, one for a team, one for a service at high priority (each conversation meets its own).
        db.SlaPolicies.AddRange(
            new SlaPolicy { OrganisationId = organisation.Id, FirstResponseHours = 2, ResolutionHours = 16, UpdatedAt = Start },
            new SlaPolicy { OrganisationId = organisation.Id, TeamId = teams[1].Id, FirstResponseHours = 0.5, ResolutionHours = 8, UpdatedAt = Start },
            new SlaPolicy { OrganisationId = organisation.Id, ServiceCode = "roads", Priority = Priority.High, FirstResponseHours = 1, ResolutionHours = 4, UpdatedAt = Start });
        await db.SaveChangesAsync();
        return new Org(organisation.Id, teams.Select(t => t.Id).ToArray(), channels.Select(c => c.Id).ToArray());
    }

    private async Task ApplyAsync(Org org, Step[] steps)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var maintainer = scope.ServiceProvider.GetRequiredService<AggregateMaintainer>();
        var n = 0;
        foreach (var s in steps)
        {
            var at = Start.AddHours(s.Hour).AddMinutes(s.Minute);
            var messages = await db.Messages.IgnoreQueryFilters().Where(m => m.OrganisationId == org.Id).OrderBy(m => m.Id).ToListAsync();
            var conversations = await db.Conversations.Where(c => c.OrganisationId == org.Id).OrderBy(c => c.Id).ToListAsync();
            switch (s.Op)
            {
                case Op.Insert or Op.Insert2:
                    var conversation = conversations.Count == 0 || s.A % 4 == 0 ? null : conversations[s.A % conversations.Count];
                    if (conversation is null)
                    {
                        conversation = new Conversation
                        {
                            OrganisationId = org.Id, ChannelId = org.Channels[s.B % 2], Reference = "AG-" + Guid.NewGuid().ToString("N")[..10],
                            CitizenHandle = "citizen", Subject = "subject", CreatedAt = at, UpdatedAt = at, LastMessageAt = at,
                            AssignedTeamId = s.B % 4 == 3 ? null : org.Teams[s.B % 3], Category = Services[s.A % 3], Priority = (Priority)(s.B % 4),
                        };
                        db.Conversations.Add(conversation);
                        await db.SaveChangesAsync();
                    }

                    var outbound = s.B % 3 == 0;
                    db.Messages.Add(new Message
                    {
                        OrganisationId = org.Id, ChannelId = conversation.ChannelId, ConversationId = conversation.Id,
                        Direction = outbound ? MessageDirection.Outbound : MessageDirection.Inbound,
                        ExternalId = $"m{n++}-{Guid.NewGuid():N}", AuthorHandle = "a", Text = Texts[(s.A + 3 * s.B) % Texts.Length], CreatedAt = at, ReceivedAt = at,
                        Kind = Kinds[s.A % 4], Category = Categories[s.B % 4], Sentiment = Sentiments[(s.A + s.B) % 4],
                        Place = Places[s.A / 7 % 4], MatchedSearch = outbound ? null : Searches[s.B / 5 % 4],
                        SentByStaffId = outbound ? (s.A % 2 == 0 ? "staff-a" : "staff-b") : null,
                    });
                    await db.SaveChangesAsync();
                    break;
                case Op.Edit when messages.Count > 0:
                    var edited = messages[s.A % messages.Count];
                    edited.Category = Categories[s.B % 4];
                    edited.Sentiment = Sentiments[s.B / 4 % 4];
                    edited.Place = Places[s.B / 16 % 4];
                    edited.Text = Texts[s.A / 3 % Texts.Length];
                    edited.EditedAt = at;
                    await db.SaveChangesAsync();
                    break;
                case Op.Retime when messages.Count > 0:
                    var moved = messages[s.A % messages.Count];
                    moved.CreatedAt = at;
                    await db.SaveChangesAsync();
                    break;
                case Op.Tombstone when messages.Count > 0:
                    messages[s.A % messages.Count].DeletedAt = at;
                    await db.SaveChangesAsync();
                    break;
                case Op.HardDelete when messages.Count > 0:
                    var gone = messages[s.A % messages.Count].Id;
                    await db.Messages.IgnoreQueryFilters().Where(m => m.Id == gone).ExecuteDeleteAsync();
                    break;
                case Op.Merge when conversations.Count > 1:
                    // Merge: every message of one conversation joins another (bulk update, as a merge command would).
                    var from = conversations[s.A % conversations.Count].Id;
                    var into = conversations[s.B % conversations.Count].Id;
                    await db.Messages.IgnoreQueryFilters().Where(m => m.ConversationId == from).ExecuteUpdateAsync(u => u.SetProperty(m => m.ConversationId, into));
                    break;
                case Op.Reassign when conversations.Count > 0:
                    conversations[s.A % conversations.Count].AssignedTeamId = s.B % 4 == 3 ? null : org.Teams[s.B % 3];
                    await db.SaveChangesAsync();
                    break;
                case Op.Maintain:
                    await maintainer.DrainAsync(CancellationToken.None, batchSize: 1 + s.A % 5);
                    break;
                case Op.MaintainInterleaved:
                    // One batch, with a message stored in one of its claimed hours after it read them and before it wrote.
                    maintainer.AfterRead = async () =>
                    {
                        await using var writer = factory.ScopeFor(org.Id);
                        var other = writer.ServiceProvider.GetRequiredService<CivicDeskDb>();
                        var hour = await other.AggregateDirtyHours.Where(d => d.OrganisationId == org.Id && d.ClaimedAt != null)
                            .OrderBy(d => d.Id).Select(d => (DateTime?)d.HourStart).FirstOrDefaultAsync();
                        var into = await other.Conversations.Where(c => c.OrganisationId == org.Id).OrderBy(c => c.Id).Select(c => new { c.Id, c.ChannelId }).FirstOrDefaultAsync();
                        if (hour is null || into is null)
                        {
                            return;
                        }

                        var when = DateTime.SpecifyKind(hour.Value, DateTimeKind.Utc).AddMinutes(s.Minute);
                        other.Messages.Add(new Message
                        {
                            OrganisationId = org.Id, ChannelId = into.ChannelId, ConversationId = into.Id, ExternalId = $"i{n++}-{Guid.NewGuid():N}", AuthorHandle = "a",
                            Text = Texts[s.B % Texts.Length], CreatedAt = when, ReceivedAt = when, Kind = Kinds[s.B % 4], Category = Categories[s.A % 4],
                            Sentiment = Sentiments[s.B / 4 % 4], Place = Places[s.B / 7 % 4],
                        });
                        await other.SaveChangesAsync();
                    };
                    try
                    {
                        await maintainer.ProcessBatchAsync(1 + s.A % 5, CancellationToken.None);
                    }
                    finally
                    {
                        maintainer.AfterRead = null;
                    }

                    break;
                case Op.Interrupt:
                    // A batch that claimed its marks and never wrote (a crash between its steps): the marks stay, claimed.
                    var taken = await db.AggregateDirtyHours.Where(d => d.OrganisationId == org.Id).OrderBy(d => d.Id).Take(1 + s.A % 3).Select(d => d.Id).ToListAsync();
                    await db.AggregateDirtyHours.Where(d => taken.Contains(d.Id)).ExecuteUpdateAsync(u => u.SetProperty(d => d.ClaimedAt, at));
                    break;
                case Op.Answer when conversations.Count > 0:
                    // Any time, before the conversation was opened too (clock skew between networks happens).
                    var answered = conversations[s.A % conversations.Count];
                    answered.FirstResponseAt = at;
                    answered.Status = answered.Status == ConversationStatus.New ? ConversationStatus.Open : answered.Status;
                    await db.SaveChangesAsync();
                    break;
                case Op.Resolve when conversations.Count > 0:
                    var resolved = conversations[s.A % conversations.Count];
                    resolved.Status = s.B % 2 == 0 ? ConversationStatus.Resolved : ConversationStatus.Closed;
                    resolved.ResolvedAt = at;
                    await db.SaveChangesAsync();
                    break;
                case Op.Reopen when conversations.Count > 0:
                    var reopened = conversations[s.A % conversations.Count];
                    reopened.Status = s.B % 2 == 0 ? ConversationStatus.Open : ConversationStatus.WaitingOnCitizen;
                    reopened.ResolvedAt = null;
                    await db.SaveChangesAsync();
                    break;
                case Op.Reprioritise when conversations.Count > 0:
                    var changed = conversations[s.A % conversations.Count];
                    changed.Priority = (Priority)(s.B % 4);
                    changed.Category = Services[s.B / 4 % 3];
                    await db.SaveChangesAsync();
                    break;
            }

            db.ChangeTracker.Clear();
        }
    }

    private async Task AssertEquivalentAsync(long orgId)
    {
        await using var scope = factory.ScopeFor(orgId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var teamOf = await db.Conversations.ToDictionaryAsync(c => c.Id, c => c.AssignedTeamId ?? 0);
        var live = (await db.Messages.IgnoreQueryFilters().Where(m => m.OrganisationId == orgId).ToListAsync()).Where(m => m.DeletedAt == null).ToList();

        string Dims(Message m) => string.Join('|', m.ChannelId, teamOf[m.ConversationId], m.Direction, m.MatchedSearch != null, m.Kind ?? "", m.Category ?? "",
            m.Sentiment ?? "", m.Direction == MessageDirection.Outbound ? m.SentByStaffId ?? "" : "");
        static string Hour(DateTime t) => t.ToString("yyyy-MM-dd HH", System.Globalization.CultureInfo.InvariantCulture);
        static string Day(DateTime t) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(t, London)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var expectedHourly = live.GroupBy(m => Hour(m.CreatedAt) + "|" + Dims(m)).Select(g => $"{g.Key}={g.Count()}").Order(StringComparer.Ordinal).ToList();
        var expectedDaily = live.GroupBy(m => Day(m.CreatedAt) + "|" + Dims(m)).Select(g => $"{g.Key}={g.Count()}").Order(StringComparer.Ordinal).ToList();
        static string Monday(DateTime t)
        {
            var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(t, London));
            while (day.DayOfWeek != DayOfWeek.Monday)
            {
                day = day.AddDays(-1);
            }

            return day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        }

        var expectedWeekly = live.GroupBy(m => Monday(m.CreatedAt) + "|" + Dims(m)).Select(g => $"{g.Key}={g.Count()}").Order(StringComparer.Ordinal).ToList();
        // The local calendar month, every dimension (teams too).
        var expectedMonthly = live.GroupBy(m => Day(m.CreatedAt)[..7] + "-01|" + Dims(m)).Select(g => $"{g.Key}={g.Count()}").Order(StringComparer.Ordinal).ToList();
        var expectedTopics = live.Where(m => m.Direction == MessageDirection.Inbound)
            .SelectMany(m => new[] { m.Place is null ? null : $"Place|{m.Place}", m.MatchedSearch is null ? null : $"ListeningSearch|{m.MatchedSearch}" }
                .Concat(TagPattern().Matches(m.Text).Select(x => x.Groups[1].Value.ToLowerInvariant()).Distinct().Select(tag => $"Hashtag|{tag}"))
                .Where(t => t is not null).Select(t => $"{Day(m.CreatedAt)}|{t}|{teamOf[m.ConversationId]}|{m.Sentiment ?? ""}"))
            .GroupBy(k => k).Select(g => $"{g.Key}={g.Count()}").Order(StringComparer.Ordinal).ToList();
        var expectedWeeklyTopics = live.Where(m => m.Direction == MessageDirection.Inbound)
            .SelectMany(m => new[] { m.Place is null ? null : $"Place|{m.Place}", m.MatchedSearch is null ? null : $"ListeningSearch|{m.MatchedSearch}" }
                .Concat(TagPattern().Matches(m.Text).Select(x => x.Groups[1].Value.ToLowerInvariant()).Distinct().Select(tag => $"Hashtag|{tag}"))
                .Where(t => t is not null).Select(t => $"{Monday(m.CreatedAt)}|{t}|{teamOf[m.ConversationId]}|{m.Sentiment ?? ""}"))
            .GroupBy(k => k).Select(g => $"{g.Key}={g.Count()}").Order(StringComparer.Ordinal).ToList();

        var hourly = (await db.HourlyMessageCounts.ToListAsync())
            .Select(r => $"{Hour(r.HourStart)}|{r.ChannelId}|{r.TeamId}|{r.Direction}|{r.Listening}|{r.Kind}|{r.Category}|{r.Sentiment}|{r.StaffId}={r.Count}").Order(StringComparer.Ordinal).ToList();
        var daily = (await db.DailyMessageCounts.ToListAsync())
            .Select(r => $"{r.Day:yyyy-MM-dd}|{r.ChannelId}|{r.TeamId}|{r.Direction}|{r.Listening}|{r.Kind}|{r.Category}|{r.Sentiment}|{r.StaffId}={r.Count}").Order(StringComparer.Ordinal).ToList();
        var topics = (await db.DailyTopicCounts.ToListAsync())
            .Select(r => $"{r.Day:yyyy-MM-dd}|{r.TopicKind}|{r.Topic}|{r.TeamId}|{r.Sentiment}={r.Count}").Order(StringComparer.Ordinal).ToList();

        var weekly = (await db.WeeklyMessageCounts.ToListAsync())
            .Select(r => $"{r.WeekStart:yyyy-MM-dd}|{r.ChannelId}|{r.TeamId}|{r.Direction}|{r.Listening}|{r.Kind}|{r.Category}|{r.Sentiment}|{r.StaffId}={r.Count}").Order(StringComparer.Ordinal).ToList();

        hourly.ShouldBe(expectedHourly);
        daily.ShouldBe(expectedDaily);
        weekly.ShouldBe(expectedWeekly);
        var monthly = (await db.MonthlyMessageCounts.ToListAsync())
            .Select(r => $"{r.MonthStart:yyyy-MM-dd}|{r.ChannelId}|{r.TeamId}|{r.Direction}|{r.Listening}|{r.Kind}|{r.Category}|{r.Sentiment}|{r.StaffId}={r.Count}").Order(StringComparer.Ordinal).ToList();
        monthly.ShouldBe(expectedMonthly);
        topics.ShouldBe(expectedTopics);
        var weeklyTopics = (await db.WeeklyTopicCounts.ToListAsync())
            .Select(r => $"{r.WeekStart:yyyy-MM-dd}|{r.TopicKind}|{r.Topic}|{r.TeamId}|{r.Sentiment}={r.Count}").Order(StringComparer.Ordinal).ToList();
        weeklyTopics.ShouldBe(expectedWeeklyTopics);
        // The organisation's months: every topic message of the local calendar month, all teams, split by sentiment.
        // And its days and weeks the same way.
        List<string> OrganisationTopics(Func<DateTime, string> bucket) => live.Where(m => m.Direction == MessageDirection.Inbound)
            .SelectMany(m => new[] { m.Place is null ? null : $"Place|{m.Place}", m.MatchedSearch is null ? null : $"ListeningSearch|{m.MatchedSearch}" }
                .Concat(TagPattern().Matches(m.Text).Select(x => x.Groups[1].Value.ToLowerInvariant()).Distinct().Select(tag => $"Hashtag|{tag}"))
                .Where(t => t is not null).Select(t => (Key: $"{bucket(m.CreatedAt)}|{t}", Sentiment: m.Sentiment ?? "")))
            .GroupBy(k => k.Key)
            .Select(g => $"{g.Key}={g.Count()}/{g.Count(x => x.Sentiment == "negative")}/{g.Count(x => x.Sentiment == "neutral")}/{g.Count(x => x.Sentiment == "positive")}/{g.Count(x => x.Sentiment == "")}")
            .Order(StringComparer.Ordinal).ToList();
        static string Totals(OrganisationTopicTotals r) => $"{r.TopicKind}|{r.Topic}={r.Count}/{r.Negative}/{r.Neutral}/{r.Positive}/{r.Unclassified}";
        (await db.MonthlyOrganisationTopicCounts.ToListAsync()).Select(r => $"{r.MonthStart:yyyy-MM-dd}|{Totals(r)}").Order(StringComparer.Ordinal).ToList()
            .ShouldBe(OrganisationTopics(t => Day(t)[..7] + "-01"));
        (await db.WeeklyOrganisationTopicCounts.ToListAsync()).Select(r => $"{r.WeekStart:yyyy-MM-dd}|{Totals(r)}").Order(StringComparer.Ordinal).ToList()
            .ShouldBe(OrganisationTopics(Monday));
        (await db.DailyOrganisationTopicCounts.ToListAsync()).Select(r => $"{r.Day:yyyy-MM-dd}|{Totals(r)}").Order(StringComparer.Ordinal).ToList()
            .ShouldBe(OrganisationTopics(Day));

        // Conversations: response times per local day opened and team against each one's own target (a reply stamped
        // before the conversation counts as immediate), and the open ones per hour opened and team.
        var organisation = await db.Organisations.SingleAsync(o => o.Id == orgId);
        var calendar = scope.ServiceProvider.GetRequiredService<CivicDesk.Web.Features.Sla.BusinessCalendars>().For(organisation);
        var policies = await db.SlaPolicies.ToListAsync();
        var conversations = await db.Conversations.ToListAsync();
        static string Bins(IEnumerable<double> hours)
        {
            var bins = hours.Select(DurationSketch.Bin).GroupBy(b => b).OrderBy(g => g.Key).Select(g => $"{g.Key}x{g.Count()}");
            return string.Join(',', bins);
        }

        var expectedTimes = conversations.GroupBy(c => $"{Day(c.CreatedAt)}|{c.AssignedTeamId ?? 0}").Select(g =>
        {
            var first = g.Where(c => c.FirstResponseAt is not null).Select(c => (c, h: Math.Max(0, calendar.BusinessTimeBetween(c.CreatedAt, c.FirstResponseAt!.Value).TotalHours))).ToList();
            var done = g.Where(c => c.ResolvedAt is not null).Select(c => (c, h: Math.Max(0, calendar.BusinessTimeBetween(c.CreatedAt, c.ResolvedAt!.Value).TotalHours))).ToList();
            SlaPolicy? Target(Conversation c) => SlaPolicy.Choose(policies, c.AssignedTeamId, c.Category, c.Priority);
            return $"{g.Key}|{g.Count()}|{first.Count}|{first.Count(x => Target(x.c) is not null)}|{first.Count(x => x.h <= Target(x.c)?.FirstResponseHours)}"
                   + $"|{done.Count}|{done.Count(x => Target(x.c) is not null)}|{done.Count(x => x.h <= Target(x.c)?.ResolutionHours)}|{Bins(first.Select(x => x.h))}|{Bins(done.Select(x => x.h))}";
        }).Order(StringComparer.Ordinal).ToList();
        var expectedOpen = conversations.Where(c => c.Status is ConversationStatus.New or ConversationStatus.Open or ConversationStatus.WaitingOnCitizen)
            .GroupBy(c => $"{Hour(c.CreatedAt)}|{c.AssignedTeamId ?? 0}").Select(g => $"{g.Key}={g.Count()}").Order(StringComparer.Ordinal).ToList();

        static string Stored(byte[] bytes) => string.Join(',', DurationSketch.FromBytes(bytes).Bins.Select(b => $"{b.Bin}x{b.Count}"));
        var times = (await db.DailyResponseTimes.ToListAsync())
            .Select(r => $"{r.Day:yyyy-MM-dd}|{r.TeamId}|{r.Opened}|{r.Answered}|{r.AnsweredWithTarget}|{r.AnsweredWithinTarget}"
                         + $"|{r.Resolved}|{r.ResolvedWithTarget}|{r.ResolvedWithinTarget}|{Stored(r.FirstResponseHours)}|{Stored(r.ResolutionHours)}").Order(StringComparer.Ordinal).ToList();
        var open = (await db.HourlyOpenConversations.ToListAsync()).Select(r => $"{Hour(r.HourStart)}|{r.TeamId}={r.Count}").Order(StringComparer.Ordinal).ToList();

        times.ShouldBe(expectedTimes);
        open.ShouldBe(expectedOpen);
        (await db.DailyResponseTimes.Select(r => r.Basis).Distinct().ToListAsync()).ShouldBeSubsetOf([ResponseBasis.Fingerprint(organisation, policies)]);
    }

    // The tag rule stated again as a regular expression: '#', word characters with at least one letter, not glued
    // to a word, link or entity before it, nor to '#' or '@' after it.
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![\w&/.#=?])#(\w*\p{L}\w*)(?![\w#@])")]
    private static partial System.Text.RegularExpressions.Regex TagPattern();
}
