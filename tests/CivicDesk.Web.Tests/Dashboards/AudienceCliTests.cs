using CivicDesk.Cli;
using CivicDesk.Web.Data;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary><c>civicdesk audience collect</c> on the app's database and key ring: reads the accounts, exit 1 when one fails, 2 for an unknown organisation.</summary>
public sealed class AudienceCliTests(AudienceFactory factory) : IClassFixture<AudienceFactory>
{
    [Fact]
    public async Task Collect_reads_the_organisations_accounts_and_exits_1_when_one_could_not_be_read()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        await fake.ConnectAsync(factory, org.Id);
        var settings = new Dictionary<string, string?>
        {
            ["CIVICDESK_DATA_DIR"] = factory.DataDirectory,
            ["Database:Provider"] = CivicDeskFactory.Provider.ToString(),
            ["Database:ConnectionString"] = factory.ConnectionString,
            ["OutboundHttp:AllowLoopback"] = "true",
            ["OutboundHttp:AllowHttp"] = "true",
        };

        (await AudienceCommands.CollectAsync("no-such-organisation", force: false, default, settings)).ShouldBe(CliExit.Usage);

        fake.Answer("mastodon", "/api/v1/accounts/lookup", 503, """{"error":"Service Unavailable"}""");
        (await AudienceCommands.CollectAsync(org.Slug, force: false, default, settings)).ShouldBe(CliExit.Failed);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            (await db.AccountAudienceSnapshots.IgnoreQueryFilters().CountAsync(s => s.OrganisationId == org.Id)).ShouldBe(3);
        }

        // Forced: the failed account is read at once instead of after the retry delay, the others are replaced.
        (await AudienceCommands.CollectAsync(org.Slug, force: true, default, settings)).ShouldBe(CliExit.Success);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            (await db.AccountAudienceSnapshots.IgnoreQueryFilters().CountAsync(s => s.OrganisationId == org.Id)).ShouldBe(4);
        }
    }
}
