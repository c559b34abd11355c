using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// A maintenance batch is bounded by the messages in its hours as well as by the number of marks, so a catch-up on a
/// large organisation never holds the write lock for long; it always takes at least one hour, and nothing is lost.
/// </summary>
public sealed class AggregateBatchTests(ManualAggregatesFactory factory) : IClassFixture<ManualAggregatesFactory>
{
    [Fact]
    public async Task A_batch_stops_at_the_message_bound_takes_one_hour_at_least_and_the_rest_stays_queued()
    {
        await using var t = await StartAsync();
        var (org, db, maintainer) = (t.Org, t.Db, t.Maintainer);
        var first = DateTime.UtcNow.Date.AddDays(-2).AddHours(9);
        var hours = new[] { first, first.AddHours(1), first.AddHours(2) };
        var n = 0;
        foreach (var hour in hours)
        {
            for (var i = 0; i < 4; i++)
            {
                var at = hour.AddMinutes(10 * i + 1);
                var c = new Conversation
                {
                    OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"AB-{Guid.NewGuid():N}"[..14], CitizenHandle = "c", Subject = "s",
                    CreatedAt = at, UpdatedAt = at, LastMessageAt = at,
                };
                db.Conversations.Add(c);
                await db.SaveChangesAsync();
                db.Messages.Add(new Message
                {
                    OrganisationId = org.Id, ChannelId = org.WebFormChannelId, ConversationId = c.Id, ExternalId = $"ab{n++}-{Guid.NewGuid():N}", AuthorHandle = "c",
                    Text = "Bins", CreatedAt = at, ReceivedAt = at,
                });
                await db.SaveChangesAsync();
            }
        }

        db.ChangeTracker.Clear();
        (await t.QueuedHoursAsync()).ShouldBe(hours);

        // Four messages an hour: a bound of six takes the first hour only.
        (await maintainer.ProcessBatchAsync(200, CancellationToken.None, maxMessages: 6)).ShouldBeGreaterThan(0);
        (await t.QueuedHoursAsync()).ShouldBe(hours[1..]);

        // A bound below one hour's messages still makes progress: one hour a batch.
        (await maintainer.ProcessBatchAsync(200, CancellationToken.None, maxMessages: 1)).ShouldBeGreaterThan(0);
        (await t.QueuedHoursAsync()).ShouldBe(hours[2..]);

        (await maintainer.DrainAsync(CancellationToken.None, maxMessages: 100)).ShouldBeGreaterThan(0);
        (await t.QueuedHoursAsync()).ShouldBeEmpty();
        var counts = await db.HourlyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id)
            .GroupBy(r => r.HourStart).Select(g => new { Hour = g.Key, Messages = g.Sum(r => r.Count) }).OrderBy(g => g.Hour).ToListAsync();
        counts.Select(c => c.Messages).ShouldBe([4, 4, 4]);
    }

    [Fact]
    public async Task A_batch_takes_every_mark_of_the_hours_it_takes_however_many_one_hour_has()
    {
        // PostgreSQL's log appends a mark per statement and hour, so after a surge one hour can have thousands: the batch
        // bound counts distinct hours, and a batch consumes all of an hour's marks (it used to take them 200 at a time,
        // recomputing the same hour for each 200).
        await using var t = await StartAsync();
        var (org, db, maintainer) = (t.Org, t.Db, t.Maintainer);
        var first = DateTime.UtcNow.Date.AddDays(-4).AddHours(9);
        var hours = new[] { first, first.AddHours(1), first.AddHours(2) };
        foreach (var (hour, marks) in hours.Zip([7, 1, 3]))
        {
            for (var i = 0; i < marks; i++)
            {
                db.AggregateDirtyHours.Add(new AggregateDirtyHour { OrganisationId = org.Id, HourStart = hour });
            }
        }

        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        // Two hours a batch: the first two hours' eight marks, not the first two marks.
        (await maintainer.ProcessBatchAsync(2, CancellationToken.None)).ShouldBe(8);
        (await t.QueuedHoursAsync()).ShouldBe(hours[2..]);
        (await maintainer.ProcessBatchAsync(2, CancellationToken.None)).ShouldBe(3);
        (await t.QueuedHoursAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task One_statement_changing_many_conversations_opened_in_one_hour_marks_that_hour_once()
    {
        // The ingest writer updates a batch's conversations in one statement; their categories change and most were
        // opened in a few hours. SQLite's trigger skips an hour already marked and unclaimed; PostgreSQL's skips an hour
        // its own transaction has marked (it used to add a mark per conversation: 35,398 in a 100,000-message run).
        await using var t = await StartAsync();
        var (org, db, maintainer) = (t.Org, t.Db, t.Maintainer);
        var opened = DateTime.UtcNow.Date.AddDays(-5).AddHours(14);
        var ids = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            var c = new Conversation
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"OS-{Guid.NewGuid():N}"[..14], CitizenHandle = $"c{i}", Subject = "s",
                CreatedAt = opened.AddMinutes(i * 7), UpdatedAt = opened, LastMessageAt = opened,
            };
            db.Conversations.Add(c);
            await db.SaveChangesAsync();
            ids.Add(c.Id);
        }

        db.ChangeTracker.Clear();
        await maintainer.DrainAsync(CancellationToken.None);
        (await db.AggregateDirtyHours.CountAsync(d => d.OrganisationId == org.Id)).ShouldBe(0);

        await db.Conversations.IgnoreQueryFilters().Where(c => ids.Contains(c.Id)).ExecuteUpdateAsync(s => s.SetProperty(c => c.Category, "potholes"));

        var marks = await db.AggregateDirtyHours.Where(d => d.OrganisationId == org.Id).Select(d => d.HourStart).ToListAsync();
        marks.Select(h => DateTime.SpecifyKind(h, DateTimeKind.Utc)).ShouldBe([opened]);
        (await maintainer.DrainAsync(CancellationToken.None)).ShouldBe(1);
    }

    [Fact]
    public async Task A_drain_takes_the_marks_queued_when_it_starts_and_leaves_later_ones_for_the_next_tick()
    {
        // DrainAsync bounds itself by the newest mark id it saw first (ProcessBatchAsync's upToId), so a surge that
        // keeps dirtying the current hour cannot keep one drain (and the write lock) going; later marks stay queued.
        await using var t = await StartAsync();
        var (org, db, maintainer) = (t.Org, t.Db, t.Maintainer);
        var early = DateTime.UtcNow.Date.AddDays(-3).AddHours(9);
        var late = early.AddHours(5);
        async Task AddMessageAsync(DateTime at)
        {
            var c = new Conversation
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"UT-{Guid.NewGuid():N}"[..14], CitizenHandle = "c", Subject = "s",
                CreatedAt = at, UpdatedAt = at, LastMessageAt = at,
            };
            db.Conversations.Add(c);
            await db.SaveChangesAsync();
            db.Messages.Add(new Message
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, ConversationId = c.Id, ExternalId = $"ut-{Guid.NewGuid():N}", AuthorHandle = "c",
                Text = "Bins", CreatedAt = at, ReceivedAt = at,
            });
            await db.SaveChangesAsync();
        }

        await AddMessageAsync(early.AddMinutes(5));
        var upTo = await db.AggregateDirtyHours.MaxAsync(d => d.Id);
        await AddMessageAsync(late.AddMinutes(5));
        db.ChangeTracker.Clear();

        (await maintainer.ProcessBatchAsync(200, CancellationToken.None, upToId: upTo)).ShouldBeGreaterThan(0);
        var queued = await db.AggregateDirtyHours.Where(d => d.OrganisationId == org.Id).Select(d => d.HourStart).Distinct().ToListAsync();
        queued.Select(h => DateTime.SpecifyKind(h, DateTimeKind.Utc)).ShouldBe([late]);
        (await maintainer.ProcessBatchAsync(200, CancellationToken.None, upToId: upTo)).ShouldBe(0);

        (await maintainer.DrainAsync(CancellationToken.None)).ShouldBeGreaterThan(0);
        (await db.AggregateDirtyHours.CountAsync(d => d.OrganisationId == org.Id)).ShouldBe(0);
        (await db.HourlyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).SumAsync(r => r.Count)).ShouldBe(2);
    }

    [Fact]
    public async Task A_change_to_a_claimed_hour_leaves_a_fresh_mark_and_a_mark_left_claimed_is_taken_again()
    {
        // A batch claims its marks, reads without the write lock, then writes: a message stored in a claimed hour
        // meanwhile must be marked again (SQLite's trigger skips only unclaimed marks), and marks a batch claimed but
        // never finished (a crash between its steps) are processed by the next one.
        await using var t = await StartAsync();
        var (org, db, maintainer) = (t.Org, t.Db, t.Maintainer);
        var hour = DateTime.UtcNow.Date.AddDays(-4).AddHours(14);
        async Task AddMessageAsync(DateTime at)
        {
            var c = new Conversation
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"CL-{Guid.NewGuid():N}"[..14], CitizenHandle = "c", Subject = "s",
                CreatedAt = at, UpdatedAt = at, LastMessageAt = at,
            };
            db.Conversations.Add(c);
            await db.SaveChangesAsync();
            db.Messages.Add(new Message
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, ConversationId = c.Id, ExternalId = $"cl-{Guid.NewGuid():N}", AuthorHandle = "c",
                Text = "Bins #Bins", CreatedAt = at, ReceivedAt = at,
            });
            await db.SaveChangesAsync();
        }

        await AddMessageAsync(hour.AddMinutes(5));
        var claimed = await db.AggregateDirtyHours.Where(d => d.OrganisationId == org.Id).Select(d => d.Id).ToListAsync();
        claimed.ShouldNotBeEmpty();
        await db.AggregateDirtyHours.Where(d => claimed.Contains(d.Id)).ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimedAt, DateTime.UtcNow));
        await AddMessageAsync(hour.AddMinutes(35));
        db.ChangeTracker.Clear();

        var unclaimed = await db.AggregateDirtyHours.Where(d => d.OrganisationId == org.Id && d.ClaimedAt == null).Select(d => d.HourStart).Distinct().ToListAsync();
        unclaimed.Select(h => DateTime.SpecifyKind(h, DateTimeKind.Utc)).ShouldBe([hour]);

        (await maintainer.DrainAsync(CancellationToken.None)).ShouldBeGreaterThan(0);
        (await db.AggregateDirtyHours.CountAsync(d => d.OrganisationId == org.Id)).ShouldBe(0);
        (await db.HourlyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).SumAsync(r => r.Count)).ShouldBe(2);
        (await db.DailyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).SumAsync(r => r.Count)).ShouldBe(2);
        (await db.WeeklyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).SumAsync(r => r.Count)).ShouldBe(2);
        (await db.DailyTopicCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id && r.Topic == "bins").SumAsync(r => r.Count)).ShouldBe(2);
        (await db.WeeklyTopicCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id && r.Topic == "bins").SumAsync(r => r.Count)).ShouldBe(2);
        (await db.DailyResponseTimes.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).SumAsync(r => r.Opened)).ShouldBe(2);
    }

    /// <summary>A fresh organisation, a scope on it and its maintainer, with whatever other tests left queued drained.</summary>
    private async Task<Context> StartAsync()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var scope = factory.ScopeFor(org.Id);
        var maintainer = scope.ServiceProvider.GetRequiredService<AggregateMaintainer>();
        await maintainer.DrainAsync(CancellationToken.None);
        return new Context(org, scope, scope.ServiceProvider.GetRequiredService<CivicDeskDb>(), maintainer);
    }

    private sealed record Context(TestOrganisation Org, AsyncServiceScope Scope, CivicDeskDb Db, AggregateMaintainer Maintainer) : IAsyncDisposable
    {
        /// <summary>The distinct hours with a mark queued for the organisation, in order, as UTC.</summary>
        public async Task<List<DateTime>> QueuedHoursAsync() =>
            [.. (await Db.AggregateDirtyHours.Where(d => d.OrganisationId == Org.Id).Select(d => d.HourStart).Distinct().OrderBy(h => h).ToListAsync())
                .Select(h => DateTime.SpecifyKind(h, DateTimeKind.Utc))];

        public ValueTask DisposeAsync() => Scope.DisposeAsync();
    }
}
