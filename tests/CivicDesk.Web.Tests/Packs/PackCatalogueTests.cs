using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Packs;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Privacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Packs;

/// <summary>The public pack catalogue: an administrator publishes, anyone downloads, another organisation imports; withdrawn packs go.</summary>
public sealed class PackCatalogueTests : IClassFixture<OneOrganisationFixture>
{
    private readonly CivicDeskFactory _factory;
    private readonly TestOrganisation _org;

    public PackCatalogueTests(OneOrganisationFixture fixture) => (_factory, _org) = (fixture.Factory, fixture.Org);

    [Fact]
    public async Task A_published_pack_is_listed_publicly_downloads_and_imports_elsewhere_and_can_be_withdrawn()
    {
        var now = DateTime.UtcNow;
        await InboxTestData.WithDbAsync(_factory, _org.Id, async db =>
        {
            db.ReplyTemplates.Add(new ReplyTemplate { OrganisationId = _org.Id, Name = "Bin missed", Body = "Sorry we missed your bin. Reference {{reference}}.", CreatedAt = now, UpdatedAt = now });
            db.FaqEntries.Add(new FaqEntry { OrganisationId = _org.Id, Question = "Can I recycle pizza boxes?", Answer = "Yes, if they are clean.", Topic = "Recycling", CreatedAt = now, UpdatedAt = now, CreatedByName = "Comms" });
            return await db.SaveChangesAsync();
        });
        var admin = await StaffClient.SignInAsync(_factory, _org, Roles.Admin);

        // A name is required; nothing is published without one.
        var nameless = await StaffClient.PostFormAsync(admin, "/admin/packs", "/admin/packs?handler=Publish", new Dictionary<string, string> { ["name"] = " " });
        (await nameless.Content.ReadAsStringAsync()).ShouldContain("Enter a name for the pack");
        (await InboxTestData.WithDbAsync(_factory, _org.Id, db => db.PublishedPacks.CountAsync())).ShouldBe(0);

        var published = await StaffClient.PostFormAsync(admin, "/admin/packs", "/admin/packs?handler=Publish",
            new Dictionary<string, string> { ["name"] = "Waste <basics>", ["description"] = "Templates and FAQ for bin collections" });
        (await published.Content.ReadAsStringAsync()).ShouldContain("Published");

        var anonymous = StaffClient.Anonymous(_factory);
        var catalogue = await anonymous.GetAsync("/packs");
        catalogue.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await catalogue.Content.ReadAsStringAsync();
        html.ShouldContain("Waste &lt;basics&gt;");
        html.ShouldNotContain("Waste <basics>");
        var page = await InboxTestData.ParseAsync(html);
        page.QuerySelector("#packs")!.TextContent.ShouldContain("1 reply template");
        page.QuerySelector("#packs")!.TextContent.ShouldContain("1 FAQ entry");
        var link = page.QuerySelector("#packs a[download]")!.GetAttribute("href")!;
        var download = await anonymous.GetAsync(link);
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        var json = await download.Content.ReadAsStringAsync();
        PackService.Parse(json).Errors.ShouldBeEmpty();

        var id = await InboxTestData.WithDbAsync(_factory, _org.Id, db => db.PublishedPacks.Select(p => p.Id).SingleAsync());
        (await StaffClient.PostFormAsync(admin, "/admin/packs", $"/admin/packs?handler=Withdraw&id={id}", new Dictionary<string, string>())).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await InboxTestData.GetPageAsync(anonymous, "/packs")).QuerySelector("#no-packs").ShouldNotBeNull();
        (await anonymous.GetAsync(link)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await InboxTestData.WithDbAsync(_factory, _org.Id, db => db.AuditEvents.CountAsync(e => e.Action == "pack.published" || e.Action == "pack.withdrawn"))).ShouldBe(2);

        // Another body imports the downloaded pack (last: a second organisation makes the public pages ask which one).
        var other = await TestOrganisation.CreateAsync(_factory);
        await using (var scope = _factory.ScopeFor(other.Id))
        {
            var result = await scope.ServiceProvider.GetRequiredService<PackService>().PreviewAsync(json, default);
            result.Changes.ShouldContain(c => c.Section == "FAQ entries" && c.Item == "Can I recycle pizza boxes?");
            result.Changes.ShouldContain(c => c.Section == "Reply templates" && c.Item == "Bin missed");
        }
    }
}
