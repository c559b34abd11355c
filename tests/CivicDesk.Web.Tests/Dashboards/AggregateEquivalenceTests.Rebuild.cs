using System.Data.Common;
using CivicDesk.Cli;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using CsCheck;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// The full rebuild and the incremental catch-up are two routes to the same rows: the rebuild computes a week's rows
/// once, with its last day, and writes every table set-based, so it is compared with the worker's result byte for byte
/// (each stored value with its storage type), not only through EF.
/// </summary>
public sealed partial class AggregateEquivalenceTests
{
    [Fact]
    public async Task Rebuild_StoresTheSameRowsAsTheCatchUp_AfterAnyHistory()
    {
        await StepGen.Array[1, 40].SampleAsync(async steps =>
        {
            var org = await NewOrganisationAsync();
            await ApplyAsync(org, steps);
            await using var scope = factory.ScopeFor(null);
            var maintainer = scope.ServiceProvider.GetRequiredService<AggregateMaintainer>();
            await maintainer.DrainAsync(CancellationToken.None, batchSize: 3);
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var caughtUp = await StoredRowsAsync(db, org.Id);

            // A transaction per day, or as many days as fit under the message bound (here all of them).
            await maintainer.RebuildAsync(org.Id, null, CancellationToken.None, maxMessages: steps[0].A % 2 == 0 ? 1 : AggregateMaintainer.DefaultMaxMessages);

            (await StoredRowsAsync(db, org.Id)).ShouldBe(caughtUp);
        }, iter: 12, threads: 1, print: steps => string.Join("; ", steps.Select(s => $"{s.Op} {s.A} {s.B} +{s.Hour}h{s.Minute}m")));
    }

    [Fact]
    public async Task Cli_catch_up_and_rebuild_recompute_an_organisation_and_rebuild_refuses_an_unknown_one()
    {
        var org = await NewOrganisationAsync();
        var steps = Enumerable.Range(0, 12).Select(i => new Step(Op.Insert, i * 37 % 1000, i * 91 % 1000, i * 9 % 120, i * 13 % 60)).ToArray();
        await ApplyAsync(org, steps);
        var settings = new Dictionary<string, string?>
        {
            ["CIVICDESK_DATA_DIR"] = factory.DataDirectory,
            ["Database:Provider"] = CivicDeskFactory.Provider.ToString(),
            ["Database:ConnectionString"] = factory.ConnectionString,
        };
        string slug;
        await using (var scope = factory.ScopeFor(null))
        {
            slug = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Organisations.Where(o => o.Id == org.Id).Select(o => o.Slug).SingleAsync();
        }

        (await AggregateCommands.CatchUpAsync(CancellationToken.None, settings)).ShouldBe(CliExit.Success);
        await using (var scope = factory.ScopeFor(null))
        {
            (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().AggregateDirtyHours.CountAsync(d => d.OrganisationId == org.Id)).ShouldBe(0);
        }

        await AssertEquivalentAsync(org.Id);
        await using (var scope = factory.ScopeFor(null))
        {
            // Rows the rebuild must put back.
            await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().DailyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).ExecuteDeleteAsync();
        }

        (await AggregateCommands.RebuildAsync("no-such-organisation", CancellationToken.None, settings)).ShouldBe(CliExit.Usage);
        (await AggregateCommands.RebuildAsync(slug, CancellationToken.None, settings)).ShouldBe(CliExit.Success);

        await using (var scope = factory.ScopeFor(null))
        {
            (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().AggregateDirtyHours.CountAsync(d => d.OrganisationId == org.Id)).ShouldBe(0);
        }

        await AssertEquivalentAsync(org.Id);
    }

    /// <summary>
    /// Every aggregate row of the organisation as stored: on SQLite each value with its storage class (so text where EF
    /// writes text, an integer where it writes one), on PostgreSQL as its text form; sorted.
    /// </summary>
    internal static async Task<List<string>> StoredRowsAsync(CivicDeskDb db, long org, bool withOrganisation = true)
    {
        var rows = new List<string>();
        foreach (var (table, columns) in AggregateTables)
        {
            rows.AddRange((await RawRowsAsync(db, table, columns.Where(c => withOrganisation || c != "OrganisationId").ToArray(), org)).Select(r => table + ": " + r));
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    internal static readonly (string Table, string[] Columns)[] AggregateTables =
    [
        (AggregateRows.Hourly.Name, AggregateRows.Hourly.Columns), (AggregateRows.Daily.Name, AggregateRows.Daily.Columns),
        (AggregateRows.Weekly.Name, AggregateRows.Weekly.Columns), (AggregateRows.DailyTopics.Name, AggregateRows.DailyTopics.Columns),
        (AggregateRows.WeeklyTopics.Name, AggregateRows.WeeklyTopics.Columns), (AggregateRows.ResponseTimes.Name, AggregateRows.ResponseTimes.Columns),
        (AggregateRows.OpenConversations.Name, AggregateRows.OpenConversations.Columns),
        ("MonthlyOrganisationTopicCounts", ["OrganisationId", "MonthStart", "TopicKind", "Topic", "Count", "Negative", "Neutral", "Positive", "Unclassified"]),
        (AggregateRows.DailyOrganisationTopics.Name, AggregateRows.DailyOrganisationTopics.Columns),
        (AggregateRows.WeeklyOrganisationTopics.Name, AggregateRows.WeeklyOrganisationTopics.Columns),
        ("MonthlyMessageCounts", ["OrganisationId", "MonthStart", "ChannelId", "TeamId", "Direction", "Listening", "Kind", "Category", "Sentiment", "StaffId", "Count"]),
    ];

    private static async Task<List<string>> RawRowsAsync(CivicDeskDb db, string table, string[] columns, long org)
    {
        var postgres = db.Provider == DatabaseProvider.Postgres;
        var values = string.Join(postgres ? ", '|', " : " || '|' || ",
            columns.Select(c => postgres ? $"coalesce(\"{c}\"::text, 'NULL')" : $"typeof(\"{c}\") || ':' || quote(\"{c}\")"));
        var sql = postgres
            ? $"SELECT concat({values}) FROM \"{table}\" WHERE \"OrganisationId\" = {org}"
            : $"SELECT {values} FROM \"{table}\" WHERE \"OrganisationId\" = {org}";
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }

            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
