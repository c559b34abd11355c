using System.Globalization;
using System.Net;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Participation;

/// <summary>Crowd-mapping projects over real HTTP: draw, verify, reject, export, import, open a case (issue 10, scope 5).</summary>
public sealed class MapProjectTests(ParticipationFactory site) : IClassFixture<ParticipationFactory>
{
    private const string Ditch = """{"type":"LineString","coordinates":[[-3.2401,56.4102],[-3.2388,56.4109],[-3.2372,56.4111]]}""";

    private async Task<(HttpClient Staff, long Id, string Slug)> ProjectAsync(string attributes = "*Condition: good, blocked, collapsed\nNotes", bool photo = false, string geometry = "Line")
    {
        await site.WithDbAsync(async db =>
        {
            if (!await db.CaseServices.AnyAsync(s => s.Code == "drainage"))
            {
                db.CaseServices.Add(new CaseService { OrganisationId = site.Organisation.Id, Code = "drainage", Name = "Drainage", IsActive = true });
                await db.SaveChangesAsync();
            }

            return 0;
        });
        var staff = await StaffClient.SignInAsync(site, site.Organisation, Roles.Agent);
        var title = "Carse ditches " + Guid.NewGuid().ToString("N")[..8];
        var form = new Dictionary<string, string>
        {
            ["Input.Title"] = title, ["Input.Description"] = "Map the old drainage ditches.", ["Input.Geometry"] = geometry,
            ["Input.Attributes"] = attributes, ["Input.OwnerTeamId"] = site.Organisation.Teams["Highways"].ToString(CultureInfo.InvariantCulture),
            ["Input.CaseServiceCode"] = "drainage", ["Input.Colour"] = "#00703c", ["Input.IsOpen"] = "true",
        };
        if (photo) form["Input.PhotoRequired"] = "true";
        var created = await StaffClient.PostFormAsync(staff, "/participation/maps", "/participation/maps", form);
        created.StatusCode.ShouldBe(HttpStatusCode.Redirect, site.Errors.ToString());
        var id = long.Parse(created.Headers.Location!.OriginalString.Split('/').Last(), CultureInfo.InvariantCulture);
        var slug = await site.WithDbAsync(db => db.MapProjects.Where(p => p.Id == id).Select(p => p.Slug).SingleAsync());
        return (staff, id, slug);
    }

    private static async Task<HttpResponseMessage> DrawAsync(HttpClient citizen, string slug, string geometry, IDictionary<string, string> values, byte[]? photo = null, string photoName = "ditch.png")
    {
        var page = $"/participate/maps/{slug}";
        var token = await StaffClient.AntiforgeryTokenAsync(citizen, page);
        using var form = new MultipartFormDataContent { { new StringContent(geometry), "Geometry" }, { new StringContent(token), "__RequestVerificationToken" } };
        foreach (var (k, v) in values)
        {
            form.Add(new StringContent(v), $"Values[{k}]");
        }

        if (photo is not null)
        {
            form.Add(new ByteArrayContent(photo), "Photo", photoName);
        }

        return await citizen.PostAsync(page, form);
    }

