using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>The public site with its own tile server and the API reference page switched on (issue 14).</summary>
public sealed class TilesAndDocsFactory : CivicDeskFactory
{
    public const string TileHost = "tiles.example-council.test";
    public const string Slug = "tiles-browser";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Public:OrganisationSlug", Slug),
        new("Map:TileUrlTemplate", $"https://{{s}}.{TileHost}/base/{{z}}/{{x}}/{{y}}.png"),
        new("Map:TileAttribution", "Contains OS data © Crown copyright"),
        new("ApiDocs:ReferencePage", "true"),
    ];
}

public sealed class TilesAndDocsFixture : IAsyncLifetime
{
    public TilesAndDocsFactory Factory { get; } = new();
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright _playwright = null!;

    public async Task InitializeAsync()
    {
        Factory.UseKestrel(0);
        Factory.StartServer();
        await TestOrganisation.CreateAsync(Factory, TilesAndDocsFactory.Slug);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CIVICDESK_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A page that records console errors (CSP violations among them) and failed requests.</summary>
    public async Task<(IPage Page, List<string> Errors)> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Factory.ClientOptions.BaseAddress.ToString(), Locale = "en-GB" });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { errors.Add(m.Text); } };
        page.Response += (_, r) => { if (r.Status >= 400) { errors.Add($"{r.Status} {r.Url}"); } };
        return (page, errors);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        Factory.Dispose();
    }
}

public sealed class ApiDocsAndTilesBrowserTests(TilesAndDocsFixture fx) : IClassFixture<TilesAndDocsFixture>
{
    // A 1×1 transparent PNG: the tile server answers without any network.
    private static readonly byte[] Tile = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

    [Fact]
    public async Task The_report_map_draws_tiles_from_the_configured_server_and_the_policy_lets_them_in()
    {
        var (page, errors) = await fx.NewPageAsync();
        var requested = new List<string>();
        await page.Context.RouteAsync($"https://*.{TilesAndDocsFactory.TileHost}/**", async route =>
        {
            requested.Add(route.Request.Url);
            await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "image/png", BodyBytes = Tile });
        });
        // Nothing may go to OpenStreetMap any more.
        await page.Context.RouteAsync("https://*.tile.openstreetmap.org/**", async route =>
        {
            errors.Add("OpenStreetMap asked: " + route.Request.Url);
            await route.AbortAsync();
        });

        await page.GotoAsync("/report");
        var tile = page.Locator("#report-map .leaflet-tile-loaded").First;
        await tile.WaitForAsync();

        var src = await tile.GetAttributeAsync("src") ?? "";
        src.ShouldStartWith("https://");
        src.ShouldContain($".{TilesAndDocsFactory.TileHost}/base/");
        requested.ShouldNotBeEmpty();
        (await page.Locator("#report-map .leaflet-control-attribution").InnerTextAsync()).ShouldContain("Contains OS data © Crown copyright");
        errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_API_reference_page_renders_the_document_under_its_own_policy_without_errors()
    {
        var (page, errors) = await fx.NewPageAsync();
        var elsewhere = new List<string>();
        await page.Context.RouteAsync(url => !url.StartsWith(fx.Factory.ClientOptions.BaseAddress.ToString(), StringComparison.Ordinal), async route =>
        {
            elsewhere.Add(route.Request.Url);
            await route.AbortAsync();
        });

        await page.GotoAsync("/api/docs/v1");
        await page.GetByText("Hand a batch of citizen messages to the ingest pipeline").First.WaitForAsync();
        await page.GetByText("CivicDesk API").First.WaitForAsync();

        errors.ShouldBeEmpty();
        elsewhere.ShouldBeEmpty("the reference page loads nothing from other hosts");
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "api-reference.png") });
    }
}
