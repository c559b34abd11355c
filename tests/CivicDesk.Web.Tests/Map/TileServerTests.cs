using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Public;

namespace CivicDesk.Web.Tests.Map;

/// <summary>
/// The map tile server is one setting (Map:TileUrlTemplate and friends): every page carries it once for the map
/// scripts, and the Content-Security-Policy's img-src allows exactly its host, so changing it changes both.
/// </summary>
public sealed class TileServerTests(PublicSiteFactory standard) : IClassFixture<PublicSiteFactory>
{
    private sealed class OwnTileServerFactory : PublicSiteFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            .. base.Settings,
            new("Map:TileUrlTemplate", "https://{s}.tiles.example-council.gov.uk/base/{z}/{x}/{y}.png"),
            new("Map:TileAttribution", "Contains OS data © Crown copyright"),
            new("Map:TileAttributionUrl", "https://example-council.gov.uk/map-licence"),
            new("Map:TileMaxZoom", "17"),
        ];
    }

    private static async Task<(string ImgSrc, AngleSharp.Dom.IElement Meta)> PageAsync(PublicSiteFactory factory, string path)
    {
        await factory.OrganisationAsync();
        using var client = factory.CreateClient();
        var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        var imgSrc = Regex.Match(csp, "img-src ([^;]+)").Groups[1].Value;
        var page = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        var metas = page.QuerySelectorAll("meta[name=civicdesk-map-tiles]");
        metas.Length.ShouldBe(1, "the tile server is written once per page");
        page.QuerySelectorAll("script[src]").Select(s => s.GetAttribute("src")!).ShouldContain(s => s.StartsWith("/js/map-tiles.js", StringComparison.Ordinal));
        return (imgSrc, metas[0]);
    }

    [Theory]
    [InlineData("/report")]
    [InlineData("/map")]
    public async Task By_default_maps_use_OpenStreetMap_and_the_policy_allows_only_its_tiles(string path)
    {
        var (imgSrc, meta) = await PageAsync(standard, path);

        meta.GetAttribute("content").ShouldBe("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png");
        meta.GetAttribute("data-attribution").ShouldBe("© OpenStreetMap contributors");
        meta.GetAttribute("data-max-zoom").ShouldBe("19");
        imgSrc.Split(' ').ShouldBe(["'self'", "data:", "https://*.tile.openstreetmap.org"]);
    }

    [Theory]
    [InlineData("/report")]
    [InlineData("/map")]
    public async Task Changing_the_setting_changes_the_pages_tile_server_and_the_policy(string path)
    {
        using var factory = new OwnTileServerFactory();

        var (imgSrc, meta) = await PageAsync(factory, path);

        meta.GetAttribute("content").ShouldBe("https://{s}.tiles.example-council.gov.uk/base/{z}/{x}/{y}.png");
        meta.GetAttribute("data-attribution").ShouldBe("Contains OS data © Crown copyright");
        meta.GetAttribute("data-attribution-url").ShouldBe("https://example-council.gov.uk/map-licence");
        meta.GetAttribute("data-max-zoom").ShouldBe("17");
        imgSrc.Split(' ').ShouldBe(["'self'", "data:", "https://*.tiles.example-council.gov.uk"]);
    }

    [Theory]
    [InlineData("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org")]
    [InlineData("https://tiles.example.org:8443/{z}/{x}/{y}{r}.png", "https://tiles.example.org:8443")]
    [InlineData("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8080")]
    [InlineData("", null)]
    [InlineData("https://a.{s}.example.org/{z}/{x}/{y}.png", null)]
    [InlineData("ftp://tiles.example.org/{z}/{x}/{y}.png", null)]
    [InlineData("https://tiles.example.org;script-src */{z}/{x}/{y}.png", null)]
    public void The_policy_source_is_the_templates_origin_with_a_subdomain_wildcard(string template, string? expected) =>
        MapTileOptions.CspSource(template).ShouldBe(expected);

    [Theory]
    [InlineData("https://a.{s}.example.org/{z}/{x}/{y}.png")]
    [InlineData("https://tiles.example.org/static.png")]
    [InlineData("not a url")]
    public void A_template_the_policy_cannot_allow_is_refused_at_start_up(string template) =>
        new MapTileOptions.Validator().Validate(null, new MapTileOptions { TileUrlTemplate = template }).Failed.ShouldBeTrue();

    [Fact]
    public void No_map_script_names_a_tile_server_and_every_map_takes_the_configured_one()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CivicDesk.slnx")))
        {
            dir = dir.Parent;
        }

        dir.ShouldNotBeNull("the repository root (CivicDesk.slnx)");
        var scripts = Directory.GetFiles(Path.Combine(dir.FullName, "src", "CivicDesk.Web", "wwwroot", "js"), "*.js");
        var maps = scripts.Where(f => File.ReadAllText(f).Contains("L.map(", StringComparison.Ordinal)).ToList();
        maps.Count.ShouldBeGreaterThanOrEqualTo(4, "report, case, idea and incident maps");
        foreach (var script in scripts)
        {
            var text = File.ReadAllText(script);
            text.Contains("tileLayer('http", StringComparison.OrdinalIgnoreCase).ShouldBeFalse(Path.GetFileName(script));
            text.Contains(".tile.openstreetmap.org", StringComparison.OrdinalIgnoreCase).ShouldBeFalse(Path.GetFileName(script));
        }

        maps.ShouldAllBe(f => File.ReadAllText(f).Contains("window.civicDeskTiles(L, map)", StringComparison.Ordinal));
    }
}
