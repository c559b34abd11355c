using System.Globalization;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>Dashboards, channel shift, the index and the methods page in Chromium: charts draw under the CSP, work by keyboard, and pass axe.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardPagesTests(BrowserFixture fixture)
{
    private static readonly string Shots = Path.Combine(Path.GetTempPath(), "civicdesk-shots");

    private async Task<TestOrganisation> ArrangeAsync()
    {
        var org = await TestOrganisation.CreateAsync(fixture.Factory);
        await using var scope = fixture.Factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = DateTime.UtcNow;
        string[] categories = ["missed-bin", "pothole", "noise"];
        string[] sentiments = ["negative", "neutral", "positive"];
        for (var i = 0; i < 60; i++)
        {
            var at = now.AddHours(-i * 9);
            var c = new Conversation
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, Reference = $"BR-{Guid.NewGuid():N}"[..14], CitizenHandle = "c", Subject = "s",
                CreatedAt = at, UpdatedAt = at, LastMessageAt = at, AssignedTeamId = org.Teams.Values.ElementAt(i % 3), Category = categories[i % 3],
                FirstResponseAt = i % 4 == 0 ? null : at.AddHours(2), Status = i % 5 == 0 ? ConversationStatus.Resolved : ConversationStatus.Open,
            };
            db.Conversations.Add(c);
            await db.SaveChangesAsync();
            db.Messages.Add(new Message
            {
                OrganisationId = org.Id, ChannelId = org.WebFormChannelId, ConversationId = c.Id, ExternalId = $"br{i}-{Guid.NewGuid():N}", AuthorHandle = "c",
                // Some carry hashtags, so the sentiment-by-hashtag chart is drawn, read and checked by axe too.
                Text = i % 4 == 0 ? "Bins missed again #BinDay" : i % 6 == 1 ? "Pothole by the school #PotholeWatch" : "Report", CreatedAt = at, ReceivedAt = at, Category = categories[i % 3], Sentiment = sentiments[i % 3], Place = i % 2 == 0 ? "High Street" : null,
            });
        }

        await db.SaveChangesAsync();
        await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().DrainAsync(CancellationToken.None);
        return org;
    }

    private Task<IPage> SignInAsync(TestOrganisation org, string role, List<string> errors) => fixture.SignInAsync(org.Staff[role].Email, errors);

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
    public async Task Dashboard_DrawsChartsUnderTheCsp_ReadsThemByKeyboard_AndPassesAxe()
    {
        var org = await ArrangeAsync();
        var errors = new List<string>();
        var page = await SignInAsync(org, Roles.Analyst, errors);

        await page.GotoAsync("/dashboards");
        await page.Locator("#chart-contact-total-canvas[data-chart-drawn]").WaitForAsync();
        await page.WaitForFunctionAsync("() => document.querySelectorAll('canvas[data-chart-source]:not([data-chart-drawn])').length === 0");

        await page.Locator("#chart-contact-total-canvas").FocusAsync();
        await page.Keyboard.PressAsync("End");
        (await page.Locator("#chart-contact-total-live").TextContentAsync()).ShouldNotBeNull().ShouldContain("This period");
        await page.GetByText("Show the data for Contact by category as a table").ClickAsync();
        (await page.Locator("#chart-contact-category table").InnerTextAsync()).ShouldContain("missed-bin");
        await page.GetByText("Show the data for Sentiment by hashtag (top 12) as a table").ClickAsync();
        var hashtags = await page.Locator("#chart-sentiment-hashtag table").InnerTextAsync();
        hashtags.ShouldContain("#binday"); // tags are case-folded
        hashtags.ShouldContain("#potholewatch");

        var violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty(Axe.Describe(violations));
        errors.ShouldBeEmpty(string.Join("\n", errors));
        await ShootAsync(page, "dashboards");
    }

    [Fact]
    public async Task ChannelShift_ImportAnalyseAndTheIndex_PassAxe()
    {
        var org = await ArrangeAsync();
        var errors = new List<string>();
        var page = await SignInAsync(org, Roles.Admin, errors);
        var random = new Random(5);
        var csv = new StringBuilder("date,service,calls\n");
        for (var d = new DateOnly(2025, 9, 1); d <= new DateOnly(2026, 3, 31); d = d.AddDays(1))
        {
            csv.Append(CultureInfo.InvariantCulture, $"{d:yyyy-MM-dd},School closures,{140 + random.Next(-8, 9) - (d >= new DateOnly(2026, 1, 12) ? 25 : 0)}\n");
        }

        var file = Path.Combine(Path.GetTempPath(), $"calls-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, csv.ToString());
        await page.GotoAsync("/dashboards/channel-shift");
        await page.GetByLabel("CSV file").SetInputFilesAsync(file);
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await page.Locator("#import-result").WaitForAsync();

        await page.GetByLabel("Date the change started").FillAsync("2026-01-12");
        await page.GetByRole(AriaRole.Button, new() { Name = "Analyse" }).ClickAsync();
        await page.Locator("#its-headline").WaitForAsync();
        await page.Locator("#chart-its-canvas[data-chart-drawn]").WaitForAsync();
        (await page.Locator("#its-headline").InnerTextAsync()).ShouldContain("fewer calls a day");
        var violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty(Axe.Describe(violations));
        await ShootAsync(page, "channel-shift");

        await page.GotoAsync("/dashboards/engagement");
        await page.Locator("canvas[data-chart-drawn]").First.WaitForAsync();
        violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty(Axe.Describe(violations));
        await ShootAsync(page, "engagement");

        await page.GotoAsync("/dashboards/methods");
        violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty(Axe.Describe(violations));
        await ShootAsync(page, "methods");
        errors.ShouldBeEmpty(string.Join("\n", errors));
    }
}
