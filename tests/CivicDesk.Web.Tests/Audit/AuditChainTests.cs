using CivicDesk.Cli;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Audit;

public sealed class AuditChainTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public AuditChainTests(CivicDeskFactory factory) => _factory = factory;

    private async Task RecordAsync(long org, int count)
    {
        await using var scope = _factory.ScopeFor(org);
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        for (var i = 0; i < count; i++)
        {
            audit.Record("test.event", "Thing", i, before: new { value = i }, after: new { value = i + 1 });
        }

        await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().SaveChangesAsync();
    }

    private async Task<AuditVerification> VerifyAsync(long org)
    {
        await using var scope = _factory.ScopeFor(org);
        return await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(org, CancellationToken.None);
    }

    [Fact]
    public async Task Events_are_chained_in_sequence_per_organisation()
    {
        var a = await TestOrganisation.CreateAsync(_factory);
        var b = await TestOrganisation.CreateAsync(_factory);
        await RecordAsync(a.Id, 3);
        await RecordAsync(b.Id, 2);
        await RecordAsync(a.Id, 2);

        await using var scope = _factory.ScopeFor(a.Id);
        var events = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().AuditEvents.OrderBy(e => e.Sequence).ToListAsync();
        events.Select(e => e.Sequence).ShouldBe([1L, 2, 3, 4, 5]);
        events.ShouldAllBe(e => e.OrganisationId == a.Id);
        for (var i = 1; i < events.Count; i++)
        {
            events[i].PreviousHash.ShouldBe(events[i - 1].Hash);
        }

        (await VerifyAsync(a.Id)).IsIntact.ShouldBeTrue();
        (await VerifyAsync(b.Id)).EventsChecked.ShouldBe(2);
    }

    [Fact]
    public async Task Concurrent_appends_keep_one_linear_chain()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RecordAsync(org.Id, 5)));
        var result = await VerifyAsync(org.Id);
        result.IsIntact.ShouldBeTrue();
        result.EventsChecked.ShouldBe(40);
    }

    [Fact]
    public async Task Editing_a_row_directly_in_the_database_is_caught_at_that_event()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await RecordAsync(org.Id, 6);
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            // A raw UPDATE, as someone with database access would do, bypassing the application.
            await db.AuditEvents.Where(e => e.Sequence == 4).ExecuteUpdateAsync(s => s.SetProperty(e => e.After, "{\"value\":999}"));
        }

        var result = await VerifyAsync(org.Id);
        result.IsIntact.ShouldBeFalse();
        result.FirstBreak!.Sequence.ShouldBe(4);
        result.FirstBreak.Problem.ShouldContain("edited");
    }

    [Fact]
    public async Task Deleting_a_row_is_caught_as_a_gap()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await RecordAsync(org.Id, 5);
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().AuditEvents.Where(e => e.Sequence == 2).ExecuteDeleteAsync();
        }

        var result = await VerifyAsync(org.Id);
        result.FirstBreak.ShouldNotBeNull();
        result.FirstBreak.Sequence.ShouldBe(3);
    }

    [Fact]
    public async Task Cli_audit_verify_exits_non_zero_and_names_the_broken_link()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await RecordAsync(org.Id, 3);
        var env = new Dictionary<string, string?>
        {
            ["CIVICDESK_DATA_DIR"] = _factory.DataDirectory,
            ["Database__Provider"] = CivicDeskFactory.Provider.ToString(),
            ["Database__ConnectionString"] = _factory.ConnectionString,
        };
        (await RunCliAsync(env, "audit", "verify", "--organisation", org.Slug)).ExitCode.ShouldBe(0);

        await using (var scope = _factory.ScopeFor(org.Id))
        {
            await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().AuditEvents.Where(e => e.Sequence == 2)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.ActorName, "someone else"));
        }

        var (exit, output) = await RunCliAsync(env, "audit", "verify", "--organisation", org.Slug);
        exit.ShouldBe(1);
        output.ShouldContain($"organisation {org.Id}: BROKEN at sequence 2");
    }

    /// <summary>Runs the CLI in-process with the given environment (the CLI reads configuration from it).</summary>
    private static async Task<(int ExitCode, string Output)> RunCliAsync(IDictionary<string, string?> env, params string[] args)
    {
        await CliLock.WaitAsync();
        var previous = env.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        var stdout = Console.Out;
        using var captured = new StringWriter();
        try
        {
            foreach (var (k, v) in env)
            {
                Environment.SetEnvironmentVariable(k, v);
            }

            Console.SetOut(captured);
            var exit = await CivicDeskCli.Main(args);
            return (exit, captured.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            foreach (var (k, v) in previous)
            {
                Environment.SetEnvironmentVariable(k, v);
            }

            CliLock.Release();
        }
    }

    private static readonly SemaphoreSlim CliLock = new(1, 1);
}
