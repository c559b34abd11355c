using System.Net;
using System.Text.Json;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Tests.Public;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Cases;

/// <summary>The report form makes cases; the public map, its JSON and the public case page show them without personal data.</summary>
public sealed class PublicMapTests(PublicSiteFactory factory) : IClassFixture<PublicSiteFactory>
{
    private const string Name = "Olusegun Reportwright";
    private const string Email = "olusegun.reportwright@example.org";
    private const string Secret = "my neighbour at number 12 keeps";

    [Fact]
    public async Task A_report_becomes_a_case_with_its_photo_place_and_reporter_and_the_confirmation_shows_it()
    {
        var org = await factory.OrganisationAsync();
        var citizen = Citizen.For(factory);
        var response = await citizen.SendReportAsync(new Dictionary<string, string>
        {
            ["Input.Description"] = "Deep pothole by the zebra crossing on Suffolk Road",
            ["Input.Name"] = Name, ["Input.Email"] = Email, ["Input.Category"] = "highways_road_surface",
            ["Input.Latitude"] = "51.893456", ["Input.Longitude"] = "-2.081234", ["Input.Postcode"] = "GL50 2AA",
        }, ("hole.jpg", Photos.Jpeg()));
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());

        var created = await CaseTestData.WithDbAsync(factory, org.Id, db => db.Cases.Where(c => c.Title == "Deep pothole by the zebra crossing on Suffolk Road").SingleAsync());
        created.Source.ShouldBe(CaseSource.WebForm);
        (created.Latitude, created.Longitude, created.Address).ShouldBe((51.893456, -2.081234, "GL50 2AA"));
        await CaseTestData.WithDbAsync(factory, org.Id, async db =>
        {
            (await db.CasePhotos.Where(p => p.CaseId == created.Id).Select(p => p.FileName).ToListAsync()).ShouldBe(["hole.jpg"]);
            (await db.CaseReporters.CountAsync(r => r.CaseId == created.Id && r.ConversationId != null)).ShouldBe(1);
            return 0;
        });

        var (_, confirmation) = await citizen.GetAsync(response.Headers.Location!.ToString());
        confirmation.QuerySelector("#case-reference")!.TextContent.ShouldContain(created.Reference);
    }

    [Fact]
    public async Task Map_list_json_and_case_page_never_show_personal_data()
    {
        var org = await factory.OrganisationAsync();
        var citizen = Citizen.For(factory);
        var description = $"Overflowing bins on Tivoli Walk, {Secret} dumping rubbish";
        (await citizen.SendReportAsync(new Dictionary<string, string>
        {
            ["Input.Description"] = description, ["Input.Name"] = Name, ["Input.Email"] = Email,
            ["Input.Latitude"] = "51.891234", ["Input.Longitude"] = "-2.089876",
        })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var c = await CaseTestData.WithDbAsync(factory, org.Id, db => db.Cases.Where(x => x.Description == description).SingleAsync());
        await CaseTestData.CommandAsync(factory, org, x => x.AddUpdateAsync(c.Id, "Internal: reporter is " + Name, false, CancellationToken.None));
        await CaseTestData.CommandAsync(factory, org, x => x.ChangeStatusAsync(c.Id, CaseStatus.InProgress, "Crews are on the way.", true, CancellationToken.None));

        var pages = new[] { "/map", "/map/cases.json", $"/cases/public/{c.Reference}", $"/cases/public/{c.Reference.ToLowerInvariant()}" };
        foreach (var path in pages)
        {
            var response = await citizen.Client.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            var body = await response.Content.ReadAsStringAsync();
            body.ShouldContain(c.Reference, customMessage: path);
            foreach (var personal in new[] { Name, Email, Secret, "Tivoli Walk", "51.891234", "-2.089876" })
            {
                body.ShouldNotContain(personal, Shouldly.Case.Insensitive, $"{path} shows {personal}");
            }
        }

        var (_, page) = await citizen.GetAsync($"/cases/public/{c.Reference}");
        page.QuerySelector("#public-status")!.TextContent.ShouldBe("In progress");
        page.QuerySelector("#public-updates")!.TextContent.ShouldContain("Crews are on the way.");
    }

    [Fact]
    public async Task Json_is_geojson_with_longitude_first_rounded_and_filtered_by_service()
    {
        var org = await factory.OrganisationAsync();
        await CaseTestData.ServicesAsync(factory, org);
        var pothole = await CaseTestData.CaseAsync(factory, org, "Pothole for the map", CaseTestData.Potholes, 51.912345, -2.054321);
        var tipping = await CaseTestData.CaseAsync(factory, org, "Tipping for the map", CaseTestData.Flytipping, 51.9, -2.05);
        var closed = await CaseTestData.CaseAsync(factory, org, "Closed, not on the map", CaseTestData.Potholes, 51.9, -2.05);
        await CaseTestData.CommandAsync(factory, org, x => x.ChangeStatusAsync(closed.Id, CaseStatus.Fixed, null, false, CancellationToken.None));
        var citizen = Citizen.For(factory);

        using var json = JsonDocument.Parse(await citizen.Client.GetStringAsync("/map/cases.json?service=" + CaseTestData.Potholes));
        var features = json.RootElement.GetProperty("features").EnumerateArray().ToList();
        features.Select(f => f.GetProperty("id").GetString()).ShouldContain(pothole.Reference);
        features.Select(f => f.GetProperty("id").GetString()).ShouldNotContain(tipping.Reference);
        features.Select(f => f.GetProperty("id").GetString()).ShouldNotContain(closed.Reference);
        var mine = features.Single(f => f.GetProperty("id").GetString() == pothole.Reference);
        mine.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(x => x.GetDouble()).ShouldBe([-2.054, 51.912]);
        mine.GetProperty("properties").GetProperty("url").GetString().ShouldBe($"/cases/public/{pothole.Reference}");

        var (_, map) = await citizen.GetAsync("/map?service=" + CaseTestData.Flytipping);
        map.QuerySelectorAll("[data-public-case]").Select(r => r.GetAttribute("data-public-case")).ShouldContain(tipping.Reference);
        map.QuerySelectorAll("[data-public-case]").Select(r => r.GetAttribute("data-public-case")).ShouldNotContain(pothole.Reference);
        var mapDiv = map.QuerySelector("#case-map")!;
        mapDiv.HasAttribute("hidden").ShouldBeTrue("without JavaScript only the list shows");
        map.QuerySelector("meta[name=civicdesk-map-tiles]")!.GetAttribute("content").ShouldBe("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png");
        mapDiv.GetAttribute("data-cases-url").ShouldBe("/map/cases.json?service=" + CaseTestData.Flytipping);
    }

    [Fact]
    public async Task Non_public_and_unknown_cases_are_not_found()
    {
        var org = await factory.OrganisationAsync();
        await CaseTestData.ServicesAsync(factory, org);
        var hidden = await CaseTestData.CommandAsync(factory, org, x => x.CreateAsync(new NewCase
        {
            ServiceCode = CaseTestData.General, Title = "Private", Description = "Private", Source = CaseSource.Open311, NonPublic = true,
        }, CancellationToken.None));
        var citizen = Citizen.For(factory);
        (await citizen.Client.GetAsync($"/cases/public/{hidden.Case!.Reference}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await citizen.Client.GetAsync("/cases/public/CS-000000")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await citizen.Client.GetStringAsync("/map")).ShouldNotContain(hidden.Case.Reference);
    }
}
