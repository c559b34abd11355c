using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// The maintainer's set-based writer (SQLite prepared statement, PostgreSQL COPY) stores every aggregate column exactly
/// as EF does: the same rows written both ways, for two organisations, read back raw (SQLite storage class and value,
/// PostgreSQL text form) are equal. A difference (a DateOnly or enum stored another way) would leave rows that EF reads
/// differently or that a later delete by key misses.
/// </summary>
public sealed class AggregateRowsTests(ManualAggregatesFactory factory) : IClassFixture<ManualAggregatesFactory>
{
    [Fact]
    public async Task Set_based_rows_are_stored_as_EF_stores_them()
    {
        var (byEf, bySet) = (await TestOrganisation.CreateAsync(factory), await TestOrganisation.CreateAsync(factory));
        var hour = new DateTime(2026, 3, 29, 1, 0, 0, DateTimeKind.Utc);
        var day = new DateOnly(2026, 3, 29);
        var week = new DateOnly(2026, 3, 23);
        var sketch = new DurationSketch();
        sketch.Add(0);
        sketch.Add(3.25);
        sketch.Add(250);

        await using (var scope = factory.ScopeFor(null))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            db.HourlyMessageCounts.AddRange(Hourly(byEf.Id, hour));
            db.DailyMessageCounts.AddRange(Daily(byEf.Id, day));
            db.WeeklyMessageCounts.AddRange(Weekly(byEf.Id, week));
            db.DailyTopicCounts.AddRange(DailyTopics(byEf.Id, day));
            db.WeeklyTopicCounts.AddRange(WeeklyTopics(byEf.Id, week));
            db.DailyOrganisationTopicCounts.AddRange(DailyOrganisationTopics(byEf.Id, day));
            db.WeeklyOrganisationTopicCounts.AddRange(WeeklyOrganisationTopics(byEf.Id, week));
            db.DailyResponseTimes.AddRange(ResponseTimes(byEf.Id, day, sketch));
            db.HourlyOpenConversations.AddRange(Open(byEf.Id, hour));
            await db.SaveChangesAsync();
        }

        await using (var scope = factory.ScopeFor(null))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            await using var tx = await db.BeginWriteTransactionAsync(CancellationToken.None);
            await AggregateRows.InsertAsync(db, AggregateRows.Hourly, Hourly(bySet.Id, hour), CancellationToken.None);
            await AggregateRows.InsertAsync(db, AggregateRows.Daily, Daily(bySet.Id, day), CancellationToken.None);
            await AggregateRows.InsertAsync(db, AggregateRows.Weekly, Weekly(bySet.Id, week), CancellationToken.None);
            await AggregateRows.InsertAsync(db, AggregateRows.DailyTopics, DailyTopics(bySet.Id, day), CancellationToken.None);
            await AggregateRows.InsertAsync(db, AggregateRows.WeeklyTopics, WeeklyTopics(bySet.Id, week), CancellationToken.None);
            await AggregateRows.InsertAsync(db, AggregateRows.DailyOrganisationTopics, DailyOrganisationTopics(bySet.Id, day), CancellationToken.None);
            await AggregateRows.InsertAsync(db, AggregateRows.WeeklyOrganisationTopics, WeeklyOrganisationTopics(bySet.Id, week), CancellationToken.None);
            await AggregateRows.InsertAsync(db, AggregateRows.ResponseTimes, ResponseTimes(bySet.Id, day, sketch), CancellationToken.None);
            await AggregateRows.InsertAsync(db, AggregateRows.OpenConversations, Open(bySet.Id, hour), CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }

