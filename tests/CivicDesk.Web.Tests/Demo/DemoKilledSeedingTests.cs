using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Demo;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Ingestion;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace CivicDesk.Web.Tests.Demo;

/// <summary>
/// Issue 14: a demo seeding interrupted by kill -9 crashed on the next start ("A conversation cannot move from Open to
/// Open") and the demo stayed half-seeded. Here the real app runs as a child process in demo mode, is killed -9 after
/// a few committed steps of its background seeding, and is started again on the same database: the second start
/// must finish the demo (a year of messages, worked history, cases), work no conversation twice, and keep the audit
/// chain intact.
/// </summary>
public sealed class DemoKilledSeedingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(DemoSeedingProgress.Ingest, 3)]
    [InlineData(DemoSeedingProgress.History, 2)]
    public async Task A_seeding_killed_part_way_is_finished_by_the_next_start(string step, int killAfter)
    {
        // Holds the throw-away database (SQLite file or PostgreSQL database) and its folder; the factory never starts.
        using var database = new CivicDeskFactory();
        var noSharedData = Directory.CreateDirectory(Path.Combine(database.DataDirectory, "no-shared-data")).FullName;
        var environment = new Dictionary<string, string>
        {
            ["CIVICDESK_DATA_DIR"] = database.DataDirectory,
            ["Database__Provider"] = CivicDeskFactory.Provider.ToString(),
            ["Database__ConnectionString"] = database.ConnectionString,
            ["Demo__Enabled"] = "true",
            ["Demo__LiveFeed"] = "false",
            // The shipped corpus only, as on a fresh clone.
            ["CIVICDESK_SHARED_DATA"] = noSharedData,
            ["Logging__LogLevel__CivicDesk.Web.Features.Demo"] = "Debug",
        };
        var marker = $"Demo seeding: {step} {killAfter} committed";

        // First start: killed -9 as soon as the chosen step has committed.
        Dictionary<long, (ConversationStatus Status, DateTime? FirstResponseAt)> workedBeforeKill;
        await using (var app = await WebAppProcess.StartAsync(environment, TimeSpan.FromMinutes(2)))
        {
            await WaitForAsync(app, marker, TimeSpan.FromMinutes(4));
            await app.KillAsync();
            output.WriteLine($"killed after: {marker}");
        }

        var orgId = await DemoOrganisationAsync(database.ConnectionString);
        await using (var db = OpenDb(database.ConnectionString, orgId))
        {
            (await db.AuditEvents.CountAsync(a => a.Action == "demo.messages-seeded")).ShouldBe(0, "the kill came before the end");
            workedBeforeKill = await db.Conversations.Where(c => c.Status != ConversationStatus.New)
                .ToDictionaryAsync(c => c.Id, c => (c.Status, c.FirstResponseAt));
            if (step == DemoSeedingProgress.History)
            {
                workedBeforeKill.ShouldNotBeEmpty("some history chunks were committed before the kill");
            }
        }

        // Second start, same database: it finishes the job.
        await using (var app = await WebAppProcess.StartAsync(environment, TimeSpan.FromMinutes(2)))
        {
            await WaitForAsync(app, "demo messages from", TimeSpan.FromMinutes(5));
            app.Output.ShouldNotContain(line => line.Contains("Seeding the demo messages failed", StringComparison.Ordinal), string.Join('\n', app.Output));
            await app.KillAsync();
        }

        await using var check = OpenDb(database.ConnectionString, orgId);
        var corpus = await check.Messages.Where(m => m.Direction == MessageDirection.Inbound && m.ExternalId.StartsWith(DemoCorpus.ExternalIdPrefix))
            .Select(m => new { m.ExternalId, m.ChannelId, m.CreatedAt }).ToListAsync();
        corpus.Count.ShouldBeGreaterThanOrEqualTo(1_500);
        corpus.Select(m => m.ExternalId).Distinct().Count().ShouldBe(corpus.Count);
        corpus.Select(m => m.ChannelId).Distinct().Count().ShouldBe(6);
        corpus.Select(m => (m.CreatedAt.Year, m.CreatedAt.Month)).Distinct().Count().ShouldBeGreaterThanOrEqualTo(12);

        // Worked once: never two assignments, never more than two replies (acknowledgement and resolution) a conversation.
        (await check.AuditEvents.Where(a => a.Action == "conversation.assigned").GroupBy(a => a.TargetId).CountAsync(g => g.Count() > 1)).ShouldBe(0);
        (await check.Messages.Where(m => m.Direction == MessageDirection.Outbound && m.ExternalId.StartsWith("demo-reply:"))
            .GroupBy(m => m.ConversationId).CountAsync(g => g.Count() > 2)).ShouldBe(0);
        // What the first run did stands as it was.
        var after = await check.Conversations.Where(c => workedBeforeKill.Keys.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => (c.Status, c.FirstResponseAt));
        after.OrderBy(p => p.Key).ToList().ShouldBe(workedBeforeKill.OrderBy(p => p.Key).ToList());
        // The whole year worked, as for a demo seeded in one go.
        var old = await check.Conversations.Where(c => c.CreatedAt < DateTime.UtcNow.AddDays(-30)).Select(c => c.Status).ToListAsync();
        old.Count(s => s is ConversationStatus.Resolved or ConversationStatus.Closed).ShouldBeGreaterThan(old.Count / 2);
        (await check.Cases.CountAsync()).ShouldBe(DemoCases.MaxCases);
        (await check.AuditEvents.CountAsync(a => a.Action == "demo.messages-seeded")).ShouldBe(1);
        (await check.Organisations.CountAsync(o => o.Slug == DemoSeeder.Slug)).ShouldBe(1);
        var verification = await new AuditVerifier(check).VerifyAsync(orgId, default);
        verification.IsIntact.ShouldBeTrue(verification.FirstBreak?.Problem);
    }

    private static async Task WaitForAsync(WebAppProcess app, string text, TimeSpan timeout)
    {
        using var stop = new CancellationTokenSource(timeout);
        while (!app.Output.Any(line => line.Contains(text, StringComparison.Ordinal)))
        {
            if (app.HasExited || stop.IsCancellationRequested)
            {
                throw new TimeoutException($"\"{text}\" did not appear in the app's output:\n" + string.Join('\n', app.Output.TakeLast(80)));
            }

            await Task.Delay(20);
        }
    }

    private static async Task<long> DemoOrganisationAsync(string connectionString)
    {
        await using var db = OpenDb(connectionString, null);
        return await db.Organisations.Where(o => o.Slug == DemoSeeder.Slug).Select(o => o.Id).SingleAsync();
    }

    private static CivicDeskDb OpenDb(string connectionString, long? organisationId)
    {
        var organisation = new OrganisationContext();
        if (organisationId is { } id)
        {
            organisation.Set(id);
        }

        return CivicDeskFactory.Provider == DatabaseProvider.Postgres
            ? new PostgresCivicDeskDb(new DbContextOptionsBuilder<PostgresCivicDeskDb>().UseNpgsql(connectionString).Options, organisation)
            : new SqliteCivicDeskDb(new DbContextOptionsBuilder<SqliteCivicDeskDb>().UseSqlite(connectionString).Options, organisation);
    }
}
