using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>
/// /dashboards/engagement in Chromium with every section filled in (accounts, benchmarking ranks, an imported peer):
/// a peer's signed file is imported through the file input, and the page passes axe at desktop and phone widths.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class EngagementPagesTests(BrowserFixture fixture)
{
    private static readonly string Shots = Path.Combine(Path.GetTempPath(), "civicdesk-shots");

    [Fact]
    public async Task Engagement_ImportsAPeersFile_ShowsRanksAndPeers_AndPassesAxe()
    {
        var org = await TestOrganisation.CreateAsync(fixture.Factory);
        var peer = await TestOrganisation.CreateAsync(fixture.Factory);
        byte[] file;
        await using (var scope = fixture.Factory.ScopeFor(peer.Id))
        {
            var months = Enumerable.Range(0, 12).Select(i => new MonthlyIndex(new DateOnly(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1).AddMonths(i - 11),
                "Whole organisation", 40 + (2 * i), EngagementIndex.Components.Select(c => new ComponentScore(c, 50.0 + i, "")).ToList(), 100)).ToList();
            file = await scope.ServiceProvider.GetRequiredService<EngagementExchange>().ExportAsync(months, "Europe/London", CancellationToken.None);
        }

        await using (var scope = fixture.Factory.ScopeFor(org.Id))
        {
            await scope.ServiceProvider.GetRequiredService<EngagementBenchmark>().OptInAsync(null, "Admin", [], CancellationToken.None);
        }

        var errors = new List<string>();
        var page = await fixture.SignInAsync(org.Staff[Roles.Analyst].Email, errors);
        await page.GotoAsync("/dashboards/engagement");
        await page.Locator("#ranks").WaitForAsync();
        (await page.Locator("#opt-in-status").InnerTextAsync()).ShouldContain("Taking part since");

        await page.Locator("#peer-file").SetInputFilesAsync(new FilePayload { Name = "peer.json", MimeType = "application/json", Buffer = file });
        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
        (await page.Locator("#ei-notice").InnerTextAsync()).ShouldContain($"Test council {peer.Slug}'s index was imported");
        await page.Locator("#chart-peers-canvas[data-chart-drawn]").WaitForAsync();
        (await page.Locator("#peers").InnerTextAsync()).ShouldContain($"Test council {peer.Slug}");

        Directory.CreateDirectory(Shots);
        foreach (var width in new[] { 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, 900);
            var violations = await Axe.SeriousOrCriticalAsync(page);
            violations.ShouldBeEmpty(Axe.Describe(violations));
            await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, $"engagement-compare-{width}.png"), FullPage = true });
        }

        // A refused file: the error summary links to the file input, and the page still passes axe.
        await page.SetViewportSizeAsync(1280, 900);
        await page.Locator("#peer-file").SetInputFilesAsync(new FilePayload { Name = "bad.json", MimeType = "application/json", Buffer = "not json"u8.ToArray() });
        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
        (await page.Locator("#import-error").InnerTextAsync()).ShouldContain("not JSON");
        var afterError = await Axe.SeriousOrCriticalAsync(page);
        afterError.ShouldBeEmpty(Axe.Describe(afterError));
        errors.ShouldBeEmpty(string.Join("\n", errors));
    }
}
