using System.Text;
using System.Xml.Linq;
using CivicDesk.Web.Features.Open311;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Open311;

/// <summary>
/// Requests replayed as FixMyStreet's Open311 client (perllib/Open311.pm) sends them: XML only; its endpoint setting is
/// the base URL with a trailing slash and method paths are appended to it; jurisdiction_id on every call and api_key in
/// every POST body (also on GET servicerequestupdates); a description of "title/detail/url/Submitted via FixMyStreet"
/// joined with CRLF; deviceid (not device_id); attribute[…] for extra questions and its own ids; a token polled with
/// GET tokens/{token}.xml when a create answers with one.
/// </summary>
public sealed class FixMyStreetDialectTests(Open311Fixture fx) : IClassFixture<Open311Fixture>
{
    private const string Description =
        "title: Pothole outside number 12\r\n\r\ndetail: Deep enough to damage a wheel.\r\nNear the bus stop.\r\n\r\n" +
        "url: https://fixmystreet.example/report/4242\r\n\r\nSubmitted via FixMyStreet\r\n";

    /// <summary>The form body exactly as LWP's POST builds it: fields in FixMyStreet's order, encoded by hand.</summary>
    private string FmsBody(string serviceCode = "potholes") => string.Join('&', new (string, string)[]
    {
        ("jurisdiction_id", Open311Fixture.Jurisdiction),
        ("api_key", fx.ApiKey),
        ("lat", "51.899400"),
        ("long", "-2.078300"),
        ("email", "reporter@example.net"),
        ("description", Description),
        ("service_code", serviceCode),
        ("first_name", "Alex"),
        ("last_name", "Reporter"),
        ("deviceid", "fms-ios-7f3a"),
        ("media_url", "https://fixmystreet.example/photo/4242.0.full.jpeg"),
        ("attribute[depth]", "deep"),
        ("attribute[fixmystreet_id]", "4242"),
        ("attribute[title]", "Pothole outside number 12"),
        ("attribute[report_url]", "https://fixmystreet.example/report/4242"),
    }.Select(p => Uri.EscapeDataString(p.Item1).Replace("%5B", "[", StringComparison.Ordinal).Replace("%5D", "]", StringComparison.Ordinal) + "=" + Uri.EscapeDataString(p.Item2)));

