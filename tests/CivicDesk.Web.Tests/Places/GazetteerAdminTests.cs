using System.Net;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Ingestion;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Places;

public sealed class GazetteerAdminTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private const string Csv = "name,locality,lat,lon\nHewlett Road,Cheltenham,51.9000,-2.0600\nDog Lane,Witcombe,51.8433,-2.1119\n";

    private static async Task<HttpResponseMessage> ImportAsync(HttpClient client, string csv)
    {
        var token = await StaffClient.AntiforgeryTokenAsync(client, "/admin/gazetteer");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "streets.csv" },
        };
        return await client.PostAsync("/admin/gazetteer?handler=Import", form);
    }

    [Fact]
    public async Task Import_GoodFile_ReplacesTheStreets_IsAudited_AndIsSearchable()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");

        var response = await ImportAsync(admin, Csv);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        html.ShouldContain("Imported 2 streets");
        (await admin.GetStringAsync("/admin/gazetteer?q=hewlett rd")).ShouldContain("51.90000");
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.GazetteerStreets.CountAsync()).ShouldBe(2);
        (await db.AuditEvents.CountAsync(a => a.Action == "gazetteer.imported")).ShouldBe(1);
    }

    [Fact]
    public async Task Import_FileWithABadRow_ChangesNothingAndListsTheRow()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");
        await ImportAsync(admin, Csv);

        var response = await ImportAsync(admin, "name,locality,lat,lon\nBath Road,,51.89,-2.07\nBad Street,,not-a-number,-2.0\n");

        var html = await response.Content.ReadAsStringAsync();
        html.ShouldContain("The file was not imported");
        html.ShouldContain("Line 3: lat &#x27;not-a-number&#x27;");
        await using var scope = factory.ScopeFor(org.Id);
        (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().GazetteerStreets.Select(s => s.Name).OrderBy(n => n).ToListAsync())
            .ShouldBe(["Dog Lane", "Hewlett Road"]);
    }

    [Fact]
    public async Task Ingested_message_naming_a_gazetteer_street_gets_its_point_and_place_but_a_geotag_is_kept()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");
        await ImportAsync(admin, Csv);
        var api = factory.CreateClient();

        var geotagged = IngestClient.Message("gz-2", "Hewlett Rd drain blocked again");
        geotagged["lat"] = 51.5;
        geotagged["lon"] = -0.1;
        await IngestClient.AcceptAsync(api, org.ApiKey, [IngestClient.Message("gz-1", "Hewlett Rd drain blocked again"), geotagged]);

        await using var scope = factory.ScopeFor(org.Id);
        var messages = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Messages.AsNoTracking()
            .Where(m => m.ExternalId.StartsWith("gz-")).OrderBy(m => m.ExternalId).ToListAsync();
        messages[0].Latitude.ShouldBe(51.9);
        messages[0].Longitude.ShouldBe(-2.06);
        messages[0].Place.ShouldBe("Hewlett Road, Cheltenham");
        messages[1].Latitude.ShouldBe(51.5);
        messages[1].Place.ShouldBe("Hewlett Road, Cheltenham");
    }
}
