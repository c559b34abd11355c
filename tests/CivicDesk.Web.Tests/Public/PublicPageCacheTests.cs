using System.Net;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Incidents;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Public;

/// <summary>
/// Issue 14 (surge): the citizen pages every anonymous visitor sees alike are served from the output cache for a
/// few seconds, and the lookups every page makes (the organisation, the incident banners) are kept as long. What must
/// hold: a cached page really is reused; made-up query strings reuse the entry; a saved change to what every page
/// shows (the organisation, an incident) is visible at once on this node, on cached and uncached pages alike. (The
/// per-citizen rate limit on cached pages is ForwardedHeadersTests: five views, then 429.)
/// </summary>
public sealed class PublicPageCacheTests(PublicPageCacheTests.Factory factory) : IClassFixture<PublicPageCacheTests.Factory>
{
    /// <summary>A long expiry, so only eviction (never the clock) can refresh a page during a test.</summary>
    public sealed class Factory : SpeakFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [.. base.Settings, new("PublicPages:CacheSeconds", "300")];
    }

    /// <summary>Renames the organisation behind EF's back (no SaveChanges, so nothing is evicted).</summary>
    private async Task RenameQuietlyAsync(long organisationId, string name)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.Database.ExecuteSqlInterpolatedAsync($"""UPDATE "Organisations" SET "Name" = {name} WHERE "Id" = {organisationId}""")).ShouldBe(1);
    }

    private static async Task<string> OrganisationNameOnAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
        return Citizen.Parse(await response.Content.ReadAsStringAsync()).QuerySelector(".civicdesk-org-name")!.TextContent.Trim();
    }

    [Fact]
    public async Task Anonymous_pages_are_reused_until_something_they_all_show_is_saved()
    {
        var org = await factory.OrganisationAsync();
        var citizen = StaffClient.Anonymous(factory);
        var original = await OrganisationNameOnAsync(citizen, "/");
        (await OrganisationNameOnAsync(citizen, "/map")).ShouldBe(original);
        (await OrganisationNameOnAsync(citizen, "/incidents")).ShouldBe(original);

        await RenameQuietlyAsync(org.Id, "Quietly Renamed Council");
        (await OrganisationNameOnAsync(citizen, "/")).ShouldBe(original, "the cached page is served, not rendered again");
        (await OrganisationNameOnAsync(citizen, "/?utm_source=x&cachebust=1")).ShouldBe(original, "made-up query strings share the entry");
        (await OrganisationNameOnAsync(citizen, "/map")).ShouldBe(original);
        // The report form is rendered each time (a per-visitor token) but shares the cached organisation lookup.
        (await OrganisationNameOnAsync(citizen, "/report")).ShouldBe(original);
        var staff = await StaffClient.SignInAsync(factory, org, Roles.Comms);

        // A saved change to what every page shows (here: an incident, which puts a banner on every page) evicts.
        var id = await IncidentPagesTests.DeclareAsync(staff, IncidentPagesTests.Circle("Cache test flooding"));
        id.ShouldBeGreaterThan(0);
        foreach (var path in new[] { "/", "/map", "/incidents", "/report" })
        {
            var html = Citizen.Parse(await citizen.GetStringAsync(path));
            html.QuerySelector(".civicdesk-org-name")!.TextContent.Trim().ShouldBe("Quietly Renamed Council", path);
            html.Body!.TextContent.ShouldContain("Cache test flooding", Shouldly.Case.Sensitive, $"{path} shows the new incident's banner at once");
        }

        await factory.WithDbAsync(org.Id, async db =>
        {
            var incident = await db.Incidents.SingleAsync(i => i.Id == id);
            incident.Status.ShouldBe(IncidentStatus.Active);
            return 0;
        });
    }

    [Fact]
    public async Task A_case_taken_off_the_public_map_leaves_the_cached_map_at_once()
    {
        var org = await factory.OrganisationAsync();
        await Cases.CaseTestData.ServicesAsync(factory, org);
        var created = await Cases.CaseTestData.CaseAsync(factory, org, "Cache test pothole", latitude: 51.9, longitude: -2.07);
        var citizen = StaffClient.Anonymous(factory);

        async Task<bool> OnMapAsync() => Citizen.Parse(await citizen.GetStringAsync("/map")).QuerySelector($"[data-public-case='{created.Reference}']") is not null;
        async Task SetAsync(Action<CivicDesk.Web.Domain.Case> change) => await Cases.CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            change(await db.Cases.SingleAsync(c => c.Id == created.Id));
            return await db.SaveChangesAsync();
        });

        // Made non-public: gone at once, however recently the map was cached.
        await SetAsync(c => c.NonPublic = true);
        (await OnMapAsync()).ShouldBeFalse();
        await SetAsync(c => c.NonPublic = false);
        (await OnMapAsync()).ShouldBeTrue("made public again");
        // Restricted (a subject's request): gone at once.
        await SetAsync(c => c.RestrictedBy = "SAR-TEST");
        (await OnMapAsync()).ShouldBeFalse();
    }
}
