using System.Net.Http.Headers;
using System.Text.Json;
using System.Xml.Linq;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Open311;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Open311;

/// <summary>The app with Open311 set up for one organisation: jurisdiction "test-council", a FixMyStreet client key, a pothole definition.</summary>
public sealed class Open311Factory : CivicDeskFactory
{
    public FakeOpen311Cases Cases { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Open311:RequestsPerMinute", "100000"),
        new("Webhooks:WorkerEnabled", "false"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<IOpen311Cases>(Cases));
    }
}

public sealed class Open311Fixture : IAsyncLifetime
{
    public const string Jurisdiction = "test-council";

    public Open311Factory Factory { get; } = new();
    public TestOrganisation Org { get; private set; } = null!;
    public string ApiKey { get; private set; } = "";
    public HttpClient Client { get; private set; } = null!;
    public FakeOpen311Cases Cases => Factory.Cases;

    public async Task InitializeAsync()
    {
        Org = await TestOrganisation.CreateAsync(Factory);
        await using var scope = Factory.ScopeFor(Org.Id);
        var keys = scope.ServiceProvider.GetRequiredService<Open311ClientKeys>();
        await keys.JurisdictionAsync(Org.Id, Jurisdiction, default);
        ApiKey = (await keys.IssueAsync(Org.Id, "FixMyStreet", default)).Key;
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        db.Open311ServiceAttributes.AddRange(
            new Open311ServiceAttribute
            {
                OrganisationId = Org.Id, ServiceCode = "potholes", Code = "depth", Datatype = Open311Datatype.SingleValueList, Required = true, Order = 1,
                Description = "How deep is the pothole?",
                Values = [new("shallow", "Less than 5cm"), new("deep", "5cm or more")],
            },
            new Open311ServiceAttribute
            {
                OrganisationId = Org.Id, ServiceCode = "potholes", Code = "width_cm", Datatype = Open311Datatype.Number, Required = false, Order = 2,
                Description = "Roughly how wide is it, in centimetres?",
            });
        await db.SaveChangesAsync();
        // FixMyStreet's endpoint setting is the base URL with its trailing slash; paths are appended to it.
        Client = Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("http://localhost/open311/v2/"),
            AllowAutoRedirect = false,
        });
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A valid FixMyStreet-style create, with overrides (null removes a field).</summary>
    public Dictionary<string, string> CreateForm(params (string Key, string? Value)[] changes)
    {
        var form = new Dictionary<string, string>
        {
            ["jurisdiction_id"] = Jurisdiction,
            ["api_key"] = ApiKey,
            ["service_code"] = "potholes",
            ["lat"] = "51.8994",
            ["long"] = "-2.0783",
            ["description"] = "A deep pothole by the bus stop",
            ["attribute[depth]"] = "deep",
        };
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                form.Remove(key);
            }
            else
            {
                form[key] = value;
            }
        }

        return form;
    }

    public async Task<(int Status, string Body, string? ContentType)> SendAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        var response = await Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    public Task<(int Status, string Body, string? ContentType)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<(int Status, string Body, string? ContentType)> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> form) =>
        SendAsync(HttpMethod.Post, path, new FormUrlEncodedContent(form));
}

/// <summary>Reads both formats into the same shape: a list of field maps, so one assertion covers XML and JSON.</summary>
public static class Open311Read
{
    public static IReadOnlyList<Dictionary<string, string?>> Items(string format, string body, string root, string item)
    {
        if (format == "xml")
        {
            var doc = XDocument.Parse(body, LoadOptions.PreserveWhitespace);
            doc.Root!.Name.LocalName.ShouldBe(root);
            return doc.Root.Elements(item).Select(e => e.Elements().ToDictionary(c => c.Name.LocalName, c => c.HasElements ? c.ToString() : (string?)c.Value)).ToList();
        }

        using var json = JsonDocument.Parse(body);
        json.RootElement.ValueKind.ShouldBe(JsonValueKind.Array);
        return json.RootElement.EnumerateArray().Select(o => o.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => p.Value.GetString(),
            _ => p.Value.GetRawText(),
        })).ToList();
    }

    public static IReadOnlyList<(string Code, string Description)> Errors(string format, string body) =>
        Items(format, body, "errors", "error").Select(e => (e["code"]!, e["description"]!)).ToList();

    public static MediaTypeHeaderValue Form => new("application/x-www-form-urlencoded");
}
