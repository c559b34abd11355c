using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// Keeps <see cref="Domain.MonthlyMessageCount"/> equal to the sum of its month's daily message rows by recounting a
/// month from them in the database (one INSERT … SELECT … GROUP BY), inside the maintainer's write transaction after
/// the days are written: a rebuild once per month, with its last day (as the monthly topic rows); a worker batch for
/// each month it touched. Why a recount and not a difference, as the monthly topic rows are kept: a month has
/// ≈ 13,000 daily message rows at 10 M messages a year (≈ 430 a day), so the recount is a few tens of milliseconds
/// once per month per batch, while the difference would read and track the month's ≈ 440 rows per batch anyway
/// (every dimension but the day is in the key, so nearly every row of a recomputed day has its own month row).
/// </summary>
internal static class MonthlyMessageCounts
{
    /// <summary>
    /// Replaces the month's rows with the sum of its stored daily rows. SUM of integers stays an integer on SQLite, and
    /// PostgreSQL casts its bigint back to the integer column on insert, so the rows are stored as EF stores them.
    /// </summary>
    public static async Task RecountAsync(CivicDeskDb db, long org, DateOnly month, CancellationToken ct)
    {
        var (first, last) = (MonthlyOrganisationTopics.MonthStart(month), MonthlyOrganisationTopics.MonthEnd(month));
        await db.MonthlyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org && r.MonthStart == first).ExecuteDeleteAsync(ct);
        // The key range (OrganisationId, Day) of DailyMessageCounts; the GROUP BY sorts one month's rows.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "MonthlyMessageCounts" ("OrganisationId", "MonthStart", "ChannelId", "TeamId", "Direction", "Listening", "Kind", "Category", "Sentiment", "StaffId", "Count")
            SELECT "OrganisationId", {first}, "ChannelId", "TeamId", "Direction", "Listening", "Kind", "Category", "Sentiment", "StaffId", SUM("Count")
            FROM "DailyMessageCounts"
            WHERE "OrganisationId" = {org} AND "Day" >= {first} AND "Day" <= {last}
            GROUP BY "OrganisationId", "ChannelId", "TeamId", "Direction", "Listening", "Kind", "Category", "Sentiment", "StaffId"
            HAVING SUM("Count") <> 0
            """, ct);
    }
}
