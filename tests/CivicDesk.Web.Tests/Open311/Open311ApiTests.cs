using System.Xml.Linq;
using CivicDesk.Web.Features.Open311;

namespace CivicDesk.Web.Tests.Open311;

/// <summary>Every GeoReport v2 call in XML and JSON (the case side is the in-memory boundary double).</summary>
public sealed class Open311ApiTests(Open311Fixture fx) : IClassFixture<Open311Fixture>
{
    private const string J = "jurisdiction_id=" + Open311Fixture.Jurisdiction;

    [Theory]
    [InlineData("xml", "text/xml")]
    [InlineData("json", "application/json")]
    public async Task Services_list_the_services_with_group_keywords_and_metadata(string format, string contentType)
    {
        var (status, body, type) = await fx.GetAsync($"services.{format}?{J}");

        status.ShouldBe(200);
        type.ShouldBe(contentType);
        var services = Open311Read.Items(format, body, "services", "service");
        var pothole = services.Single(s => s["service_code"] == "potholes");
        pothole["service_name"].ShouldBe("Potholes");
        pothole["group"].ShouldBe("Highways");
        pothole["keywords"].ShouldBe("roads, potholes");
        pothole["metadata"].ShouldBe("true");
        pothole["type"].ShouldBe("realtime");
        services.Single(s => s["service_code"] == "fly-tipping")["metadata"].ShouldBe("false");
    }

    [Fact]
    public async Task Service_definition_xml_has_the_specs_elements()
    {
        var (status, body, _) = await fx.GetAsync($"services/potholes.xml?{J}");

        status.ShouldBe(200);
        var root = XDocument.Parse(body).Root!;
        root.Name.LocalName.ShouldBe("service_definition");
        root.Element("service_code")!.Value.ShouldBe("potholes");
        var depth = root.Element("attributes")!.Elements("attribute").First();
        depth.Elements().Select(e => e.Name.LocalName).ShouldBe(["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"]);
        depth.Element("datatype")!.Value.ShouldBe("singlevaluelist");
        depth.Element("required")!.Value.ShouldBe("true");
        depth.Element("values")!.Elements("value").Select(v => v.Element("key")!.Value + "=" + v.Element("name")!.Value)
            .ShouldBe(["shallow=Less than 5cm", "deep=5cm or more"]);
        root.Element("attributes")!.Elements("attribute").Last().Element("datatype")!.Value.ShouldBe("number");
    }

