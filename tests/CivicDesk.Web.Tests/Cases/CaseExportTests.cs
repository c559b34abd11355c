using System.Net;
using System.Text.Json;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Tests.Inbox;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Case = CivicDesk.Web.Domain.Case;

namespace CivicDesk.Web.Tests.Cases;

public sealed class CaseExportTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private const string ReporterName = "Priya Reporterson";
    private const string ReporterEmail = "priya.reporterson@example.org";

    [Fact]
    public async Task Csv_has_the_documented_columns_applies_the_filter_and_is_audited()
    {
        var (org, pothole, tipping) = await ArrangeAsync();
        var comms = await StaffClient.SignInAsync(factory, org, "Comms");

        var response = await comms.GetAsync("/cases/export.csv?service=flytipping");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var text = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF');
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe(string.Join(',', CaseExport.CsvColumns));
        lines.Length.ShouldBe(2, "the filter is applied: only the fly-tipping case");
        lines[1].ShouldStartWith(tipping.Reference + ",");
        text.ShouldNotContain(pothole.Reference);
        text.ShouldNotContain(ReporterName);
        text.ShouldNotContain(ReporterEmail);

        var audit = await CaseTestData.WithDbAsync(factory, org.Id, db => db.AuditEvents.SingleAsync(a => a.Action == "cases.exported"));
        audit.After!.ShouldContain("csv: 1 case(s)");
        audit.After!.ShouldContain("service=flytipping");
    }

    [Fact]
    public async Task Csv_escapes_formulas_in_citizen_text()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        await CaseTestData.CaseAsync(factory, org, "=HYPERLINK(\"http://evil.example\")", CaseTestData.General);
        var comms = await StaffClient.SignInAsync(factory, org, "Comms");
        var text = await comms.GetStringAsync("/cases/export.csv");
        text.ShouldNotContain(",=HYPERLINK");
        text.ShouldContain("'=HYPERLINK");
    }

    [Fact]
    public async Task GeoJson_is_a_feature_collection_of_points_in_longitude_latitude_order_without_personal_data()
    {
        var (org, pothole, tipping) = await ArrangeAsync();
        var comms = await StaffClient.SignInAsync(factory, org, "Comms");

        var response = await comms.GetAsync("/cases/export.geojson");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/geo+json");
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldNotContain(ReporterName);
        body.ShouldNotContain(ReporterEmail);
        body.ShouldNotContain("tyre", Shouldly.Case.Insensitive, "no citizen free text in GeoJSON properties");

        using var json = JsonDocument.Parse(body);
        json.RootElement.GetProperty("type").GetString().ShouldBe("FeatureCollection");
        var features = json.RootElement.GetProperty("features").EnumerateArray().ToList();
        features.Count.ShouldBe(2);
        var potholeFeature = features.Single(f => f.GetProperty("properties").GetProperty("reference").GetString() == pothole.Reference);
        potholeFeature.GetProperty("geometry").GetProperty("type").GetString().ShouldBe("Point");
        var coordinates = potholeFeature.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(c => c.GetDouble()).ToList();
        coordinates.ShouldBe([-2.0783, 51.8994], "RFC 7946: longitude first");
        potholeFeature.GetProperty("properties").GetProperty("service").GetString().ShouldBe("Potholes and damaged roads");

        var filtered = await comms.GetStringAsync("/cases/export.geojson?service=flytipping");
        using var one = JsonDocument.Parse(filtered);
        one.RootElement.GetProperty("features").EnumerateArray().Single().GetProperty("id").GetString().ShouldBe(tipping.Reference);
        (await CaseTestData.WithDbAsync(factory, org.Id, db => db.AuditEvents.CountAsync(a => a.Action == "cases.exported"))).ShouldBe(2);
    }

    [Fact]
    public async Task Exports_contain_only_cases_the_viewer_may_see()
    {
        var (org, _, _) = await ArrangeAsync();
        var agent = await StaffClient.SignInAsync(factory, org, "Agent");
        var text = await agent.GetStringAsync("/cases/export.csv");
        text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1, "the agent's team has none of these cases: header only");
    }

    private async Task<(TestOrganisation Org, Case Pothole, Case Tipping)> ArrangeAsync()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await CaseTestData.ServicesAsync(factory, org);
        var conversation = await InboxTestData.ConversationAsync(factory, org, "Pothole on Lansdown Road", c => { c.CitizenName = ReporterName; c.CitizenEmail = ReporterEmail; });
        var messageIds = await CaseTestData.WithDbAsync(factory, org.Id, db => db.Messages.Where(m => m.ConversationId == conversation.Id).Select(m => m.Id).ToListAsync());
        var pothole = await CaseTestData.CaseAsync(factory, org, "Pothole on Lansdown Road", latitude: 51.8994, longitude: -2.0783, messageIds: messageIds);
        var tipping = await CaseTestData.CaseAsync(factory, org, "Sofa dumped in Hatherley Lane", CaseTestData.Flytipping, 51.88, -2.1);
        return (org, pothole, tipping);
    }
}
