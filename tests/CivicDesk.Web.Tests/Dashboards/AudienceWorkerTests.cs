using CivicDesk.Web.Data;
using CivicDesk.Web.Tests.Connectors;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>The hosted audience job: on when configured, it reads every connected account as the app starts, once for the day.</summary>
public sealed class AudienceWorkerTests
{
    [Fact]
    public async Task The_worker_reads_every_connected_account_when_the_app_starts()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var dir = Directory.CreateTempSubdirectory("civicdesk-audience-").FullName;
        long orgId;
        string connectionString;
        using (var arrange = new KeptDatabaseFactory(dir))
        {
            var org = await TestOrganisation.CreateAsync(arrange);
            await fake.ConnectAsync(arrange, org.Id);
            (orgId, connectionString) = (org.Id, arrange.KeptConnectionString);
        }

        fake.Requests.ShouldBeEmpty();
        using var running = new KeptDatabaseFactory(dir, ("Audience:Worker", "true"), ("Database:ConnectionString", connectionString));
        await Eventually.TrueAsync(async () =>
        {
            await using var scope = running.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            return await db.AccountAudienceSnapshots.IgnoreQueryFilters().CountAsync(s => s.OrganisationId == orgId) == 4;
        }, "the worker's first run to store four accounts");
        fake.Count("bsky", "getProfile").ShouldBe(1);
    }
}