    [Fact]
    public async Task Service_definition_json_is_an_object_with_attributes()
    {
        var (status, body, _) = await fx.GetAsync($"services/potholes.json?{J}");

        status.ShouldBe(200);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        json.RootElement.GetProperty("service_code").GetString().ShouldBe("potholes");
        var depth = json.RootElement.GetProperty("attributes")[0];
        depth.GetProperty("variable").GetBoolean().ShouldBeTrue();
        depth.GetProperty("order").GetInt32().ShouldBe(1);
        depth.GetProperty("values")[1].GetProperty("key").GetString().ShouldBe("deep");
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("json")]
    public async Task Post_request_creates_a_case_and_answers_its_id(string format)
    {
        var (status, body, _) = await fx.PostAsync($"requests.{format}", fx.CreateForm(("email", "resident@example.org"), ("first_name", "Sam"),
            ("last_name", "Jones"), ("phone", "01234 567890"), ("device_id", "dev-1"), ("account_id", "acc-" + format), ("media_url", "https://example.org/p.jpg"),
            ("attribute[width_cm]", "40")));

        status.ShouldBe(200, body);
        var answer = Open311Read.Items(format, body, "service_requests", "request").ShouldHaveSingleItem();
        answer["service_request_id"].ShouldStartWith("CS-");
        answer["account_id"].ShouldBe("acc-" + format);
        var created = fx.Cases.Created.Single(c => c.AccountId == "acc-" + format);
        created.MediaUrls.ShouldBe(["https://example.org/p.jpg"]);
        created.Email.ShouldBe("resident@example.org");
        created.FirstName.ShouldBe("Sam");
        created.DeviceId.ShouldBe("dev-1");
        created.Attributes["depth"].ShouldBe("deep");
        created.Attributes["width_cm"].ShouldBe("40");
        created.Latitude.ShouldBe(51.8994);
        created.ClientName.ShouldBe("FixMyStreet");
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("json")]
    public async Task Get_requests_by_id_shows_the_spec_fields_and_no_personal_data(string format)
    {
        var (_, created, _) = await fx.PostAsync("requests.xml", fx.CreateForm(("email", "private@example.org"), ("first_name", "Private"), ("phone", "07000 000000")));
        var id = XDocument.Parse(created).Root!.Element("request")!.Element("service_request_id")!.Value;

        var (status, body, _) = await fx.GetAsync($"requests.{format}?{J}&service_request_id={id},CS-nope");

        status.ShouldBe(200);
        var request = Open311Read.Items(format, body, "service_requests", "request").ShouldHaveSingleItem();
        request.Keys.ShouldBe(["service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
            "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]);
        request["status"].ShouldBe("open");
        request["expected_datetime"].ShouldNotBeNull().ShouldMatch(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$");
        body.ShouldNotContain("private@example.org");
        body.ShouldNotContain("07000");
        body.ShouldNotContain("Private");
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("json")]
    public async Task Get_one_request_and_filters_by_service_status_and_dates(string format)
    {
        var (_, created, _) = await fx.PostAsync("requests.json", fx.CreateForm(("service_code", "fly-tipping"), ("attribute[depth]", null)));
        var id = System.Text.Json.JsonDocument.Parse(created).RootElement[0].GetProperty("service_request_id").GetString()!;

        (await fx.GetAsync($"requests/{id}.{format}?{J}")).Status.ShouldBe(200);
        var start = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:sszzz"));
        var (status, body, _) = await fx.GetAsync($"requests.{format}?{J}&service_code=fly-tipping&status=open&start_date={start}");
        status.ShouldBe(200);
        Open311Read.Items(format, body, "service_requests", "request").ShouldContain(r => r["service_request_id"] == id);
        var (_, closedOnly, _) = await fx.GetAsync($"requests.{format}?{J}&service_code=fly-tipping&status=closed");
        Open311Read.Items(format, closedOnly, "service_requests", "request").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("json")]
    public async Task Token_resolves_to_the_request(string format)
    {
        var token = fx.Cases.Tokens.Keys.FirstOrDefault() ?? await CreateAndTakeTokenAsync();

        var (status, body, _) = await fx.GetAsync($"tokens/{token}.{format}?{J}");

        status.ShouldBe(200);
        var answer = Open311Read.Items(format, body, "service_requests", "request").ShouldHaveSingleItem();
        answer["token"].ShouldBe(token);
        answer["service_request_id"].ShouldBe(fx.Cases.Tokens[token]);
    }

    private async Task<string> CreateAndTakeTokenAsync()
    {
        await fx.PostAsync("requests.xml", fx.CreateForm());
        return fx.Cases.Tokens.Keys.First();
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("json")]
    public async Task Discovery_lists_the_v2_endpoint_and_both_formats(string format)
    {
        foreach (var path in new[] { $"/open311/discovery.{format}", $"/open311/v2/discovery.{format}" })
        {
            var (status, body, _) = await fx.GetAsync(path);
            status.ShouldBe(200);
            if (format == "xml")
            {
                var root = XDocument.Parse(body).Root!;
                root.Name.LocalName.ShouldBe("discovery");
                root.Elements().Select(e => e.Name.LocalName).ShouldBe(["changeset", "contact", "key_service", "endpoints"]);
                var endpoint = root.Element("endpoints")!.Element("endpoint")!;
                endpoint.Element("specification")!.Value.ShouldBe("http://wiki.open311.org/GeoReport_v2");
                endpoint.Element("url")!.Value.ShouldEndWith("/open311/v2/");
                endpoint.Element("type")!.Value.ShouldBe("test");
                endpoint.Element("formats")!.Elements("format").Select(f => f.Value).ShouldBe(["text/xml", "application/json"]);
            }
            else
            {
                using var json = System.Text.Json.JsonDocument.Parse(body);
                json.RootElement.GetProperty("endpoints")[0].GetProperty("formats")[1].GetString().ShouldBe("application/json");
            }
        }
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("json")]
    public async Task Service_request_updates_post_is_idempotent_and_get_lists_them(string format)
    {
        var (_, created, _) = await fx.PostAsync("requests.xml", fx.CreateForm());
        var id = XDocument.Parse(created).Root!.Element("request")!.Element("service_request_id")!.Value;
        var updateId = "upd-" + format + Guid.NewGuid().ToString("N")[..6];
        var form = new Dictionary<string, string>
        {
            ["jurisdiction_id"] = Open311Fixture.Jurisdiction, ["api_key"] = fx.ApiKey, ["service_request_id"] = id, ["update_id"] = updateId,
            ["status"] = "IN_PROGRESS", ["updated_datetime"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:sszzz"), ["description"] = "Crew booked",
            ["external_status_code"] = "1600",
        };

        var first = await fx.PostAsync($"servicerequestupdates.{format}", form);
        var second = await fx.PostAsync($"servicerequestupdates.{format}", form);

        first.Status.ShouldBe(200, first.Body);
        second.Status.ShouldBe(200);
        Open311Read.Items(format, first.Body, "service_request_updates", "request_update").ShouldHaveSingleItem()["update_id"].ShouldBe(updateId);
        Open311Read.Items(format, second.Body, "service_request_updates", "request_update").ShouldHaveSingleItem()["update_id"].ShouldBe(updateId);
        fx.Cases.Updates.Count(u => u.UpdateId == updateId).ShouldBe(1);
        fx.Cases.Updates.Single(u => u.UpdateId == updateId).Status.ShouldBe(Open311Status.InProgress);

        var (status, body, _) = await fx.GetAsync($"servicerequestupdates.{format}?{J}&api_key={Uri.EscapeDataString(fx.ApiKey)}");
        status.ShouldBe(200);
        var update = Open311Read.Items(format, body, "service_requests_updates", "request_update").Single(u => u["update_id"] == updateId);
        update["status"].ShouldBe("IN_PROGRESS");
        update["service_request_id"].ShouldBe(id);
        update["external_status_code"].ShouldBe("1600");
        update.Keys.ShouldBe(["update_id", "service_request_id", "status", "updated_datetime", "description", "media_url", "external_status_code", "customer_reference"]);
    }

    [Fact]
    public async Task Multipart_create_stores_photos_checked_by_their_bytes()
    {
        using var content = new MultipartFormDataContent();
        foreach (var (k, v) in fx.CreateForm(("description", "multipart with a photo")))
        {
            content.Add(new StringContent(v), k);
        }

        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0];
        content.Add(new ByteArrayContent(jpeg), "photo1", "pothole.jpg");

        var (status, body, _) = await fx.SendAsync(HttpMethod.Post, "requests.xml", content);

        status.ShouldBe(200, body);
        var id = XDocument.Parse(body).Root!.Element("request")!.Element("service_request_id")!.Value;
        fx.Cases.Requests[id].Description.ShouldBe("multipart with a photo");
        var created = fx.Cases.Created.Single(c => c.Description == "multipart with a photo");
        created.Photos[0].ContentType.ShouldBe("image/jpeg");
        File.Exists(Path.Combine(fx.Factory.DataDirectory, created.Photos[0].StoredPath!)).ShouldBeTrue();
    }
}
