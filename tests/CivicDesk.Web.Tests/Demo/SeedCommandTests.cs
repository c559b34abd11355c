using CivicDesk.Cli;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Demo;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Demo;

public sealed class SeedCommandTests
{
    [Fact]
    public async Task Seed_demo_seeds_the_configured_database_once_and_prints_the_sign_ins()
    {
        // A fresh database and data folder; the app itself is not started until we look inside.
        using var target = new CivicDeskFactory();
        var settings = new Dictionary<string, string?>
        {
            ["CIVICDESK_DATA_DIR"] = target.DataDirectory,
            ["Database:Provider"] = CivicDeskFactory.Provider.ToString(),
            ["Database:ConnectionString"] = target.ConnectionString,
            ["CIVICDESK_SHARED_DATA"] = Path.Combine(target.DataDirectory, "no-shared-data-here"),
            ["CIVICDESK_DEMO_API_KEY"] = "",
        };

        using var first = new StringWriter();
        (await SeedCommands.SeedDemoAsync(settings, first, default)).ShouldBe(0);
        using var second = new StringWriter();
        (await SeedCommands.SeedDemoAsync(settings, second, default)).ShouldBe(0);

        first.ToString().ShouldContain("Demo sign-ins (demo mode only): email / password / role");
        first.ToString().ShouldContain("seeded now");
        var (signIns, generatedKey) = await DemoSignIns.ReadAsync(target.DataDirectory, default);
        signIns.ShouldAllBe(s => first.ToString().Contains($"{s.Email} / {s.Password} / {s.Role}"));
        // A generated key is shown once and kept in the sign-ins file (only its hash is in the database).
        generatedKey.ShouldNotBeNull();
        first.ToString().ShouldContain(generatedKey);
        second.ToString().ShouldContain("already seeded");
        second.ToString().ShouldNotContain(generatedKey);

        await using var scope = target.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var org = await db.Organisations.SingleAsync(o => o.Slug == "demo");
        (await db.Messages.IgnoreQueryFilters().CountAsync(m => m.OrganisationId == org.Id && m.ExternalId.StartsWith(Web.Features.Demo.DemoCorpus.ExternalIdPrefix))).ShouldBeGreaterThanOrEqualTo(1_500);
        (await db.Channels.IgnoreQueryFilters().SingleAsync(c => c.OrganisationId == org.Id && c.Kind == Web.Domain.ChannelKind.Api))
            .ApiKeyHash.ShouldBe(Web.Platform.ApiKeys.Hash(generatedKey));
    }

    [SqliteFact]
    public async Task Seed_synthetic_on_sqlite_writes_with_a_rollback_journal_and_leaves_the_file_in_wal_mode()
    {
        // The command migrates first, on pooled connections that stay open: the seed must still get the file to itself
        // (a regression left them open and the seed waited out the 30-s busy timeout, then wrote through the WAL).
        using var target = new CivicDeskFactory();
        var settings = new Dictionary<string, string?>
        {
            ["CIVICDESK_DATA_DIR"] = target.DataDirectory,
            ["Database:Provider"] = CivicDeskFactory.Provider.ToString(),
            ["Database:ConnectionString"] = target.ConnectionString,
        };

        using var output = new StringWriter();
        (await SeedCommands.SeedSyntheticAsync(settings, new SyntheticOptions(2_000, 1, 0.1, 7), output, default)).ShouldBe(0);

        output.ToString().ShouldContain("written with a rollback journal", customMessage: output.ToString());
        output.ToString().ShouldContain("2,000 messages");
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(target.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        (await command.ExecuteScalarAsync()).ShouldBe("wal");
    }
}
