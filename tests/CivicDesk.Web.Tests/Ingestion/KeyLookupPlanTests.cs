using System.Data.Common;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CivicDesk.Web.Tests.Ingestion.IngestClient;

namespace CivicDesk.Web.Tests.Ingestion;

/// <summary>
/// The ingest writer's look-ups of a batch's keys (<see cref="KeyLookups"/>) answer right and read one index entry per
/// key on a database the planner knows nothing about yet (this class's database is new and never analysed), instead of
/// every message or conversation of the channel.
/// </summary>
public sealed class KeyLookupPlanTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    [Fact]
    public async Task A_batch_of_keys_is_looked_up_one_index_descent_each_and_finds_exactly_what_is_stored()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var client = factory.CreateClient();
        for (var batch = 0; batch < 3; batch++)
        {
            await AcceptAsync(client, org.ApiKey, Enumerable.Range(0, 400).Select(i =>
                Message($"k-{batch}-{i}", $"Bin not collected on Elm Road, week {batch}", author: $"@resident{i % 150}")));
        }

        // A thousand keys, as in a full batch: 300 stored, 700 not.
        var ids = Enumerable.Range(0, 300).Select(i => $"k-1-{i}").Concat(Enumerable.Range(0, 700).Select(i => $"new-{i}")).ToArray();
        var handles = Enumerable.Range(0, 1000).Select(i => $"@resident{i}").ToArray();

        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var postgres = db.Provider == DatabaseProvider.Postgres;
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();

        DbCommand Command(string sql, string listName, string[] list)
        {
            var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            var channel = cmd.CreateParameter();
            (channel.ParameterName, channel.Value) = ("ChannelId", org.ApiChannelId);
            cmd.Parameters.Add(channel);
            var keys = cmd.CreateParameter();
            (keys.ParameterName, keys.Value) = (listName, postgres ? list : JsonSerializer.Serialize(list));
            cmd.Parameters.Add(keys);
            return cmd;
        }

        async Task<List<object[]>> RowsAsync(string sql, string listName, string[] list)
        {
            await using var cmd = Command(sql, listName, list);
            var rows = new List<object[]>();
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var row = new object[reader.FieldCount];
                reader.GetValues(row);
                rows.Add(row);
            }

            return rows;
        }

        async Task<string> PlanAsync(string sql, string listName, string[] list) =>
            string.Join('\n', (await RowsAsync((postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql, listName, list)).Select(r => r[^1].ToString()));

        var stored = (await RowsAsync(KeyLookups.StoredIds(db.Provider), "Ids", ids)).Select(r => (string)r[0]).ToList();
        stored.Order().ShouldBe(ids.Take(300).Order());
        var known = await RowsAsync(KeyLookups.KnownMessages(db.Provider), "Ids", ids);
        known.Count.ShouldBe(300);
        var storedIds = ids.Take(300).ToList();
        var expected = await db.Messages.Where(m => storedIds.Contains(m.ExternalId))
            .Join(db.Conversations, m => m.ConversationId, c => c.Id, (m, c) => new { m.Id, m.ExternalId, m.ConversationId, c.Reference }).ToListAsync();
        known.Select(r => $"{r[0]} {r[1]} {r[2]} {r[3]}").Order()
            .ShouldBe(expected.Select(e => $"{e.Id} {e.ExternalId} {e.ConversationId} {e.Reference}").Order());

        var storedPlan = await PlanAsync(KeyLookups.StoredIds(db.Provider), "Ids", ids);
        var knownPlan = await PlanAsync(KeyLookups.KnownMessages(db.Provider), "Ids", ids);
        foreach (var plan in new[] { storedPlan, knownPlan })
        {
            if (postgres)
            {
                plan.ShouldContain("IX_Messages_ChannelId_ExternalId", customMessage: plan);
                // One descent per key: the external id is part of the index condition, not a filter over the channel's rows.
                plan.ShouldMatch(@"Index Cond: \(\(""ChannelId"" = .*\) AND \(\(?""ExternalId""\)?(::text)? = k\.id\)", customMessage: plan);
                plan.ShouldNotContain("Bitmap Heap Scan on \"Messages\"", customMessage: plan);
                plan.ShouldNotContain("Seq Scan on \"Messages\"", customMessage: plan);
            }
            else
            {
                plan.ShouldMatch(@"SEARCH (Messages|m) USING (COVERING )?INDEX IX_Messages_ChannelId_ExternalId \(ChannelId=\? AND ExternalId=\?\)", customMessage: plan);
            }
        }

        if (postgres)
        {
            var open = await RowsAsync(KeyLookups.PostgresOpenConversations, "Handles", handles);
            open.Count.ShouldBe(150);
            open.Select(r => (string)r[2]).Distinct().Count().ShouldBe(150);
            var plan = await PlanAsync(KeyLookups.PostgresOpenConversations, "Handles", handles);
            plan.ShouldContain("IX_Conversations_ChannelId_CitizenHandle_Status", customMessage: plan);
            plan.ShouldMatch(@"Index Cond: \(\(""ChannelId"" = .*\) AND \(\(?""CitizenHandle""\)?(::text)? = h\.handle\)", customMessage: plan);
            plan.ShouldNotContain("Seq Scan on \"Conversations\"", customMessage: plan);
        }
    }
}
