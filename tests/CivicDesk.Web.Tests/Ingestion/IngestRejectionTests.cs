using System.Net;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Tests.Infrastructure;
using static CivicDesk.Web.Tests.Ingestion.IngestClient;

namespace CivicDesk.Web.Tests.Ingestion;

/// <summary>One organisation for the class: every request here must be refused, so it never stores anything.</summary>
public sealed class IngestRejectionFixture : CivicDeskFactory, IAsyncLifetime
{
    public TestOrganisation Org { get; private set; } = null!;

    public async Task InitializeAsync() => Org = await TestOrganisation.CreateAsync(this);

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
}

public sealed class IngestRejectionTests : IClassFixture<IngestRejectionFixture>
{
    private readonly IngestRejectionFixture _factory;

    public IngestRejectionTests(IngestRejectionFixture factory) => _factory = factory;

    public static TheoryData<string, int, string, string?> Cases => new()
    {
        // case, status, text the problem must contain, error key (validation problems)
        { "no key", 401, "Missing API key", null },
        { "unknown key", 401, "Unknown API key", null },
        { "wrong content type", 415, "application/json", null },
        { "malformed json", 400, "line 1, byte 29", null },
        { "invalid utf-8", 400, "offset 46", null },
        // Found by the fuzzer (bench fuzz, target ingest): valid JSON and valid UTF-8, but the escape names half of a
        // surrogate pair, which no string can hold; it used to throw from JsonElement.GetString and answer 500.
        { "lone surrogate escape", 400, "messages[0].text is not valid Unicode", "messages[0].text" },
        { "no messages", 400, "\"messages\" array", null },
        { "messages not an array", 400, "must be an array", null },
        { "empty batch", 400, "Empty batch", null },
        { "message not an object", 400, "messages[1] must be an object", "messages[1]" },
        { "missing externalId", 400, "messages[1].externalId is missing", "messages[1].externalId" },
        { "missing text", 400, "messages[1].text is missing", "messages[1].text" },
        { "missing authorHandle", 400, "messages[1].authorHandle is missing", "messages[1].authorHandle" },
        { "blank text", 400, "messages[1].text", "messages[1].text" },
        { "text not a string", 400, "messages[1].text must be a string", "messages[1].text" },
        { "text over the limit", 400, "the limit is 10,000", "messages[1].text" },
        { "latitude out of range", 400, "between -90 and 90", "messages[1].lat" },
        { "longitude out of range", 400, "between -180 and 180", "messages[1].lon" },
        { "latitude without longitude", 400, "give both or neither", "messages[1].lon" },
        { "bad createdAt", 400, "ISO 8601", "messages[1].createdAt" },
        { "attachment url not http", 400, "not an absolute http or https URL", "messages[1].attachments[0].url" },
        { "more than 1000 messages", 413, "at most 1,000", null },
        { "body over 4 MiB", 413, "at most 4,194,304 bytes", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Refused_request_answers_a_problem_naming_it_and_stores_nothing(string name, int status, string mention, string? errorKey)
    {
        var org = _factory.Org;
        var valid = Message("ok-1");
        var (key, body, contentType) = name switch
        {
            "no key" => (null, Utf8(Body([valid])), "application/json"),
            "unknown key" => ("cdk_not-a-real-key", Utf8(Body([valid])), "application/json"),
            "wrong content type" => (org.ApiKey, Utf8(Body([valid])), "text/plain"),
            "malformed json" => (org.ApiKey, Utf8("""{"messages": [{"externalId" "x"}]}"""), "application/json"),
            "invalid utf-8" => (org.ApiKey, [.. Utf8("""{"messages": [{"externalId": "1", "text": "caf"""), 0xC3, 0x28, .. Utf8("\", \"authorHandle\": \"@a\"}]}")], "application/json"),
            "no messages" => (org.ApiKey, Utf8("""{"items": []}"""), "application/json"),
            "messages not an array" => (org.ApiKey, Utf8("""{"messages": {"externalId": "1"}}"""), "application/json"),
            "empty batch" => (org.ApiKey, Utf8("""{"messages": []}"""), "application/json"),
            "lone surrogate escape" => (org.ApiKey, Utf8("""{"messages": [{"externalId": "1", "text": "half a pair \ud800 here", "authorHandle": "@a"}]}"""), "application/json"),
            "more than 1000 messages" => (org.ApiKey, Utf8(Body(Enumerable.Range(0, 1_001).Select(i => (object)Message($"m-{i}")))), "application/json"),
            "body over 4 MiB" => (org.ApiKey, Utf8(Body(Enumerable.Range(0, 500).Select(i => (object)Message($"m-{i}", new string('x', 9_000))))), "application/json"),
            _ => (org.ApiKey, Utf8(Body([valid, Broken(name)])), "application/json"),
        };

        using var response = await PostBytesAsync(_factory.CreateClient(), key, body, contentType);
        var text = await response.Content.ReadAsStringAsync();

        ((int)response.StatusCode).ShouldBe(status, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(text);
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(status);
        var title = problem.RootElement.GetProperty("title").GetString().ShouldNotBeNull();
        var detail = problem.RootElement.GetProperty("detail").GetString().ShouldNotBeNull();
        detail.ShouldContain("Nothing was stored");
        $"{title} {detail}".ShouldContain(mention, Case.Sensitive, text);
        if (errorKey is not null)
        {
            problem.RootElement.GetProperty("errors").TryGetProperty(errorKey, out _).ShouldBeTrue(text);
        }

        if (status == 401)
        {
            response.Headers.WwwAuthenticate.ShouldNotBeEmpty();
        }

        (await CountMessagesAsync(_factory, org.Id)).ShouldBe(0);
    }

    [Fact]
    public async Task Every_problem_in_a_batch_is_listed()
    {
        using var response = await PostAsync(_factory.CreateClient(), _factory.Org.ApiKey,
            [Message("ok"), Broken("missing text"), Broken("bad createdAt"), Broken("latitude out of range")]);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name)
            .ShouldBe(["messages[1].text", "messages[2].createdAt", "messages[3].lat"], ignoreOrder: true);
        problem.RootElement.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("2 more problem(s)");
    }

    private static object Broken(string name)
    {
        var m = Message("bad-1");
        switch (name)
        {
            case "message not an object": return "just a string";
            case "missing externalId": m.Remove("externalId"); break;
            case "missing text": m.Remove("text"); break;
            case "missing authorHandle": m.Remove("authorHandle"); break;
            case "blank text": m["text"] = " \u0000\t\n "; break;
            case "text not a string": m["text"] = 42; break;
            case "text over the limit": m["text"] = new string('a', 10_001); break;
            case "latitude out of range": (m["lat"], m["lon"]) = (91.5, 0.1); break;
            case "longitude out of range": (m["lat"], m["lon"]) = (51.5, -180.5); break;
            case "latitude without longitude": m["lat"] = 51.5; break;
            case "bad createdAt": m["createdAt"] = "yesterday at noon"; break;
            case "attachment url not http": m["attachments"] = new[] { new { url = "javascript:alert(1)" } }; break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }

        return m;
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

}
