using System.Net;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// /dashboards/engagement: team scoping (an agent sees only their teams: no organisation, no accounts, no
/// comparisons), who may opt in (admins) and exchange files (analysts, admins), and the export → import journey
/// through the page, including a refused file.
/// </summary>
public sealed class EngagementPageTests(BenchmarkFactory factory) : IClassFixture<BenchmarkFactory>
{
    private const string Page = "/dashboards/engagement";

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] file)
    {
        var token = await StaffClient.AntiforgeryTokenAsync(client, Page);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(file) { Headers = { ContentType = new("application/json") } }, "file", "peer.json" },
        };
        return await client.PostAsync(Page + "?handler=Import", form);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string handler) =>
        StaffClient.PostFormAsync(client, Page, $"{Page}?handler={handler}", new Dictionary<string, string>());

    private async Task<TestOrganisation> ArrangeAsync()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        db.Channels.Add(new Channel { OrganisationId = org.Id, Kind = ChannelKind.Mastodon, Name = "Roads on Mastodon", Account = "@roads@example.social", CreatedAt = DateTime.UtcNow });
        db.Channels.Add(new Channel { OrganisationId = org.Id, Kind = ChannelKind.Rss, Name = "Local news feed", CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return org;
    }

    [Fact]
    public async Task AnAgent_SeesOnlyTheirTeams_NoAccountsAndNoComparisons()
    {
        var org = await ArrangeAsync();
        var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);

        var html = await agent.GetStringAsync(Page);

        html.ShouldContain("<h2 class=\"govuk-heading-m\">Customer Services</h2>");
        html.ShouldNotContain("Highways");
        html.ShouldNotContain("Account: ");
        html.ShouldNotContain("How your organisation compares");
        (await PostAsync(agent, "Export")).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.Redirect);
        (await PostAsync(agent, "OptIn")).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task AnAnalyst_SeesEveryTeamAndAccount_ButNotListeningFeeds_AndCannotOptIn()
    {
        var org = await ArrangeAsync();
        var analyst = await StaffClient.SignInAsync(factory, org, Roles.Analyst);

        var html = await analyst.GetStringAsync(Page);

        html.ShouldContain("<h2 class=\"govuk-heading-m\">Highways</h2>");
        html.ShouldContain("Account: Roads on Mastodon (Mastodon, @roads@example.social)");
        html.ShouldContain("Account: Web form (Web form)");
        html.ShouldNotContain("Local news feed");
        html.ShouldContain("Your organisation does not take part. An administrator can opt in.");
        html.ShouldContain("Download signed file");
        (await PostAsync(analyst, "OptIn")).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task AnAdmin_OptsInAndOut_WithDateAndName()
    {
        var org = await ArrangeAsync();
        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);

        var optedIn = await (await PostAsync(admin, "OptIn")).Content.ReadAsStringAsync();

        optedIn.ShouldContain("now takes part in benchmarking");
        optedIn.ShouldContain($"opted in by Admin of {org.Slug}");
        optedIn.ShouldContain("too few (");
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            (await db.BenchmarkOptIns.SingleAsync()).OptedInById.ShouldBe(org.Staff[Roles.Admin].Id);
            (await db.EngagementScoreSnapshots.CountAsync()).ShouldBe(12);
        }

        var optedOut = await (await PostAsync(admin, "OptOut")).Content.ReadAsStringAsync();

        optedOut.ShouldContain("no longer takes part");
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            (await db.BenchmarkOptIns.AnyAsync()).ShouldBeFalse();
            (await db.EngagementScoreSnapshots.AnyAsync()).ShouldBeFalse();
        }
    }

    [Fact]
    public async Task ExportFromOne_ImportIntoAnother_ShowsThePeerWithItsFingerprint()
    {
        var a = await ArrangeAsync();
        var b = await ArrangeAsync();
        var exporter = await StaffClient.SignInAsync(factory, a, Roles.Analyst);
        var importer = await StaffClient.SignInAsync(factory, b, Roles.Analyst);

        var download = await PostAsync(exporter, "Export");
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        download.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        download.Content.Headers.ContentDisposition!.FileName!.ShouldContain($"engagement-index-{a.Slug}-");
        var file = await download.Content.ReadAsByteArrayAsync();
        var exporterPage = await exporter.GetStringAsync(Page);
        var fingerprint = System.Text.RegularExpressions.Regex.Match(exporterPage, "id=\"own-fingerprint\">([0-9a-f ]+)<").Groups[1].Value;
        fingerprint.Length.ShouldBe(64 + 15);

        var html = await (await UploadAsync(importer, file)).Content.ReadAsStringAsync();

        html.ShouldContain($"Test council {a.Slug}&#x27;s index was imported");
        html.ShouldContain(fingerprint);
        html.ShouldContain("Trust a fingerprint only if the peer confirmed it");
        html.ShouldContain("Engagement Index beside imported peers");

        var again = await (await UploadAsync(importer, file)).Content.ReadAsStringAsync();
        again.ShouldContain("the older file from the same key was replaced");
    }

    [Fact]
    public async Task ARefusedFile_IsExplained_AndNothingIsStored()
    {
        var org = await ArrangeAsync();
        var admin = await StaffClient.SignInAsync(factory, org, Roles.Admin);

        var html = await (await UploadAsync(admin, Encoding.UTF8.GetBytes("{\"format\":\"civicdesk-engagement-index\",\"version\":1,\"payload\":\"e30=\"}"))).Content.ReadAsStringAsync();

        html.ShouldContain("Nothing was imported");
        html.ShouldContain("The file is not signed");
        await using var scope = factory.ScopeFor(org.Id);
        (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().EngagementPeers.AnyAsync()).ShouldBeFalse();
    }
}
