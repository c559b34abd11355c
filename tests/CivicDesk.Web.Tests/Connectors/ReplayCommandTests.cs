using CivicDesk.Cli;
using CivicDesk.Web.Data;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Connectors;

/// <summary>civicdesk replay against the real app on Kestrel (127.0.0.1, free port).</summary>
public sealed class ReplayCommandTests : IClassFixture<ReplayCommandTests.KestrelFactory>
{
    private readonly KestrelFactory _factory;

    public ReplayCommandTests(KestrelFactory factory) => _factory = factory;

    public sealed class KestrelFactory : CivicDeskFactory
    {
        public KestrelFactory()
        {
            UseKestrel(0);
            StartServer();
        }
    }

    [Fact]
    public async Task Replay_sends_every_line_in_batches_reports_duplicates_on_a_second_run_and_skips_bad_lines()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var file = Path.Combine(_factory.DataDirectory, "replay.jsonl");
        var lines = Enumerable.Range(1, 25).Select(i => $$"""{"id":"{{i}}","text":"Bin {{i}} not emptied on Church Street","author":"@r{{i}}","date":"2026-11-21T10:00:00Z"}""")
            .Append("not json").Append("").Append("""{"id":"x"}""");
        await File.WriteAllLinesAsync(file, lines);
        using var http = new HttpClient { BaseAddress = _factory.ClientOptions.BaseAddress };
        http.BaseAddress!.Host.ShouldBe("127.0.0.1");
        var output = new StringWriter();

        var first = await ReplayCommand.RunAsync(http, org.ApiKey, file, 1000, "test", 10, output, TimeProvider.System, CancellationToken.None);
        var second = await ReplayCommand.RunAsync(http, org.ApiKey, file, 1000, "test", 10, output, TimeProvider.System, CancellationToken.None);

        (first.Sent, first.Accepted, first.Duplicates, first.Skipped, first.Failed).ShouldBe((25, 25, 0, 2, 0));
        (second.Accepted, second.Duplicates).ShouldBe((0, 25));
        output.ToString().ShouldContain("sent 25, accepted 25, duplicates 0");
        await using var scope = _factory.ScopeFor(org.Id);
        var stored = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Messages.Where(m => m.ChannelId == org.ApiChannelId).ToListAsync();
        stored.Count.ShouldBe(25);
        stored.ShouldContain(m => m.ExternalId == "test:7" && m.AuthorHandle == "@r7" && m.CreatedAt == new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public async Task A_wrong_key_counts_every_batch_as_failed_and_rates_parse()
    {
        var file = Path.Combine(_factory.DataDirectory, "replay-bad.jsonl");
        await File.WriteAllLinesAsync(file, ["""{"id":"1","text":"hello"}"""]);
        using var http = new HttpClient { BaseAddress = _factory.ClientOptions.BaseAddress };
        var result = await ReplayCommand.RunAsync(http, "not-a-key", file, 100, "bad", 10, TextWriter.Null, TimeProvider.System, CancellationToken.None);
        result.Failed.ShouldBe(1);
        ReplayCommand.TryRate("50/s", out var r).ShouldBeTrue();
        r.ShouldBe(50);
        ReplayCommand.TryRate("0/s", out _).ShouldBeFalse();
    }
}
