using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// Keeps <see cref="MonthlyOrganisationTopicCount"/> equal to the sum of its month's daily topic rows, all teams
/// together, two ways, both inside the maintainer's write transaction:
/// <list type="bullet">
/// <item>A rebuild (<see cref="RecountAsync"/>): once per month, with its last day (or the rebuild's), after the
/// month's daily rows are written, the month's rows are summed from them in the database (one INSERT … SELECT). Taking
/// the difference with every day instead, the rows read tracked and saved through EF, cost a fifth of a 1 M-message
/// rebuild's CPU (63.4 s with it, 51.0 s without; bench/README.md, session 15).</item>
/// <item>A batch (<see cref="ApplyAsync"/>): before the recomputed days' topic rows replace the stored ones, each
/// touched month's stored rows get the new rows of those days added and their old rows taken away; only the topics
/// whose totals change are read (tracked) and written. A batch recomputes a few hours of a day, so the day's new rows
/// are mostly its old ones again and the net difference is a handful of topics, where a recount would read the whole
/// month's daily rows (≈ 25,000 at 1 M messages a year) and rewrite its ≈ 3,000 monthly rows. It is exact as long as
/// the invariant held before, which the same transaction keeps: the old day rows and the month rows are read under
/// the write lock (SQLite) or the maintainers' advisory lock (PostgreSQL), so no other batch or rebuild can change them
/// in between; the rebuild recounts, and the migration filled the table from the daily rows.</item>
/// </list>
/// </summary>
internal static class MonthlyOrganisationTopics
{
    public static DateOnly MonthStart(DateOnly day) => new(day.Year, day.Month, 1);

    public static DateOnly MonthEnd(DateOnly day) => MonthStart(day).AddMonths(1).AddDays(-1);

    /// <summary>
    /// Replaces the month's rows with the sum of its stored daily topic rows. SUM of integers stays an integer on
    /// SQLite, and PostgreSQL casts its bigint back to the integer column on insert, so the rows are stored as EF stores
    /// them (the rebuild-equals-catch-up property test compares them value by value, with their storage class).
    /// </summary>
    public static async Task RecountAsync(CivicDeskDb db, long org, DateOnly month, CancellationToken ct)
    {
        var (first, last) = (MonthStart(month), MonthEnd(month));
        await db.MonthlyOrganisationTopicCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org && r.MonthStart == first).ExecuteDeleteAsync(ct);
        // The key range (OrganisationId, Day) of DailyTopicCounts; the GROUP BY sorts one month's rows.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "MonthlyOrganisationTopicCounts" ("OrganisationId", "MonthStart", "TopicKind", "Topic", "Count", "Negative", "Neutral", "Positive", "Unclassified")
            SELECT "OrganisationId", {first}, "TopicKind", "Topic", SUM("Count"),
                SUM(CASE WHEN "Sentiment" = 'negative' THEN "Count" ELSE 0 END), SUM(CASE WHEN "Sentiment" = 'neutral' THEN "Count" ELSE 0 END),
                SUM(CASE WHEN "Sentiment" = 'positive' THEN "Count" ELSE 0 END), SUM(CASE WHEN "Sentiment" = '' THEN "Count" ELSE 0 END)
            FROM "DailyTopicCounts"
            WHERE "OrganisationId" = {org} AND "Day" >= {first} AND "Day" <= {last}
            GROUP BY "OrganisationId", "TopicKind", "Topic"
            HAVING SUM("Count") <> 0
            """, ct);
    }

    public static async Task ApplyAsync(CivicDeskDb db, IReadOnlyList<(long Org, DateOnly Day, List<DailyTopicCount> Topics)> days, CancellationToken ct)
    {
        foreach (var month in days.GroupBy(d => (d.Org, Month: MonthStart(d.Day))))
        {
            var (org, start) = month.Key;
            var recomputed = month.Select(d => d.Day).Distinct().ToList();
            var old = await db.DailyTopicCounts.IgnoreQueryFilters().AsNoTracking()
                .Where(r => r.OrganisationId == org && recomputed.Contains(r.Day)).ToListAsync(ct);

            // The net difference first: a topic whose day rows came out as they were needs no read and no write.
            // Differences are kept in untracked rows of the monthly type, so the sentiment columns are named in one place.
            var delta = new Dictionary<(TopicKind Kind, string Topic), MonthlyOrganisationTopicCount>();
            foreach (var (row, sign) in old.Select(r => (r, -1)).Concat(month.SelectMany(d => d.Topics).Select(r => (r, +1))))
            {
                var key = (row.TopicKind, row.Topic);
                if (!delta.TryGetValue(key, out var d))
                {
                    delta.Add(key, d = new MonthlyOrganisationTopicCount { OrganisationId = org, MonthStart = start, TopicKind = row.TopicKind, Topic = row.Topic });
                }

                d.Add(row.Sentiment, sign * row.Count);
            }

            var changed = delta.Where(d => !d.Value.IsZero).ToDictionary(d => d.Key, d => d.Value);
            if (changed.Count == 0)
            {
                continue;
            }

            var topics = changed.Keys.Select(k => k.Topic).Distinct().ToList();
            // Tracked: SaveChanges then writes only these rows. By topic (a list parameter), the kind checked here.
            var stored = (await db.MonthlyOrganisationTopicCounts.IgnoreQueryFilters()
                    .Where(r => r.OrganisationId == org && r.MonthStart == start && topics.Contains(r.Topic)).ToListAsync(ct))
                .Where(r => changed.ContainsKey((r.TopicKind, r.Topic))).ToDictionary(r => (r.TopicKind, r.Topic));
            foreach (var ((kind, topic), d) in changed)
            {
                if (!stored.TryGetValue((kind, topic), out var total))
                {
                    total = new MonthlyOrganisationTopicCount { OrganisationId = org, MonthStart = start, TopicKind = kind, Topic = topic };
                    db.MonthlyOrganisationTopicCounts.Add(total);
                }

                total.Add(d);
                if (total.Count == 0)
                {
                    // A topic with no message left in the month has no row (the brute force has none either).
                    if (db.Entry(total).State == EntityState.Added)
                    {
                        db.Entry(total).State = EntityState.Detached;
                    }
                    else
                    {
                        db.MonthlyOrganisationTopicCounts.Remove(total);
                    }
                }
            }
        }
    }
}
