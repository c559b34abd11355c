using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// Set-based inserts of the aggregate rows the maintainer computes, in the caller's open transaction: SQLite through
/// one prepared statement bound by position (<see cref="SqliteRowWriter"/>), PostgreSQL through binary COPY
/// (<see cref="RowInserter.CopyAsync"/>). A day of a 1 M-message year is ~3,000 hourly, daily and topic rows; through
/// EF's change tracker (AddRange, SaveChanges) they cost more than computing them (bench/README.md, session 14).
/// Values are stored as EF stores them (enums as their names, DateOnly as <c>yyyy-MM-dd</c> text on SQLite), so the rows
/// are the same to the byte whichever writer wrote them; <c>AggregateRowsTests</c> compares the two column by column.
/// </summary>
internal static class AggregateRows
{
    private static readonly string[] Dimensions = ["ChannelId", "TeamId", "Direction", "Listening", "Kind", "Category", "Sentiment", "StaffId", "Count"];

    public static readonly AggregateTable<HourlyMessageCount> Hourly = new("HourlyMessageCounts", ["OrganisationId", "HourStart", .. Dimensions],
        r => [r.OrganisationId, r.HourStart, .. DimensionValues(r)]);

    public static readonly AggregateTable<DailyMessageCount> Daily = new("DailyMessageCounts", ["OrganisationId", "Day", .. Dimensions],
        r => [r.OrganisationId, r.Day, .. DimensionValues(r)]);

    public static readonly AggregateTable<WeeklyMessageCount> Weekly = new("WeeklyMessageCounts", ["OrganisationId", "WeekStart", .. Dimensions],
        r => [r.OrganisationId, r.WeekStart, .. DimensionValues(r)]);

    public static readonly AggregateTable<DailyTopicCount> DailyTopics = new("DailyTopicCounts",
        ["OrganisationId", "Day", "TopicKind", "Topic", "TeamId", "Sentiment", "Count"],
        r => [r.OrganisationId, r.Day, r.TopicKind, r.Topic, r.TeamId, r.Sentiment, r.Count]);

    public static readonly AggregateTable<WeeklyTopicCount> WeeklyTopics = new("WeeklyTopicCounts",
        ["OrganisationId", "WeekStart", "TopicKind", "Topic", "TeamId", "Sentiment", "Count"],
        r => [r.OrganisationId, r.WeekStart, r.TopicKind, r.Topic, r.TeamId, r.Sentiment, r.Count]);

    private static readonly string[] Totals = ["TopicKind", "Topic", "Count", "Negative", "Neutral", "Positive", "Unclassified"];

    public static readonly AggregateTable<DailyOrganisationTopicCount> DailyOrganisationTopics = new("DailyOrganisationTopicCounts",
        ["OrganisationId", "Day", .. Totals], r => [r.OrganisationId, r.Day, .. TotalValues(r)]);

    public static readonly AggregateTable<WeeklyOrganisationTopicCount> WeeklyOrganisationTopics = new("WeeklyOrganisationTopicCounts",
        ["OrganisationId", "WeekStart", .. Totals], r => [r.OrganisationId, r.WeekStart, .. TotalValues(r)]);

    public static readonly AggregateTable<DailyResponseTime> ResponseTimes = new("DailyResponseTimes",
        ["OrganisationId", "Day", "TeamId", "Opened", "Answered", "AnsweredWithTarget", "AnsweredWithinTarget", "Resolved", "ResolvedWithTarget",
            "ResolvedWithinTarget", "FirstResponseHours", "ResolutionHours", "Basis"],
        r => [r.OrganisationId, r.Day, r.TeamId, r.Opened, r.Answered, r.AnsweredWithTarget, r.AnsweredWithinTarget, r.Resolved, r.ResolvedWithTarget,
            r.ResolvedWithinTarget, r.FirstResponseHours, r.ResolutionHours, r.Basis]);

    public static readonly AggregateTable<HourlyOpenConversation> OpenConversations = new("HourlyOpenConversations",
        ["OrganisationId", "HourStart", "TeamId", "Count"], r => [r.OrganisationId, r.HourStart, r.TeamId, r.Count]);

    /// <summary>Inserts the rows in the context's open transaction (the caller's write transaction).</summary>
    public static async Task InsertAsync<T>(CivicDeskDb db, AggregateTable<T> table, IReadOnlyCollection<T> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var connection = db.Database.GetDbConnection();
        if (db.Provider == DatabaseProvider.Postgres)
        {
            // COPY runs in the connection's open transaction; it has no ON CONFLICT, and needs none: the caller has
            // deleted the range these rows replace in the same transaction.
            await RowInserter.CopyAsync(connection, table.Name, table.Columns, rows.Select(r => Stored(table.Values(r), postgres: true)), ct);
            return;
        }

        using var writer = SqliteRowWriter.PrepareInsert(connection, table.Name, table.Columns);
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            writer.Execute(Stored(table.Values(row), postgres: false));
        }
    }

    private static object?[] TotalValues(OrganisationTopicTotals r) => [r.TopicKind, r.Topic, r.Count, r.Negative, r.Neutral, r.Positive, r.Unclassified];

    private static object?[] DimensionValues(MessageCountRow r) =>
        [r.ChannelId, r.TeamId, r.Direction, r.Listening, r.Kind, r.Category, r.Sentiment, r.StaffId, r.Count];

    // EF's mappings: every enum is stored as its name (CivicDeskDb.ConfigureConventions); SQLite keeps a DateOnly as
    // ISO text, PostgreSQL as a date.
    private static object?[] Stored(object?[] values, bool postgres)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = values[i] switch
            {
                Enum e => e.ToString(),
                DateOnly d when !postgres => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                var v => v,
            };
        }

        return values;
    }
}

/// <summary>An aggregate table: its name, the columns written and a row's values in that order.</summary>
internal sealed record AggregateTable<T>(string Name, string[] Columns, Func<T, object?[]> Values);