        await using (var scope = factory.ScopeFor(null))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var ef = await AggregateEquivalenceTests.StoredRowsAsync(db, byEf.Id, withOrganisation: false);
            ef.Count.ShouldBe(18);
            (await AggregateEquivalenceTests.StoredRowsAsync(db, bySet.Id, withOrganisation: false)).ShouldBe(ef);
        }
    }

    // Two rows per table: one with every dimension set (a non-ASCII topic, a staff id, a listening post), one with the
    // empty values the maintainer uses for "none" (team 0, "" strings).
    private static List<HourlyMessageCount> Hourly(long org, DateTime hour) =>
    [
        new() { OrganisationId = org, HourStart = hour, ChannelId = 7, TeamId = 3, Direction = MessageDirection.Outbound, Kind = "complaint", Category = "roads", Sentiment = "negative", StaffId = "staff-1", Count = 12 },
        new() { OrganisationId = org, HourStart = hour.AddHours(1), ChannelId = 7, Direction = MessageDirection.Inbound, Listening = true, Count = 1 },
    ];

    private static List<DailyMessageCount> Daily(long org, DateOnly day) =>
    [
        new() { OrganisationId = org, Day = day, ChannelId = 7, TeamId = 3, Direction = MessageDirection.Outbound, Kind = "complaint", Category = "roads", Sentiment = "negative", StaffId = "staff-1", Count = 12 },
        new() { OrganisationId = org, Day = day.AddDays(1), ChannelId = 7, Direction = MessageDirection.Inbound, Listening = true, Count = 1 },
    ];

    private static List<WeeklyMessageCount> Weekly(long org, DateOnly week) =>
    [
        new() { OrganisationId = org, WeekStart = week, ChannelId = 7, TeamId = 3, Direction = MessageDirection.Outbound, Kind = "complaint", Category = "roads", Sentiment = "negative", StaffId = "staff-1", Count = 12 },
        new() { OrganisationId = org, WeekStart = week.AddDays(7), ChannelId = 7, Direction = MessageDirection.Inbound, Listening = true, Count = 1 },
    ];

    private static List<DailyTopicCount> DailyTopics(long org, DateOnly day) =>
    [
        new() { OrganisationId = org, Day = day, TopicKind = TopicKind.Hashtag, Topic = "straßenbahn", TeamId = 3, Sentiment = "negative", Count = 4 },
        new() { OrganisationId = org, Day = day, TopicKind = TopicKind.Place, Topic = "Mill Lane", Count = 1 },
    ];

    private static List<WeeklyTopicCount> WeeklyTopics(long org, DateOnly week) =>
    [
        new() { OrganisationId = org, WeekStart = week, TopicKind = TopicKind.ListeningSearch, Topic = "flooding", TeamId = 3, Sentiment = "positive", Count = 9 },
        new() { OrganisationId = org, WeekStart = week, TopicKind = TopicKind.Place, Topic = "Mill Lane", Count = 1 },
    ];

    private static List<DailyOrganisationTopicCount> DailyOrganisationTopics(long org, DateOnly day) =>
    [
        new() { OrganisationId = org, Day = day, TopicKind = TopicKind.Hashtag, Topic = "straßenbahn", Count = 9, Negative = 4, Neutral = 3, Positive = 1, Unclassified = 0 },
        new() { OrganisationId = org, Day = day, TopicKind = TopicKind.Place, Topic = "Mill Lane", Count = 1, Unclassified = 1 },
    ];

    private static List<WeeklyOrganisationTopicCount> WeeklyOrganisationTopics(long org, DateOnly week) =>
    [
        new() { OrganisationId = org, WeekStart = week, TopicKind = TopicKind.ListeningSearch, Topic = "flooding", Count = 12, Negative = 2, Neutral = 2, Positive = 2, Unclassified = 5 },
        new() { OrganisationId = org, WeekStart = week, TopicKind = TopicKind.Place, Topic = "Mill Lane", Count = 1, Unclassified = 1 },
    ];

    private static List<DailyResponseTime> ResponseTimes(long org, DateOnly day, DurationSketch sketch) =>
    [
        new()
        {
            OrganisationId = org, Day = day, TeamId = 3, Opened = 5, Answered = 3, AnsweredWithTarget = 2, AnsweredWithinTarget = 1, Resolved = 2,
            ResolvedWithTarget = 2, ResolvedWithinTarget = 2, FirstResponseHours = sketch.ToBytes(), ResolutionHours = sketch.ToBytes(), Basis = "0123456789abcdef",
        },
        new() { OrganisationId = org, Day = day, Opened = 1, FirstResponseHours = new DurationSketch().ToBytes(), ResolutionHours = new DurationSketch().ToBytes(), Basis = "0123456789abcdef" },
    ];

    private static List<HourlyOpenConversation> Open(long org, DateTime hour) =>
    [
        new() { OrganisationId = org, HourStart = hour, TeamId = 3, Count = 2 },
        new() { OrganisationId = org, HourStart = hour.AddHours(5), Count = 1 },
    ];
}
