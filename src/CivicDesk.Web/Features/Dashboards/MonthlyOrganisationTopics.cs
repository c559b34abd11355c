using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// Keeps <see cref="MonthlyOrganisationTopicCount"/> equal to the sum of its month's daily topic rows, all teams
/// together. Called by the maintainer's write step, inside its transaction and before the recomputed days' topic rows
/// replace the stored ones: each touched month's stored rows get the new rows of those days added and their old rows
/// taken away. The difference, not a recount of the month, because a month holds up to 31 days of topic rows (≈ 25,000
/// at 1 M messages a year, more at 10 M) and a rebuild writes one day per transaction: recounting would read the
/// month again for every day. It is exact as long as the invariant held before, which the same transaction keeps: the
/// old day rows and the month rows are read under the write lock (SQLite) or the maintainers' advisory lock
/// (PostgreSQL), so no other batch or rebuild can change them in between; the rebuild clears the table with the others,
/// and the migration filled it from the daily rows. Only changed rows are written (most topics of a month are
/// untouched by one day).
/// </summary>
internal static class MonthlyOrganisationTopics
{
    public static DateOnly MonthStart(DateOnly day) => new(day.Year, day.Month, 1);

    public static async Task ApplyAsync(CivicDeskDb db, IReadOnlyList<(long Org, DateOnly Day, List<DailyTopicCount> Topics)> days, CancellationToken ct)
    {
        foreach (var month in days.GroupBy(d => (d.Org, Month: MonthStart(d.Day))))
        {
            var (org, start) = month.Key;
            var recomputed = month.Select(d => d.Day).Distinct().ToList();
            var old = await db.DailyTopicCounts.IgnoreQueryFilters().AsNoTracking()
                .Where(r => r.OrganisationId == org && recomputed.Contains(r.Day)).ToListAsync(ct);
            // Tracked: SaveChanges then writes only the rows whose counts changed.
            var stored = await db.MonthlyOrganisationTopicCounts.IgnoreQueryFilters()
                .Where(r => r.OrganisationId == org && r.MonthStart == start).ToDictionaryAsync(r => (r.TopicKind, r.Topic), ct);
            var changed = new Dictionary<(TopicKind, string), MonthlyOrganisationTopicCount>();

            void Add(DailyTopicCount row, int sign)
            {
                var key = (row.TopicKind, row.Topic);
                if (!stored.TryGetValue(key, out var total))
                {
                    total = new MonthlyOrganisationTopicCount { OrganisationId = org, MonthStart = start, TopicKind = row.TopicKind, Topic = row.Topic };
                    stored[key] = total;
                    db.MonthlyOrganisationTopicCounts.Add(total);
                }

                var n = sign * row.Count;
                total.Count += n;
                switch (row.Sentiment)
                {
                    case "negative": total.Negative += n; break;
                    case "neutral": total.Neutral += n; break;
                    case "positive": total.Positive += n; break;
                    case "": total.Unclassified += n; break;
                }

                changed[key] = total;
            }

            foreach (var row in old)
            {
                Add(row, -1);
            }

            foreach (var row in month.SelectMany(d => d.Topics))
            {
                Add(row, +1);
            }

            foreach (var total in changed.Values.Where(t => t.Count == 0))
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
