using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Open311;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// /api/v1/demand: JSON and CSV bodies through the same all-or-nothing validation as the import page, ProblemDetails
/// naming each bad row, the size limit, and integration keys with the demand scope.
/// </summary>
public sealed class DemandApiTests(ManualAggregatesFactory factory) : IClassFixture<ManualAggregatesFactory>
{
    private const string Path = "/api/v1/demand";

    private sealed record Setup(TestOrganisation Org, string Key, string KeyWithoutScope, HttpClient Client);

    private async Task<Setup> SetUpAsync()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await using var scope = factory.ScopeFor(org.Id);
        var keys = scope.ServiceProvider.GetRequiredService<Open311ClientKeys>();
        var (_, key) = await keys.IssueAsync(org.Id, "Telephony", default, scopes: [IntegrationScopes.Demand]);
        var (_, plain) = await keys.IssueAsync(org.Id, "FixMyStreet", default);
        return new Setup(org, key, plain, factory.CreateClient());
    }

    private static async Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string? key, string json) =>
        await SendAsync(client, key, new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string? key, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = content };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return await client.SendAsync(request);
    }

    private async Task<List<ContactCentreDemand>> StoredAsync(long org)
    {
        await using var scope = factory.ScopeFor(org);
        return await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().ContactCentreDemand.AsNoTracking().OrderBy(d => d.Date).ThenBy(d => d.Service).ToListAsync();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.ShouldBe(status);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Json_IsStored_AndReadBack_AndASecondSendReplacesTheDay()
    {
        var s = await SetUpAsync();

        var first = await PostJsonAsync(s.Client, s.Key,
            """[{"date":"2026-01-12","service":"School closures","calls":140,"handledMinutes":812.5},{"date":"2026-01-13","service":"Bins","calls":99}]""");
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await first.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("added").GetInt32().ShouldBe(2);
        body.GetProperty("replaced").GetInt32().ShouldBe(0);
        body.GetProperty("from").GetString().ShouldBe("2026-01-12");
        body.GetProperty("to").GetString().ShouldBe("2026-01-13");

        var again = await PostJsonAsync(s.Client, s.Key, """[{"date":"2026-01-12","service":"school CLOSURES","calls":150}]""");
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replaced").GetInt32().ShouldBe(1);

        var stored = await StoredAsync(s.Org.Id);
        stored.Count.ShouldBe(2);
        var closures = stored.Single(d => d.Date == new DateOnly(2026, 1, 12));
        closures.Calls.ShouldBe(150);
        closures.HandledMinutes.ShouldBeNull();
        closures.ImportedBy.ShouldBe("api:Telephony");

        using var get = new HttpRequestMessage(HttpMethod.Get, $"{Path}?from=2026-01-01&to=2026-01-31&service=bins");
        get.Headers.Add("X-Api-Key", s.Key);
        var read = await s.Client.SendAsync(get);
        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        var rows = (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows");
        rows.GetArrayLength().ShouldBe(1);
        rows[0].GetProperty("service").GetString().ShouldBe("Bins");
        rows[0].GetProperty("calls").GetInt32().ShouldBe(99);
        rows[0].GetProperty("date").GetString().ShouldBe("2026-01-13");
    }

    [Fact]
    public async Task Csv_UsesTheImportFormat()
    {
        var s = await SetUpAsync();

        var response = await SendAsync(s.Client, s.Key, new StringContent("Date,Reason,Calls,handled_minutes\n12/01/2026,Bins,7,30\n2026-01-13,Bins,8,\n", Encoding.UTF8, "text/csv"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stored = await StoredAsync(s.Org.Id);
        stored.Select(d => (d.Date, d.Service, d.Calls, d.HandledMinutes)).ShouldBe([(new DateOnly(2026, 1, 12), "Bins", 7, 30.0), (new DateOnly(2026, 1, 13), "Bins", 8, null)]);
    }

    [Theory]
    [InlineData("""[{"date":"2026-02-30","service":"Bins","calls":3}]""", 0, "is not a date")]
    [InlineData("""[{"service":"Bins","calls":3}]""", 0, "date is missing")]
    [InlineData("""[{"date":"2026-01-01","calls":3}]""", 0, "service is missing")]
    [InlineData("""[{"date":"2026-01-01","service":"Bins","calls":-3}]""", 0, "not a whole number")]
    [InlineData("""[{"date":"2026-01-01","service":"Bins","calls":2.5}]""", 0, "not a whole number")]
    [InlineData("""[{"date":"2026-01-01","service":"Bins"}]""", 0, "calls is missing")]
    [InlineData("""[{"date":"2026-01-01","service":"Bins","calls":3,"handledMinutes":"lots"}]""", 0, "not a number of minutes")]
    [InlineData("""[{"date":"2026-01-01","service":"Bins","calls":3},{"date":"2026-01-01","service":"bins","calls":4}]""", 1, "already at index 0")]
    [InlineData("""[{"date":"2026-01-01","service":"Bins","calls":3}, 7]""", 1, "must be an object")]
    public async Task EachBadRow_IsNamedByIndex_AndNothingIsStored(string json, int index, string reason)
    {
        var s = await SetUpAsync();

        var problem = await ProblemAsync(await PostJsonAsync(s.Client, s.Key, json), HttpStatusCode.BadRequest);

        problem.GetProperty("title").GetString().ShouldBe("Nothing was imported");
        var listed = problem.GetProperty("problems").EnumerateArray().ToList();
        listed.ShouldContain(p => p.GetProperty("index").ValueKind == JsonValueKind.Number && p.GetProperty("index").GetInt32() == index
                                  && p.GetProperty("reason").GetString()!.Contains(reason, StringComparison.Ordinal));
        problem.GetProperty("errors").GetProperty($"$[{index}]").EnumerateArray().ShouldContain(e => e.GetString()!.Contains(reason, StringComparison.Ordinal));
        (await StoredAsync(s.Org.Id)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("{\"date\":\"2026-01-01\"}", "must be a JSON array")]
    [InlineData("[{\"date\":", "not valid JSON")]
    [InlineData("[]", "no rows")]
    public async Task ABadBody_IsOneProblemForTheBody(string json, string reason)
    {
        var s = await SetUpAsync();

        var problem = await ProblemAsync(await PostJsonAsync(s.Client, s.Key, json), HttpStatusCode.BadRequest);

        problem.GetProperty("errors").GetProperty("body")[0].GetString()!.ShouldContain(reason);
        problem.GetProperty("problems")[0].GetProperty("index").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task OneBadRowAmongGoodOnes_RejectsTheBatch_AndKeepsWhatWasStored()
    {
        var s = await SetUpAsync();
        (await PostJsonAsync(s.Client, s.Key, """[{"date":"2026-01-12","service":"Bins","calls":10}]""")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var csv = new StringBuilder("date,service,calls\n2026-01-12,Bins,20\n");
        for (var d = 13; d <= 31; d++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"2026-01-{d},Bins,{(d == 20 ? "twenty" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))}\n");
        }

        var problem = await ProblemAsync(await SendAsync(s.Client, s.Key, new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")), HttpStatusCode.BadRequest);

        var only = problem.GetProperty("problems").EnumerateArray().ShouldHaveSingleItem();
        only.GetProperty("line").GetInt32().ShouldBe(10);
        only.GetProperty("reason").GetString()!.ShouldContain("\"twenty\" is not a whole number");
        problem.GetProperty("errors").GetProperty("line 10").GetArrayLength().ShouldBe(1);
        problem.GetProperty("problemCount").GetInt32().ShouldBe(1);
        var stored = (await StoredAsync(s.Org.Id)).ShouldHaveSingleItem();
        stored.Calls.ShouldBe(10); // the replacement in the rejected batch was not applied
    }

    [Fact]
    public async Task ABodyOverTheLimit_Is413_AndOtherContentTypesAre415()
    {
        var s = await SetUpAsync();
        var big = new StringBuilder("date,service,calls\n");
        while (big.Length <= (5 * 1024 * 1024) + 10)
        {
            big.Append("2026-01-01,A service with a long name to fill the body quickly,1\n");
        }

        var tooLarge = await ProblemAsync(await SendAsync(s.Client, s.Key, new StringContent(big.ToString(), Encoding.UTF8, "text/csv")), HttpStatusCode.RequestEntityTooLarge);
        tooLarge.GetProperty("detail").GetString()!.ShouldContain("5 MB");

        await ProblemAsync(await SendAsync(s.Client, s.Key, new StringContent("date=2026-01-01", Encoding.UTF8, "application/x-www-form-urlencoded")),
            HttpStatusCode.UnsupportedMediaType);
        (await StoredAsync(s.Org.Id)).ShouldBeEmpty();
    }

    [Fact]
    public async Task KeysAreChecked_AndTheDemandScopeIsNeeded()
    {
        var s = await SetUpAsync();
        const string json = """[{"date":"2026-01-12","service":"Bins","calls":10}]""";

        var none = await ProblemAsync(await PostJsonAsync(s.Client, null, json), HttpStatusCode.Unauthorized);
        none.GetProperty("title").GetString().ShouldBe("Missing API key");
        var unknown = await PostJsonAsync(s.Client, "cdk_not-a-key", json);
        await ProblemAsync(unknown, HttpStatusCode.Unauthorized);
        unknown.Headers.WwwAuthenticate.ToString().ShouldContain("X-Api-Key");
        var noScope = await ProblemAsync(await PostJsonAsync(s.Client, s.KeyWithoutScope, json), HttpStatusCode.Forbidden);
        noScope.GetProperty("title").GetString().ShouldBe("Scope missing: demand");
        using (var get = new HttpRequestMessage(HttpMethod.Get, $"{Path}?from=2026-01-01&to=2026-01-31"))
        {
            get.Headers.Add("X-Api-Key", s.KeyWithoutScope);
            (await s.Client.SendAsync(get)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        (await StoredAsync(s.Org.Id)).ShouldBeEmpty();

        // Another organisation's key with the scope writes to that organisation only.
        var other = await SetUpAsync();
        (await PostJsonAsync(other.Client, other.Key, json)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await StoredAsync(s.Org.Id)).ShouldBeEmpty();
        (await StoredAsync(other.Org.Id)).Count.ShouldBe(1);

        // Taking the scope away applies at once.
        await using (var scope = factory.ScopeFor(other.Org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var client = await db.Open311Clients.SingleAsync(c => c.Name == "Telephony");
            (await scope.ServiceProvider.GetRequiredService<Open311ClientKeys>().SetScopeAsync(other.Org.Id, client.Id, IntegrationScopes.Demand, false, default)).ShouldBeTrue();
        }

        await ProblemAsync(await PostJsonAsync(other.Client, other.Key, json), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Get_ChecksTheRange()
    {
        var s = await SetUpAsync();
        async Task<JsonElement> Get(string query)
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, Path + query);
            get.Headers.Add("X-Api-Key", s.Key);
            return await ProblemAsync(await s.Client.SendAsync(get), HttpStatusCode.BadRequest);
        }

        (await Get("?to=2026-01-31")).GetProperty("errors").TryGetProperty("from", out _).ShouldBeTrue();
        (await Get("?from=12/01/2026&to=2026-01-31")).GetProperty("errors").GetProperty("from")[0].GetString()!.ShouldContain("not a date");
        (await Get("?from=2026-02-01&to=2026-01-31")).GetProperty("errors").GetProperty("to")[0].GetString()!.ShouldContain("before");
        (await Get("?from=2024-01-01&to=2026-01-31")).GetProperty("errors").GetProperty("to")[0].GetString()!.ShouldContain("at most 400 days");
    }

    [Fact]
    public async Task AnAdmin_GivesAndTakesTheScopeOnTheOpen311Page_Audited()
    {
        var s = await SetUpAsync();
        var admin = await StaffClient.SignInAsync(factory, s.Org, Roles.Admin);
        long clientId;
        await using (var scope = factory.ScopeFor(s.Org.Id))
        {
            clientId = (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Open311Clients.SingleAsync(c => c.Name == "FixMyStreet")).Id;
        }

        async Task<string> PostAsync(string allow)
        {
            var token = await StaffClient.AntiforgeryTokenAsync(admin, "/admin/open311");
            var response = await admin.PostAsync("/admin/open311?handler=Demand", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["id"] = clientId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["allow"] = allow,
            }));
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            return await response.Content.ReadAsStringAsync();
        }

        (await PostAsync("true")).ShouldContain("The key may now send contact-centre demand");
        (await PostJsonAsync(s.Client, s.KeyWithoutScope, """[{"date":"2026-01-12","service":"Bins","calls":10}]""")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await PostAsync("false")).ShouldContain("no longer send contact-centre demand");
        (await PostJsonAsync(s.Client, s.KeyWithoutScope, """[{"date":"2026-01-13","service":"Bins","calls":10}]""")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        await using var check = factory.ScopeFor(s.Org.Id);
        var audit = await check.ServiceProvider.GetRequiredService<CivicDeskDb>().AuditEvents.AsNoTracking()
            .Where(e => e.Action == "open311.client-scopes-set" && e.TargetId == clientId.ToString(System.Globalization.CultureInfo.InvariantCulture)).CountAsync();
        audit.ShouldBe(2);

        var agent = await StaffClient.SignInAsync(factory, s.Org, Roles.Agent);
        (await agent.GetAsync("/admin/open311")).IsSuccessStatusCode.ShouldBeFalse();
    }
}