    private async Task<(int Status, string Body)> FmsPostAsync(string path, string body)
    {
        // FixMyStreet: URI->new($endpoint); $uri->path($uri->path . $path) — the base must end with "/".
        using var content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
        var response = await fx.Client.PostAsync(path, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Create_keeps_crlf_in_the_description_and_gives_them_back_in_xml()
    {
        var (status, body) = await FmsPostAsync("requests.xml", FmsBody());

        status.ShouldBe(200, body);
        // XML::Simple reads $obj->{request}->{service_request_id}.
        var id = XDocument.Parse(body).Root!.Element("request")!.Element("service_request_id")!.Value;
        var created = fx.Cases.Created.Single(c => c.Attributes.GetValueOrDefault("fixmystreet_id") == "4242");
        created.Description.ShouldBe(Description);
        created.DeviceId.ShouldBe("fms-ios-7f3a");
        created.Attributes["report_url"].ShouldBe("https://fixmystreet.example/report/4242");

        // FixMyStreet reads back with its api_key: a trusted client sees the description as sent.
        var (_, list, _) = await fx.GetAsync($"requests.xml?jurisdiction_id={Open311Fixture.Jurisdiction}&api_key={Uri.EscapeDataString(fx.ApiKey)}&service_request_id={id}");
        list.ShouldContain("&#xD;");
        var description = XDocument.Parse(list).Root!.Element("request")!.Element("description")!.Value;
        description.ShouldBe(Description);
    }

    [Fact]
    public async Task Create_in_token_mode_answers_a_token_that_polling_resolves()
    {
        await SetTokenModeAsync(true);
        try
        {
            var (status, body) = await FmsPostAsync("requests.xml", FmsBody());

            status.ShouldBe(200, body);
            var request = XDocument.Parse(body).Root!.Element("request")!;
            request.Element("service_request_id").ShouldBeNull();
            var token = request.Element("token")!.Value;
            // Open311.pm polls GET tokens/{token}.xml with jurisdiction_id until service_request_id is there.
            var (pollStatus, poll, _) = await fx.GetAsync($"tokens/{token}.xml?jurisdiction_id={Open311Fixture.Jurisdiction}");
            pollStatus.ShouldBe(200);
            XDocument.Parse(poll).Root!.Element("request")!.Element("service_request_id")!.Value.ShouldBe(fx.Cases.Tokens[token]);
        }
        finally
        {
            await SetTokenModeAsync(false);
        }
    }

    [Fact]
    public async Task Comment_update_is_posted_with_the_fms_field_set_and_answers_update_id()
    {
        var (_, created) = await FmsPostAsync("requests.xml", FmsBody());
        var id = XDocument.Parse(created).Root!.Element("request")!.Element("service_request_id")!.Value;
        var body = string.Join('&', new (string, string)[]
        {
            ("jurisdiction_id", Open311Fixture.Jurisdiction), ("api_key", fx.ApiKey), ("update_id", "987"), ("updated_datetime", "2026-11-21T14:05:09+00:00"),
            ("service_request_id", id), ("status", "OPEN"), ("email", "reporter@example.net"), ("first_name", "Alex"), ("last_name", "-"),
            ("description", "Still there this morning.\r\nPlease hurry."),
        }.Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2)));

        var (status, answer) = await FmsPostAsync("servicerequestupdates.xml", body);

        status.ShouldBe(200, answer);
        // Open311.pm: $obj->{request_update}->{update_id}.
        XDocument.Parse(answer).Root!.Element("request_update")!.Element("update_id")!.Value.ShouldBe("987");
        var update = fx.Cases.Updates.Single(u => u.UpdateId == "987");
        update.Description.ShouldBe("Still there this morning.\r\nPlease hurry.");
        update.Status.ShouldBe(Open311Status.Open);
        update.LastName.ShouldBe("-");
    }

    [Fact]
    public async Task Service_list_and_definition_parse_as_fms_reads_them()
    {
        var (_, services, _) = await fx.GetAsync($"services.xml?jurisdiction_id={Open311Fixture.Jurisdiction}");
        var pothole = XDocument.Parse(services).Root!.Elements("service").Single(s => s.Element("service_code")!.Value == "potholes");
        pothole.Element("metadata")!.Value.ShouldBe("true");

        var (_, definition, _) = await fx.GetAsync($"services/potholes.xml?jurisdiction_id={Open311Fixture.Jurisdiction}");
        var attribute = XDocument.Parse(definition).Root!.Element("attributes")!.Elements("attribute").First();
        attribute.Element("code")!.Value.ShouldBe("depth");
    }

    [Fact]
    public async Task A_base_url_without_the_trailing_slash_gets_an_error_document_saying_so()
    {
        // "…/open311/v2" + "requests.xml" = "…/open311/v2requests.xml": the classic misconfiguration.
        using var content = new StringContent(FmsBody(), Encoding.UTF8, "application/x-www-form-urlencoded");
        var response = await fx.Client.PostAsync("/open311/v2requests.xml", content);

        ((int)response.StatusCode).ShouldBe(404);
        var error = Open311Read.Errors("xml", await response.Content.ReadAsStringAsync()).ShouldHaveSingleItem();
        error.Description.ShouldContain("with the trailing slash");
    }

    [Fact]
    public async Task Jurisdiction_id_may_be_left_out_when_the_server_has_one_jurisdiction()
    {
        var (status, body, _) = await fx.GetAsync("services.xml");

        status.ShouldBe(200, body);
        XDocument.Parse(body).Root!.Elements("service").ShouldNotBeEmpty();
    }

    private async Task SetTokenModeAsync(bool on)
    {
        await using var scope = fx.Factory.ScopeFor(fx.Org.Id);
        (await scope.ServiceProvider.GetRequiredService<Open311ClientKeys>().SetJurisdictionAsync(fx.Org.Id, Open311Fixture.Jurisdiction, on, default)).ShouldBeTrue();
    }
}
