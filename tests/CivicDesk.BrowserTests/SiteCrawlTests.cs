using System.Text.RegularExpressions;
using CivicDesk.Web.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace CivicDesk.BrowserTests;

/// <summary>
/// Every page a person can reach by following links, as an administrator and as a citizen: it answers, axe-core finds
/// no serious or critical problem at desktop and phone widths, and nothing scrolls sideways. Pages are found by
/// crawling (one page per route shape: /inbox/conversation/12 and /13 are one), so a new page is checked without being
/// listed here. Set CIVICDESK_SCREENSHOTS to a folder to keep a screenshot of each page at 1,920, 1,280 and 390 px.
/// </summary>
public sealed partial class SiteCrawlTests(SpeakBrowserFixture fixture, ITestOutputHelper output) : IClassFixture<SpeakBrowserFixture>
{
    private const int MaxPages = 150;

    // Downloads, feeds, sign-out and the API are not pages to look at.
    private static readonly string[] Skip = ["/account/sign-out", "/lib/", "/css/", "/js/", "/assets/", "/api/", "/openapi/", "/open311/", "/health", "/metrics"];

    [Fact]
    public async Task Every_page_reachable_by_an_administrator_or_a_citizen_passes_axe_and_fits_a_phone_and_a_desktop()
    {
        var org = await fixture.Factory.OrganisationAsync();
        await fixture.Factory.MessageAsync(org, "The streetlight outside 14 Mill Lane is out", handle: "@mill.lane.resident");
        await fixture.Factory.MessageAsync(org, "Bins not collected on Hales Road again this week", handle: "@hales");
        // A crowd-mapping project with a verified feature, so its staff and public pages are crawled too.
        await using (var scope = fixture.Factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDesk.Web.Data.CivicDeskDb>();
            var project = new MapProject
            {
                OrganisationId = org.Id, Slug = "crawl-ditches", Title = "Map the ditches", Description = "Help us find the old drainage ditches.",
                OwnerTeamId = org.Teams.Values.First(), Geometry = MapGeometryKind.Line, CreatedAt = DateTime.UtcNow,
                AttributesJson = """[{"name":"condition","label":"Condition","type":"Choice","choices":["good","blocked"],"required":true}]""",
            };
            db.MapProjects.Add(project);
            await db.SaveChangesAsync();
            db.MapFeatures.Add(new MapFeature
            {
                OrganisationId = org.Id, MapProjectId = project.Id, GeometryJson = """{"type":"LineString","coordinates":[[-2.08,51.9],[-2.07,51.901]]}""",
                AttributesJson = """{"condition":"blocked"}""", State = MapFeatureState.Verified, CreatedAt = DateTime.UtcNow, ReviewedAt = DateTime.UtcNow,
            });
            db.MapFeatures.Add(new MapFeature
            {
                OrganisationId = org.Id, MapProjectId = project.Id, GeometryJson = """{"type":"LineString","coordinates":[[-2.081,51.9],[-2.071,51.902]]}""",
                AttributesJson = """{"condition":"good"}""", State = MapFeatureState.Pending, CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        var problems = new List<string>();
        var visited = new List<string>();

        var admin = await fixture.SignedInAsync(org.Staff[Roles.Admin].Email);
        await CrawlAsync(admin, ["/inbox", "/cases", "/review", "/dashboards", "/participation", "/comms", "/settings"], staff: true, problems, visited);
        var citizen = await fixture.NewPageAsync();
        await CrawlAsync(citizen, ["/", "/report", "/map", "/status", "/news", "/faq", "/participate", "/incidents", "/myths-and-facts", "/privacy", "/accounts", "/listening-register", "/packs"],
            staff: false, problems, visited);

        output.WriteLine($"{visited.Count} pages checked:\n" + string.Join("\n", visited));
        problems.ShouldBeEmpty(string.Join("\n", problems));
        visited.Count.ShouldBeGreaterThan(40, "the crawl should reach most of the site");
    }

    private static async Task CrawlAsync(IPage page, string[] starts, bool staff, List<string> problems, List<string> visited)
    {
        var shots = Environment.GetEnvironmentVariable("CIVICDESK_SCREENSHOTS");
        var queue = new Queue<string>(starts);
        var seen = new HashSet<string>(starts.Select(Shape));
        while (queue.Count > 0 && visited.Count < MaxPages)
        {
            var path = queue.Dequeue();
            IResponse? response;
            try
            {
                response = await page.GotoAsync(path);
            }
            catch (PlaywrightException e)
            {
                problems.Add($"{path}: {e.Message.Split('\n')[0]}");
                continue;
            }

            if (response is null || !(response.Headers.TryGetValue("content-type", out var type) && type.StartsWith("text/html", StringComparison.Ordinal)))
            {
                continue;   // a download or a redirect to one
            }

            var at = new Uri(page.Url).PathAndQuery;
            if (!staff && at.StartsWith("/account/sign-in", StringComparison.Ordinal))
            {
                continue;
            }

            visited.Add((staff ? "staff  " : "public ") + at);
            if (response.Status >= 400)
            {
                problems.Add($"{at}: HTTP {response.Status}");
                continue;
            }

            foreach (var width in new[] { 1920, 1280, 390 })
            {
                await page.SetViewportSizeAsync(width, 900);
                if (shots is { Length: > 0 })
                {
                    Directory.CreateDirectory(shots);
                    var name = (staff ? "staff" : "public") + Regex.Replace(Shape(at), "[^a-zA-Z0-9]+", "-").TrimEnd('-');
                    await page.ScreenshotAsync(new() { Path = Path.Combine(shots, $"{name}-{width}.png"), FullPage = true });
                }

                if (width == 1920)
                {
                    continue;
                }

                foreach (var v in await Axe.SeriousOrCriticalAsync(page))
                {
                    problems.Add($"{at} at {width} px: {v.Impact} {v.Id}: {v.Help} ({v.Nodes}, e.g. {v.FirstTarget})");
                }

                if (!await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"))
                {
                    var wide = await page.EvaluateAsync<string>("() => [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 3).map(e => e.tagName + '.' + e.className).join(' | ')");
                    problems.Add($"{at} at {width} px scrolls sideways ({wide})");
                }
            }

            await page.SetViewportSizeAsync(1280, 900);
            var links = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('main a[href], header a[href], nav a[href], footer a[href]')].map(a => a.getAttribute('href'))");
            foreach (var href in links)
            {
                if (!Uri.TryCreate(new Uri(page.Url), href, out var target) || target.Host != new Uri(page.Url).Host || target.Port != new Uri(page.Url).Port)
                {
                    continue;
                }

                var next = target.PathAndQuery;
                if (Skip.Any(s => next.StartsWith(s, StringComparison.OrdinalIgnoreCase)) || Download().IsMatch(target.AbsolutePath) || next.Contains("handler=", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (seen.Add(Shape(next)))
                {
                    queue.Enqueue(next);
                }
            }
        }
    }

    /// <summary>One page per route shape: ids, GUIDs and query values do not make a new page (query names do).</summary>
    private static string Shape(string pathAndQuery)
    {
        var parts = pathAndQuery.Split('?', 2);
        var path = Id().Replace(parts[0], "{id}");
        var query = parts.Length > 1 ? "?" + string.Join('&', parts[1].Split('&').Select(q => q.Split('=')[0]).Distinct().Order(StringComparer.Ordinal)) : "";
        return path + query;
    }

    [GeneratedRegex(@"(?<=/)([0-9]+|[0-9a-f]{32}|[0-9a-f-]{36}|CD-[0-9A-Z-]+)(?=/|$)", RegexOptions.IgnoreCase)]
    private static partial Regex Id();

    [GeneratedRegex(@"\.(csv|xlsx|json|atom|rss|xml|geojson|png|jpg|jpeg|webp|pdf|zip|ics)$", RegexOptions.IgnoreCase)]
    private static partial Regex Download();
}