    private static byte[] Png => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0, 1];

    private static async Task<HttpResponseMessage> ImportAsync(HttpClient staff, long project, string geojson, string name = "ditches.geojson")
    {
        var page = $"/participation/maps/{project}";
        var token = await StaffClient.AntiforgeryTokenAsync(staff, page);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(geojson)), "Upload", name },
        };
        return await staff.PostAsync(page + "?handler=Import", form);
    }

    [Fact]
    public async Task A_drawn_feature_is_verified_exported_as_GeoJSON_and_reimported_identical()
    {
        var (staff, id, slug) = await ProjectAsync();
        var ada = await site.CitizenAsync($"ada-{Guid.NewGuid():N}@example.org", "Ada");
        var drawn = await DrawAsync(ada, slug, Ditch, new Dictionary<string, string> { ["condition"] = "blocked", ["notes"] = "Silted at the culvert" });
        drawn.StatusCode.ShouldBe(HttpStatusCode.Redirect, await drawn.Content.ReadAsStringAsync());
        var feature = await site.WithDbAsync(db => db.MapFeatures.SingleAsync(f => f.MapProjectId == id));
        feature.State.ShouldBe(MapFeatureState.Pending);
        feature.AttributesJson.ShouldBe("""{"condition":"blocked","notes":"Silted at the culvert"}""");

        // Pending features are not public.
        var anonymous = StaffClient.Anonymous(site);
        (await anonymous.GetStringAsync($"/participate/maps/{slug}/features.geojson")).ShouldBe("""{"type":"FeatureCollection","features":[]}""");

        (await StaffClient.PostFormAsync(staff, $"/participation/maps/{id}", $"/participation/maps/{id}?handler=Verify",
            new Dictionary<string, string> { ["FeatureId"] = feature.Id.ToString(CultureInfo.InvariantCulture) })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await site.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "map.feature-verified" && e.TargetId == feature.Id.ToString(CultureInfo.InvariantCulture)))).ShouldBe(1);

        var exported = await anonymous.GetStringAsync($"/participate/maps/{slug}/features.geojson");
        exported.ShouldBe($$$"""{"type":"FeatureCollection","features":[{"type":"Feature","id":"{{{feature.Id}}}","geometry":{{{Ditch}}},"properties":{"condition":"blocked","notes":"Silted at the culvert"}}]}""");
        (await anonymous.GetStringAsync($"/participate/maps/{slug}")).ShouldContain("Silted at the culvert");
        var csv = await anonymous.GetStringAsync($"/participate/maps/{slug}/features.csv");
        csv.ShouldStartWith("id,state,geometry_type,longitude,latitude,wkt,condition,notes,added_on");
        csv.ShouldContain(",LineString,-3.2388,56.4109,\"LINESTRING (-3.2401 56.4102, -3.2388 56.4109, -3.2372 56.4111)\",blocked,Silted at the culvert,");

        // Re-imported into another project, exported again: the same file.
        var (_, copy, copySlug) = await ProjectAsync();
        var imported = await ImportAsync(staff, copy, exported);
        imported.StatusCode.ShouldBe(HttpStatusCode.Redirect, await imported.Content.ReadAsStringAsync());
        (await anonymous.GetStringAsync($"/participate/maps/{copySlug}/features.geojson")).ShouldBe(exported);
        (await site.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "map.imported" && e.TargetId == copy.ToString(CultureInfo.InvariantCulture)))).ShouldBe(1);
    }

    [Fact]
    public async Task The_project_page_charts_features_added_verified_and_contributors_by_week_with_a_table()
    {
        var (staff, id, slug) = await ProjectAsync();
        var ada = await site.CitizenAsync($"ada-{Guid.NewGuid():N}@example.org", "Ada");
        var bo = await site.CitizenAsync($"bo-{Guid.NewGuid():N}@example.org", "Bo");
        foreach (var citizen in new[] { ada, ada, bo })
        {
            (await DrawAsync(citizen, slug, Ditch, new Dictionary<string, string> { ["condition"] = "good" })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }

        // Two weeks: the first feature was added a fortnight ago and verified last week; the other two this week.
        var now = DateTime.UtcNow;
        var monday = DateOnly.FromDateTime(now).AddDays(-(((int)now.DayOfWeek + 6) % 7));
        await site.WithDbAsync(async db =>
        {
            var first = await db.MapFeatures.Where(f => f.MapProjectId == id).OrderBy(f => f.Id).FirstAsync();
            first.CreatedAt = now.AddDays(-14);
            first.State = MapFeatureState.Verified;
            first.ReviewedAt = now.AddDays(-7);
            return await db.SaveChangesAsync();
        });

        var page = Public.Citizen.Parse(await staff.GetStringAsync($"/participation/maps/{id}"));
        var rows = page.QuerySelectorAll("#numbers table tbody tr").Select(r => r.QuerySelectorAll("th, td").Select(c => c.TextContent.Trim()).ToList()).ToList();
        string Week(int weeksAgo) => "Week from " + monday.AddDays(-7 * weeksAgo).ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-GB"));
        rows.Select(r => r[0]).ShouldBe([Week(2), Week(1), Week(0)], "every week from the first feature, empty weeks included");
        rows[0].Skip(1).ShouldBe(["1", "0", "1"], "added, verified, contributors");
        rows[1].Skip(1).ShouldBe(["0", "1", "0"]);
        rows[2].Skip(1).ShouldBe(["2", "0", "2"], "Ada and Bo, one each this week");
        page.QuerySelector("#numbers canvas, #numbers [data-chart]").ShouldNotBeNull("the Chart.js chart beside its table");
    }

    [Theory]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[-3.24,56.41],[-3.23,56.42]]},"properties":{}},""", "Line 1: The file is not valid JSON")]
    [InlineData("""{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[]}""", "The file is in urn:ogc:def:crs:EPSG::27700")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[-3.24,56.41],[-3.23,56.42]]},"properties":{}},{"type":"Feature","geometry":{"type":"LineString","coordinates":[[318000,724000],[318100,724050]]},"properties":{}}]}""", "Feature 1: Coordinates are outside longitude/latitude range")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-3.24,56.41]},"properties":{}}]}""", "Feature 0: The geometry is a Point; this project takes LineString features")]
    public async Task A_bad_GeoJSON_file_is_refused_with_the_reason_and_nothing_is_imported(string geojson, string reason)
    {
        var (staff, id, _) = await ProjectAsync();
        var refused = await ImportAsync(staff, id, geojson);
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        html.ShouldContain("ditches.geojson was not imported, nothing was added. " + reason);
        html.ShouldContain("There is a problem");
        (await site.WithDbAsync(db => db.MapFeatures.CountAsync(f => f.MapProjectId == id))).ShouldBe(0);
    }

    [Fact]
    public async Task Rejecting_needs_a_reason_keeps_the_feature_off_the_public_layer_and_is_audited()
    {
        var (staff, id, slug) = await ProjectAsync();
        var ada = await site.CitizenAsync($"ada-{Guid.NewGuid():N}@example.org", "Ada");
        (await DrawAsync(ada, slug, Ditch, new Dictionary<string, string> { ["condition"] = "good" })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var feature = await site.WithDbAsync(db => db.MapFeatures.Where(f => f.MapProjectId == id).Select(f => f.Id).SingleAsync());
        var page = $"/participation/maps/{id}";
        var f = feature.ToString(CultureInfo.InvariantCulture);

        var noReason = await StaffClient.PostFormAsync(staff, page, page + "?handler=Reject", new Dictionary<string, string> { ["FeatureId"] = f, ["Reason"] = " " });
        noReason.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await noReason.Content.ReadAsStringAsync()).ShouldContain("Enter why the feature is rejected");
        (await site.WithDbAsync(db => db.MapFeatures.Where(x => x.Id == feature).Select(x => x.State).SingleAsync())).ShouldBe(MapFeatureState.Pending);

        (await StaffClient.PostFormAsync(staff, page, page + "?handler=Reject", new Dictionary<string, string> { ["FeatureId"] = f, ["Reason"] = "Drawn along the road, not the ditch" }))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var stored = await site.WithDbAsync(db => db.MapFeatures.SingleAsync(x => x.Id == feature));
        stored.State.ShouldBe(MapFeatureState.Rejected);
        stored.RejectedReason.ShouldBe("Drawn along the road, not the ditch");
        (await site.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "map.feature-rejected" && e.TargetId == f))).ShouldBe(1);
        (await StaffClient.Anonymous(site).GetStringAsync($"/participate/maps/{slug}/features.geojson")).ShouldNotContain("coordinates");
    }

    [Fact]
    public async Task A_verified_feature_becomes_a_case_for_the_owning_team_once()
    {
        var (staff, id, slug) = await ProjectAsync();
        var ada = await site.CitizenAsync($"ada-{Guid.NewGuid():N}@example.org", "Ada");
        (await DrawAsync(ada, slug, Ditch, new Dictionary<string, string> { ["condition"] = "blocked" })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var feature = (await site.WithDbAsync(db => db.MapFeatures.Where(f => f.MapProjectId == id).Select(f => f.Id).SingleAsync())).ToString(CultureInfo.InvariantCulture);
        var page = $"/participation/maps/{id}";

        var early = await StaffClient.PostFormAsync(staff, page, page + "?handler=Case", new Dictionary<string, string> { ["FeatureId"] = feature });
        (await early.Content.ReadAsStringAsync()).ShouldContain("Verify the feature before opening a case from it");

        await StaffClient.PostFormAsync(staff, page, page + "?handler=Verify", new Dictionary<string, string> { ["FeatureId"] = feature });
        (await StaffClient.PostFormAsync(staff, page, page + "?handler=Case", new Dictionary<string, string> { ["FeatureId"] = feature })).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await StaffClient.PostFormAsync(staff, page, page + "?handler=Case", new Dictionary<string, string> { ["FeatureId"] = feature })).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var opened = await site.WithDbAsync(db => db.Cases.Where(c => db.MapFeatures.Any(f => f.MapProjectId == id && f.CaseId == c.Id)).ToListAsync());
        opened.Count.ShouldBe(1);
        opened[0].ServiceCode.ShouldBe("drainage");
        opened[0].TeamId.ShouldBe(site.Organisation.Teams["Highways"]);
        opened[0].Title.ShouldContain("(blocked)");
        opened[0].Latitude!.Value.ShouldBeInRange(56.41, 56.412);
        (await site.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "map.feature-case-opened" && e.TargetId == feature))).ShouldBe(1);
        (await staff.GetStringAsync(page)).ShouldContain(opened[0].Reference);
    }

    [Fact]
    public async Task Adding_a_feature_checks_the_drawing_the_attributes_and_the_photo_by_its_bytes_and_needs_an_account()
    {
        var (_, id, slug) = await ProjectAsync(photo: true);
        var anonymous = StaffClient.Anonymous(site);
        (await anonymous.GetStringAsync($"/participate/maps/{slug}")).ShouldContain("to add a line");
        var token = await StaffClient.AntiforgeryTokenAsync(anonymous, "/participate/sign-in");
        var refusedAnonymous = await anonymous.PostAsync($"/participate/maps/{slug}", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["Geometry"] = Ditch }));
        refusedAnonymous.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        refusedAnonymous.Headers.Location!.OriginalString.ShouldStartWith("/participate/sign-in");

        var ada = await site.CitizenAsync($"ada-{Guid.NewGuid():N}@example.org", "Ada");
        var point = await DrawAsync(ada, slug, """{"type":"Point","coordinates":[-3.24,56.41]}""", new Dictionary<string, string> { ["condition"] = "sideways" },
            "not a photo"u8.ToArray(), "ditch.jpg");
        point.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = WebUtility.HtmlDecode(await point.Content.ReadAsStringAsync());
        html.ShouldContain("The geometry is a Point; this project takes LineString features");
        html.ShouldContain("Select one of the options for condition");
        html.ShouldContain("must be a JPG, PNG, WebP or HEIC photo");

        var noPhoto = WebUtility.HtmlDecode(await (await DrawAsync(ada, slug, Ditch, new Dictionary<string, string>())).Content.ReadAsStringAsync());
        noPhoto.ShouldContain("Select the condition");
        noPhoto.ShouldContain("Select a photo of the feature");
        (await site.WithDbAsync(db => db.MapFeatures.CountAsync(f => f.MapProjectId == id))).ShouldBe(0);

        (await DrawAsync(ada, slug, Ditch, new Dictionary<string, string> { ["condition"] = "collapsed" }, Png)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var stored = await site.WithDbAsync(db => db.MapFeatures.SingleAsync(f => f.MapProjectId == id));
        stored.PhotoContentType.ShouldBe("image/png");
        var staff = await StaffClient.SignInAsync(site, site.Organisation, Roles.Agent);
        var photo = await staff.GetAsync($"/participation/maps/{id}?handler=Photo&feature={stored.Id}");
        photo.StatusCode.ShouldBe(HttpStatusCode.OK);
        photo.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
    }

    [Fact]
    public async Task A_bad_schema_is_refused_with_its_line_and_an_analyst_cannot_manage_projects()
    {
        var staff = await StaffClient.SignInAsync(site, site.Organisation, Roles.Agent);
        var bad = await StaffClient.PostFormAsync(staff, "/participation/maps", "/participation/maps", new Dictionary<string, string>
        {
            ["Input.Title"] = "Hedges", ["Input.Geometry"] = "Line", ["Input.Attributes"] = "Notes\nCondition: good", ["Input.Colour"] = "#00703c",
            ["Input.OwnerTeamId"] = site.Organisation.Teams["Highways"].ToString(CultureInfo.InvariantCulture),
        });
        bad.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("Line 2: a choice needs 2 to 20 options");

        var analyst = await StaffClient.SignInAsync(site, site.Organisation, Roles.Analyst);
        var refused = await analyst.GetAsync("/participation/maps");
        refused.StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.Redirect);
        if (refused.StatusCode == HttpStatusCode.Redirect) refused.Headers.Location!.OriginalString.ShouldContain("access-denied");
    }
}
