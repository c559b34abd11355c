using System.IO.Compression;
using System.Net;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Privacy;
using CivicDesk.Web.Tests.Cases;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Privacy;

public sealed class SubjectAccessTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public SubjectAccessTests(CivicDeskFactory factory) => _factory = factory;

    private async Task<long> PostAsync(TestOrganisation org, long channelId, ChannelKind kind, string handle, string text, string? email = null)
    {
        var outcome = await _factory.Services.GetRequiredService<IngestPipeline>().SubmitAsync(new IngestBatch(org.Id, channelId, kind,
            [new InboundPost("p-" + Guid.NewGuid().ToString("N"), text, handle, CitizenEmail: email, IsDirect: true)]), default);
        return outcome.Items.Single().MessageId;
    }

    /// <summary>Ada on the web form, Mastodon and Bluesky; Bob on the same channels and on Ada's case.</summary>
    private async Task<(TestOrganisation Org, string CaseReference)> SeedAsync()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await CaseTestData.ServicesAsync(_factory, org);
        var mastodon = await InboxTestData.ChannelAsync(_factory, org, ChannelKind.Mastodon);
        var bluesky = await InboxTestData.ChannelAsync(_factory, org, ChannelKind.Bluesky);

        var adaForm = await PostAsync(org, org.WebFormChannelId, ChannelKind.WebForm, "ada@example.org", "ADA-FORM: the bin at 14 Mill Lane was missed", "ada@example.org");
        await PostAsync(org, mastodon, ChannelKind.Mastodon, "@ada@example.social", "ADA-MASTODON: still no bin collection");
        await PostAsync(org, bluesky, ChannelKind.Bluesky, "ada.example.com", "ADA-BLUESKY: third week without a collection");
        var bobForm = await PostAsync(org, org.WebFormChannelId, ChannelKind.WebForm, "bob@example.net", "BOB-FORM: my bin too, at 16 Mill Lane", "bob@example.net");
        await PostAsync(org, mastodon, ChannelKind.Mastodon, "@bob@example.social", "BOB-MASTODON: same here");
        await PostAsync(org, bluesky, ChannelKind.Bluesky, "bob.example.com", "BOB-BLUESKY: and here");

        var c = await CaseTestData.CaseAsync(_factory, org, "Missed bins on Mill Lane", messageIds: [adaForm, bobForm]);
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            db.CaseReporters.Add(new CaseReporter { OrganisationId = org.Id, CaseId = c.Id, Name = "Bob Baker", Email = "bob@example.net", Phone = "07700 900999", AddedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        return (org, c.Reference);
    }

    private static SubjectRequest AdaRequest(TestOrganisation org, SubjectRequestKind kind = SubjectRequestKind.Access) => new()
    {
        OrganisationId = org.Id, Reference = Web.Platform.References.NewSubjectRequestReference(), Kind = kind, RequesterName = "Ada Lovelace",
        Emails = "ADA@example.org", Handles = "mastodon: @ada@example.social\nbluesky: ada.example.com", ReceivedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow.AddMonths(1),
    };

    private static Dictionary<string, string> Unzip(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip));
        return archive.Entries.ToDictionary(e => e.FullName, e => new StreamReader(e.Open()).ReadToEnd());
    }

    [Fact]
    public async Task The_export_holds_everything_about_the_person_on_three_channels_and_nothing_about_anyone_else()
    {
        var (org, caseReference) = await SeedAsync();
        var request = AdaRequest(org);
        SubjectData data;
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            data = await scope.ServiceProvider.GetRequiredService<SubjectAccessSearch>().FindAsync(request, default);
        }

        data.Conversations.Count.ShouldBe(3);
        data.Cases.Select(c => c.Reference).ShouldBe([caseReference]);
        var files = Unzip(SubjectAccessSearch.Export(request, data, "Test council"));
        files.Keys.ShouldBe(["data.json", "summary.html"], ignoreOrder: true);
        foreach (var (name, text) in files)
        {
            foreach (var mine in new[] { "ADA-FORM", "ADA-MASTODON", "ADA-BLUESKY", caseReference, "ada@example.org" })
            {
                text.ShouldContain(mine, customMessage: name);
            }

            foreach (var theirs in new[] { "BOB-", "bob@example", "Bob Baker", "07700 900999", "16 Mill Lane" })
            {
                text.ShouldNotContain(theirs, customMessage: name);
            }
        }
    }

    [Fact]
    public async Task Staff_log_a_request_with_its_due_date_and_download_the_zip()
    {
        var (org, _) = await SeedAsync();
        var admin = await StaffClient.SignInAsync(_factory, org, Roles.Admin);
        var received = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-3));
        var logged = await StaffClient.PostFormAsync(admin, "/admin/subject-requests", "/admin/subject-requests", new Dictionary<string, string>
        {
            ["Input.Kind"] = "Access", ["Input.RequesterName"] = "Ada Lovelace", ["Input.Emails"] = "ada@example.org",
            ["Input.Handles"] = "mastodon: @ada@example.social\nbluesky: ada.example.com", ["Input.ReceivedOn"] = received.ToString("yyyy-MM-dd"),
        });
        logged.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var page = logged.Headers.Location!.ToString();

        var request = await CaseTestData.WithDbAsync(_factory, org.Id, db => db.SubjectRequests.SingleAsync());
        request.DueAt.ShouldBe(received.AddMonths(1).ToDateTime(TimeOnly.MinValue));
        (await InboxTestData.GetPageAsync(admin, page)).QuerySelector("#found-counts")!.TextContent.ShouldContain("3 conversations");

        var zip = await admin.GetAsync(page + "?handler=Export");
        zip.StatusCode.ShouldBe(HttpStatusCode.OK);
        zip.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        Unzip(await zip.Content.ReadAsByteArrayAsync())["data.json"].ShouldContain("ADA-BLUESKY");
        (await CaseTestData.WithDbAsync(_factory, org.Id, db => db.AuditEvents.CountAsync(a => a.Action == "subject-request.exported"))).ShouldBe(1);

        // Not for other roles.
        var agent = await StaffClient.SignInAsync(_factory, org, Roles.Agent);
        (await agent.GetAsync(page)).StatusCode.ShouldBeOneOf([HttpStatusCode.Forbidden, HttpStatusCode.Redirect]);
    }

    [Fact]
    public async Task Erasure_removes_what_is_not_needed_keeps_the_open_case_with_its_reason_and_the_audit_still_verifies()
    {
        var (org, caseReference) = await SeedAsync();
        var request = AdaRequest(org, SubjectRequestKind.Erasure);
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var search = scope.ServiceProvider.GetRequiredService<SubjectAccessSearch>();
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            db.SubjectRequests.Add(request);
            await db.SaveChangesAsync();
            var (erased, kept) = await search.EraseAsync(request, await search.FindAsync(request, default), default);
            erased.ShouldBeGreaterThanOrEqualTo(2);
            kept.ShouldHaveSingleItem().ShouldContain(caseReference);
        }

        var messages = await CaseTestData.WithDbAsync(_factory, org.Id, db => db.Messages.IgnoreQueryFilters().Where(m => m.OrganisationId == org.Id).Select(m => m.Text).ToListAsync());
        messages.ShouldNotContain(t => t.Contains("ADA-MASTODON") || t.Contains("ADA-BLUESKY"));
        // On the open case: kept until it closes.
        messages.ShouldContain(t => t.Contains("ADA-FORM"));
        messages.ShouldContain(t => t.Contains("BOB-MASTODON"));
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            (await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(org.Id, default)).IsIntact.ShouldBeTrue();
        }
    }
}
