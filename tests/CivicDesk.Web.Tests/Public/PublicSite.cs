using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using CivicDesk.Triage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Public;

/// <summary>
/// The app serving one public organisation (slug <see cref="Slug"/>), with a triage engine that calls anything about
/// gas urgent, and a submission limit high enough not to get in the way (the rate-limit test has its own factory).
/// </summary>
public class PublicSiteFactory : CivicDeskFactory
{
    public const string Slug = "public-test";
    private readonly Lazy<Task<TestOrganisation>> _organisation;

    public PublicSiteFactory() => _organisation = new(() => TestOrganisation.CreateAsync(this, Slug));

    /// <summary>The public organisation, created on first use.</summary>
    public Task<TestOrganisation> OrganisationAsync() => _organisation.Value;

    protected virtual int SubmitsPerTenMinutes => 10_000;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Public:OrganisationSlug", Slug),
        new("RateLimits:PublicSubmitsPerTenMinutes", SubmitsPerTenMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<ITriageEngine, GasIsUrgentTriage>());
    }

    /// <summary>A stand-in for the real engine (another team's work): urgent when the text mentions gas.</summary>
    private sealed class GasIsUrgentTriage : ITriageEngine
    {
        public string Version => "test";

        public TriageResult Triage(TriageInput input)
        {
            var urgent = input.Text.Contains("gas", StringComparison.OrdinalIgnoreCase);
            return new TriageResult(
                new TriageLabel("kind", "service_request", 1, []),
                new TriageLabel("category", "highways_road_surface", 1, []),
                new TriageLabel("sentiment", "neutral", 1, []),
                new UrgencyAssessment(urgent, urgent ? "gas leak" : null, urgent ? "gas" : null),
                null,
                Version);
        }
    }
}

/// <summary>A citizen's browser: cookies kept, redirects not followed, forms posted with the page's antiforgery token.</summary>
public sealed class Citizen(HttpClient client)
{
    private static readonly HtmlParser Parser = new();

    public HttpClient Client { get; } = client;

    public static Citizen For(CivicDeskFactory factory) => new(StaffClient.Anonymous(factory));

    public async Task<(HttpResponseMessage Response, IHtmlDocument Html)> GetAsync(string path)
    {
        var response = await Client.GetAsync(path);
        return (response, Parser.ParseDocument(await response.Content.ReadAsStringAsync()));
    }

    public static IHtmlDocument Parse(string html) => Parser.ParseDocument(html);

    /// <summary>Fills in the report form (GET /report for the token) and sends it. Files: (field file name, bytes).</summary>
    public async Task<HttpResponseMessage> SendReportAsync(IDictionary<string, string> fields, params (string FileName, byte[] Bytes)[] photos)
    {
        var token = await StaffClient.AntiforgeryTokenAsync(Client, "/report");
        return await Client.PostAsync("/report/send", ReportContent(fields, photos, token));
    }

    public static MultipartFormDataContent ReportContent(IDictionary<string, string> fields, (string FileName, byte[] Bytes)[] photos, string? token)
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            content.Add(new StringContent(value), name);
        }

        foreach (var (fileName, bytes) in photos)
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
            content.Add(file, "Photos", fileName);
        }

        if (token is not null)
        {
            content.Add(new StringContent(token), "__RequestVerificationToken");
        }

        return content;
    }

    /// <summary>Sends a valid report and returns its reference (from the redirect to the confirmation page).</summary>
    public async Task<string> SendValidReportAsync(string description, string? email = null)
    {
        var fields = new Dictionary<string, string> { ["Input.Description"] = description };
        if (email is not null)
        {
            fields["Input.Email"] = email;
        }

        var response = await SendReportAsync(fields);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        var location = response.Headers.Location!.ToString();
        location.ShouldStartWith("/report/confirmation/");
        return Uri.UnescapeDataString(location["/report/confirmation/".Length..]);
    }
}

/// <summary>Tiny valid-looking image files: only the signature matters to the server.</summary>
internal static class Photos
{
    public static byte[] Jpeg(int length = 64)
    {
        var bytes = new byte[length];
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        bytes[3] = 0xE0;
        return bytes;
    }

    public static byte[] Png() => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R'];
}
