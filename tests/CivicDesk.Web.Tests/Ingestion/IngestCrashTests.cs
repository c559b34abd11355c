using System.Net;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static CivicDesk.Web.Tests.Ingestion.IngestClient;

namespace CivicDesk.Web.Tests.Ingestion;

/// <summary>
/// kill -9 in the middle of concurrent ingestion: every batch that was answered 200 survives exactly once, no batch
/// is half-stored, conversation counters match their messages and the audit chain still verifies.
/// </summary>
public sealed class IngestCrashTests(ITestOutputHelper output)
{
    private const int Clients = 4;
    private const int PostsPerBatch = 25;

    [Fact]
    public async Task Killing_the_process_mid_stream_loses_only_unacknowledged_batches()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("civicdesk-crash-").FullName;
        try
        {
            await RunAsync(dataDirectory);
        }
        finally
        {
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private async Task RunAsync(string dataDirectory)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // The database and an organisation, made by the factory, which then lets go of the database.
        TestOrganisation org;
        string connectionString;
        using (var factory = new KeptDatabaseFactory(dataDirectory))
        {
            org = await TestOrganisation.CreateAsync(factory);
            connectionString = factory.KeptConnectionString;
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s database and organisation ready");
        var environment = new Dictionary<string, string>
        {
            ["CIVICDESK_DATA_DIR"] = dataDirectory,
            ["Database__Provider"] = CivicDeskFactory.Provider.ToString(),
            ["Database__ConnectionString"] = connectionString,
        };

        // Phase 1: several clients post until the process is killed after a random number of acknowledgements.
        var attempted = new System.Collections.Concurrent.ConcurrentDictionary<string, object[]>();
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, IngestResponse>();
        var killAfter = Random.Shared.Next(4, 24);
        await using (var app = await WebAppProcess.StartAsync(environment, TimeSpan.FromSeconds(30)))
        {
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s app started; killing after {killAfter} acknowledgements");
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var killed = 0;
            var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            {
                using var http = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(20) };
                for (var b = 0; !stop.IsCancellationRequested; b++)
                {
                    var name = $"k{c}-{b}";
                    var batch = Enumerable.Range(0, PostsPerBatch)
                        .Select(i => (object)Message($"{name}-{i}", $"Batch {name} post {i}: broken paving slab", $"@resident{(c + b + i) % 17}"))
                        .ToArray();
                    attempted[name] = batch;
                    try
                    {
                        using var response = await PostAsync(http, org.ApiKey, batch);
                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            return;
                        }

                        acknowledged[name] = JsonSerializer.Deserialize<IngestResponse>(await response.Content.ReadAsStringAsync(), Json)!;
                        if (acknowledged.Count >= killAfter && Interlocked.Exchange(ref killed, 1) == 0)
                        {
                            await app.KillAsync();
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        return; // the process is gone
                    }
                }
            })).ToArray();
            await Task.WhenAll(clients);
            killed.ShouldBe(1, "the process should have been killed mid-stream");
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s killed: {acknowledged.Count} batches acknowledged of {attempted.Count} attempted");
        acknowledged.Count.ShouldBeGreaterThanOrEqualTo(killAfter);
        attempted.Count.ShouldBeGreaterThan(acknowledged.Count, "some batches should have been in flight when the process died");

        // Phase 2: restart on the same database and send every attempted batch again.
        await using (var app = await WebAppProcess.StartAsync(environment, TimeSpan.FromSeconds(30)))
        {
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s app restarted");
            using var http = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(20) };
            await Parallel.ForEachAsync(attempted, new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (pair, _) =>
            {
                var (name, batch) = pair;
                var again = await AcceptAsync(http, org.ApiKey, batch);
                if (acknowledged.TryGetValue(name, out var first))
                {
                    again.AlreadyKnown.ShouldBe(PostsPerBatch, $"acknowledged batch {name} must be stored");
                    again.Items.Select(i => i.MessageId).ShouldBe(first.Items.Select(i => i.MessageId), $"batch {name} must be stored once");
                }
                else
                {
                    // Unacknowledged: stored whole (committed just before the kill) or not at all, never half.
                    (again.Accepted == PostsPerBatch || again.AlreadyKnown == PostsPerBatch).ShouldBeTrue($"batch {name} was half stored: {again.Accepted} new");
                }
            });
        }

        // Phase 3: the database itself.
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s all batches re-sent");
        await using var db = OpenDb(connectionString, org.Id);
        var externalIds = await db.Messages.Select(m => m.ExternalId).ToListAsync();
        externalIds.Count.ShouldBe(attempted.Count * PostsPerBatch);
        externalIds.Distinct().Count().ShouldBe(externalIds.Count);
        (await db.Conversations.SumAsync(c => c.MessageCount)).ShouldBe(externalIds.Count);
        (await db.Conversations.AnyAsync(c => c.MessageCount == 0)).ShouldBeFalse();
        foreach (var conversation in await db.Conversations.Select(c => new { c.Id, c.MessageCount }).ToListAsync())
        {
            (await db.Messages.CountAsync(m => m.ConversationId == conversation.Id)).ShouldBe(conversation.MessageCount);
        }

        (await db.AuditEvents.CountAsync(a => a.Action == "conversation.created")).ShouldBe(await db.Conversations.CountAsync());
        var verification = await new AuditVerifier(db).VerifyAsync(org.Id, default);
        verification.IsIntact.ShouldBeTrue(verification.FirstBreak?.Problem);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s verified {externalIds.Count} messages, {verification.EventsChecked} audit events");
    }

    private static CivicDeskDb OpenDb(string connectionString, long organisationId)
    {
        var organisation = new OrganisationContext();
        organisation.Set(organisationId);
        return CivicDeskFactory.Provider == DatabaseProvider.Postgres
            ? new PostgresCivicDeskDb(new DbContextOptionsBuilder<PostgresCivicDeskDb>().UseNpgsql(connectionString).Options, organisation)
            : new SqliteCivicDeskDb(new DbContextOptionsBuilder<SqliteCivicDeskDb>().UseSqlite(connectionString).Options, organisation);
    }
}
