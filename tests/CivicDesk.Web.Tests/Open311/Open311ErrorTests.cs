using CivicDesk.Web.Features.Open311;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Open311;

/// <summary>Every error docs/open311.md lists: the HTTP status and the spec's error document, in both formats.</summary>
public sealed class Open311ErrorTests(Open311Fixture fx) : IClassFixture<Open311Fixture>
{
    private const string J = "jurisdiction_id=" + Open311Fixture.Jurisdiction;

    /// <summary>GET cases: name → (path and query, status, part of the description).</summary>
    public static TheoryData<string, string> GetCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in GetTable.Keys)
        {
            data.Add(name, "xml");
            data.Add(name, "json");
        }

        return data;
    }

    private static readonly Dictionary<string, (string Path, int Status, string Description)> GetTable = new()
    {
        ["unknown jurisdiction"] = ("services.{f}?jurisdiction_id=nowhere", 404, "jurisdiction_id nowhere was not found"),
        ["unknown service definition"] = ("services/nope.{f}?" + J, 404, "service_code nope was not found"),
        ["unknown request"] = ("requests/CS-0.{f}?" + J, 404, "service_request_id CS-0 was not found"),
        ["unknown token"] = ("tokens/abc.{f}?" + J, 404, "token abc was not found"),
        ["bad start_date"] = ("requests.{f}?" + J + "&start_date=yesterday", 400, "start_date must be a W3C datetime"),
        ["bad end_date"] = ("requests.{f}?" + J + "&end_date=2026-13-45", 400, "end_date must be a W3C datetime"),
        ["start after end"] = ("requests.{f}?" + J + "&start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", 400, "start_date must be before end_date"),
        ["window over 90 days"] = ("requests.{f}?" + J + "&start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", 400, "at most 90 days apart"),
        ["bad status"] = ("requests.{f}?" + J + "&status=pending", 400, "status must be open, closed"),
        ["bad max_requests"] = ("requests.{f}?" + J + "&max_requests=-3", 400, "max_requests must be a positive whole number"),
        ["updates with a wrong key"] = ("servicerequestupdates.{f}?" + J + "&api_key=wrong-key-123", 403, "api_key is not valid"),
        ["updates with a bad date"] = ("servicerequestupdates.{f}?" + J + "&start_date=soon", 400, "start_date must be a W3C datetime"),
        ["unknown method"] = ("requests/CS-1/comments.{f}?" + J, 404, "No Open311 method"),
    };

    [Theory]
    [MemberData(nameof(GetCases))]
    public async Task Get_errors_have_the_status_and_the_spec_error_document(string name, string format)
    {
        var (path, status, description) = GetTable[name];

        var response = await fx.GetAsync(path.Replace("{f}", format, StringComparison.Ordinal));

        response.Status.ShouldBe(status, response.Body);
        var error = Open311Read.Errors(format, response.Body).ShouldHaveSingleItem();
        error.Code.ShouldBe(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        error.Description.ShouldContain(description);
    }

    private static readonly Dictionary<string, ((string Key, string? Value)[] Changes, int Status, string Description)> PostTable = new()
    {
        ["missing api_key"] = ([("api_key", null)], 403, "api_key is required"),
        ["wrong api_key"] = ([("api_key", "cdk_not-a-key")], 403, "api_key is not valid for this jurisdiction_id"),
        ["unknown jurisdiction"] = ([("jurisdiction_id", "elsewhere")], 404, "jurisdiction_id elsewhere was not found"),
        ["missing service_code"] = ([("service_code", null)], 400, "service_code is required"),
        ["unknown service_code"] = ([("service_code", "dragons")], 404, "service_code dragons was not found"),
        ["no location"] = ([("lat", null), ("long", null)], 400, "A location is required"),
        ["lat without long"] = ([("long", null)], 400, "lat and long must be sent together"),
        ["lat out of range"] = ([("lat", "91")], 400, "lat must be a number between -90 and 90"),
        ["required attribute missing"] = ([("attribute[depth]", null)], 400, "attribute[depth] is required"),
        ["attribute not in the list"] = ([("attribute[depth]", "bottomless")], 400, "attribute[depth] value bottomless is not one of: shallow, deep"),
        ["attribute not a number"] = ([("attribute[width_cm]", "wide")], 400, "attribute[width_cm] must be a number"),
        ["description too long"] = ([("description", new string('x', 4001))], 400, "description must be 4,000 characters or fewer"),
        ["bad email"] = ([("email", "not an address")], 400, "email is not a valid email address"),
        ["bad media_url"] = ([("media_url", "javascript:alert(1)")], 400, "media_url must be an absolute http or https URL"),
    };

    public static TheoryData<string, string> PostCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in PostTable.Keys)
        {
            data.Add(name, "xml");
            data.Add(name, "json");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PostCases))]
    public async Task Post_request_errors_have_the_status_and_the_spec_error_document(string name, string format)
    {
        var (changes, status, description) = PostTable[name];
        var before = fx.Cases.Created.Count;

        var response = await fx.PostAsync($"requests.{format}", fx.CreateForm(changes));

        response.Status.ShouldBe(status, response.Body);
        Open311Read.Errors(format, response.Body).ShouldContain(e => e.Code == status.ToString(System.Globalization.CultureInfo.InvariantCulture) && e.Description.Contains(description));
        fx.Cases.Created.Count.ShouldBe(before);
    }

    [Fact]
    public async Task Several_problems_are_reported_together()
    {
        var response = await fx.PostAsync("requests.xml", fx.CreateForm(("lat", null), ("long", null), ("attribute[depth]", null), ("email", "nope")));

        response.Status.ShouldBe(400);
        Open311Read.Errors("xml", response.Body).Count.ShouldBe(3);
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("json")]
    public async Task Post_must_be_a_form(string format)
    {
        var response = await fx.SendAsync(HttpMethod.Post, $"requests.{format}", new StringContent("{\"service_code\":\"potholes\"}", System.Text.Encoding.UTF8, "application/json"));

        response.Status.ShouldBe(400);
        Open311Read.Errors(format, response.Body).ShouldHaveSingleItem().Description.ShouldContain("application/x-www-form-urlencoded");
    }

    [Fact]
    public async Task A_photo_that_is_not_an_image_is_refused()
    {
        using var content = new MultipartFormDataContent();
        foreach (var (k, v) in fx.CreateForm())
        {
            content.Add(new StringContent(v), k);
        }

        content.Add(new ByteArrayContent("MZ not really a photo"u8.ToArray()), "photo1", "pothole.jpg");
        var before = fx.Cases.Created.Count;

        var response = await fx.SendAsync(HttpMethod.Post, "requests.xml", content);

        response.Status.ShouldBe(400);
        Open311Read.Errors("xml", response.Body).ShouldHaveSingleItem().Description.ShouldContain("must be a JPG, PNG, WebP or HEIC photo");
        fx.Cases.Created.Count.ShouldBe(before);
    }

    [Fact]
    public async Task An_over_long_body_is_refused_with_413()
    {
        var form = fx.CreateForm(("description", new string('x', 300 * 1024)));

        var response = await fx.PostAsync("requests.xml", form);

        response.Status.ShouldBe(413);
        Open311Read.Errors("xml", response.Body).ShouldHaveSingleItem().Code.ShouldBe("413");
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("json")]
    public async Task Update_errors_name_each_missing_field_and_unknown_requests_are_404(string format)
    {
        var missing = await fx.PostAsync($"servicerequestupdates.{format}",
            new Dictionary<string, string> { ["jurisdiction_id"] = Open311Fixture.Jurisdiction, ["api_key"] = fx.ApiKey, ["status"] = "WHATEVER" });
        missing.Status.ShouldBe(400);
        Open311Read.Errors(format, missing.Body).Select(e => e.Description).ShouldBe(
        [
            "service_request_id is required", "update_id is required",
            "status WHATEVER is not a known status (open, closed or an extended status such as IN_PROGRESS, FIXED)", "updated_datetime is required",
        ]);

        var unknown = await fx.PostAsync($"servicerequestupdates.{format}", new Dictionary<string, string>
        {
            ["jurisdiction_id"] = Open311Fixture.Jurisdiction, ["api_key"] = fx.ApiKey, ["service_request_id"] = "CS-404", ["update_id"] = "u1",
            ["status"] = "FIXED", ["updated_datetime"] = "2026-11-21T10:00:00Z", ["description"] = "Done",
        });
        unknown.Status.ShouldBe(404);
        Open311Read.Errors(format, unknown.Body).ShouldHaveSingleItem().Description.ShouldBe("service_request_id CS-404 was not found");

        var noKey = await fx.PostAsync($"servicerequestupdates.{format}", new Dictionary<string, string> { ["jurisdiction_id"] = Open311Fixture.Jurisdiction });
        noKey.Status.ShouldBe(403);
    }

    [Fact]
    public async Task An_unknown_format_is_404_in_xml()
    {
        var response = await fx.GetAsync($"services.csv?{J}");

        response.Status.ShouldBe(404);
        Open311Read.Errors("xml", response.Body).ShouldHaveSingleItem().Description.ShouldBe("Format csv is not offered: use .xml or .json");
    }

    [Fact]
    public async Task A_revoked_key_stops_working_at_once()
    {
        await using var scope = fx.Factory.ScopeFor(fx.Org.Id);
        var keys = scope.ServiceProvider.GetRequiredService<Open311ClientKeys>();
        var (client, key) = await keys.IssueAsync(fx.Org.Id, "Short-lived CRM", default);
        (await fx.PostAsync("requests.xml", fx.CreateForm(("api_key", key)))).Status.ShouldBe(200);

        (await keys.RevokeAsync(fx.Org.Id, client.Id, default)).ShouldBeTrue();

        var refused = await fx.PostAsync("requests.xml", fx.CreateForm(("api_key", key)));
        refused.Status.ShouldBe(403);
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("json")]
    public async Task An_unexpected_failure_is_a_500_error_document_without_details(string format)
    {
        fx.Cases.Fail = true;
        try
        {
            var response = await fx.GetAsync($"services.{format}?{J}");

            response.Status.ShouldBe(500);
            var error = Open311Read.Errors(format, response.Body).ShouldHaveSingleItem();
            error.Code.ShouldBe("500");
            error.Description.ShouldNotContain("database down");
        }
        finally
        {
            fx.Cases.Fail = false;
        }
    }
}
