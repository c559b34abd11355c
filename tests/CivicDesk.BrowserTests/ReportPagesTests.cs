using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>The monthly reports page and a report in Chromium: pass axe, print without navigation, download CSV and Excel.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportPagesTests(BrowserFixture fixture)
{
    private static readonly string Shots = Path.Combine(Path.GetTempPath(), "civicdesk-shots");

    private static DateOnly LastMonth => new DateOnly(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1).AddMonths(-1);

    private async Task<TestOrganisation> ArrangeAsync()
    {
        var org = await TestOrganisation.CreateAsync(fixture.Factory);
        await using var scope = fixture.Factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        string[] categories = ["missed-bin", "pothole", "noise"];
        string[] sentiments = ["negative", "neutral", "positive"];
        for (var i = 0; i < 45; i++)
        {
            var at = LastMonth.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc).AddHours(i * 15);
            var c = new Conversation
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"RP-{Guid.NewGuid():N}"[..14], CitizenHandle = "c", Subject = "s",
                CreatedAt = at, UpdatedAt = at, LastMessageAt = at, AssignedTeamId = org.Teams.Values.ElementAt(i % 3), Category = categories[i % 3],
                FirstResponseAt = i % 4 == 0 ? null : at.AddHours(2), ResolvedAt = i % 5 == 0 ? at.AddHours(20) : null,
                Status = i % 5 == 0 ? ConversationStatus.Resolved : ConversationStatus.Open,
            };
            db.Conversations.Add(c);
            await db.SaveChangesAsync();
            db.Messages.Add(new Message
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, ConversationId = c.Id, ExternalId = $"rp{i}-{Guid.NewGuid():N}", AuthorHandle = "c",
                Text = "Report", CreatedAt = at, ReceivedAt = at, Category = categories[i % 3], Sentiment = sentiments[i % 3], Place = i % 2 == 0 ? "High Street" : null,
            });
        }

        await db.SaveChangesAsync();
        await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().DrainAsync(CancellationToken.None);
        return org;
    }

    private static async Task ShootAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Shots);
        foreach (var width in new[] { 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, 900);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, $"{name}-{width}.png"), FullPage = true });
        }

        await page.SetViewportSizeAsync(1280, 900);
    }

    [Fact]
    public async Task ReportsPage_AndAReport_PassAxe_PrintWithoutNavigation_AndDownload()
    {
        var org = await ArrangeAsync();
        var errors = new List<string>();
        var page = await fixture.SignInAsync(org.Staff[Roles.Admin].Email, errors);

        await page.GotoAsync("/dashboards/reports");
        var violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty(Axe.Describe(violations));
        await ShootAsync(page, "reports");

        // A schedule with a bad address shows the GOV.UK error summary, itself accessible.
        await page.GetByLabel("Other email addresses (optional)").FillAsync("not-an-address");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add schedule" }).ClickAsync();
        await page.Locator(".govuk-error-summary").WaitForAsync();
        violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty(Axe.Describe(violations));

        await page.GetByLabel("Month", new() { Exact = true }).SelectOptionAsync(LastMonth.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the report" }).ClickAsync();
        await page.Locator("#volumes").WaitForAsync();
        (await page.Locator("#volumes").InnerTextAsync()).ShouldContain("missed-bin");
        violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty(Axe.Describe(violations));
        await ShootAsync(page, "report");

        await page.EmulateMediaAsync(new() { Media = Media.Print });
        (await page.Locator(".moj-primary-navigation").First.IsVisibleAsync()).ShouldBeFalse();
        (await page.Locator("#report-csv").IsVisibleAsync()).ShouldBeFalse();
        (await page.Locator("#volumes table").First.IsVisibleAsync()).ShouldBeTrue();
        await page.EmulateMediaAsync(new() { Media = Media.Screen });

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#report-xlsx").ClickAsync());
        download.SuggestedFilename.ShouldBe($"civicdesk-report-{LastMonth:yyyy-MM}.xlsx");
        errors.ShouldBeEmpty(string.Join("\n", errors));
    }
}
