using System.Globalization;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Publishing;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>
/// The guest-curator pages in Chromium: the owner grants access on /admin/curators (errors linked to their fields), the
/// curator signs in with the one-time password and posts on /curate; axe passes and both fit a phone.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class GuestCuratorPagesTests(BrowserFixture fixture)
{
    private static readonly string Shots = Path.Combine(Path.GetTempPath(), "civicdesk-shots");

    [Fact]
    public async Task An_owner_grants_access_and_the_curator_posts_for_review_on_accessible_pages()
    {
        var org = await TestOrganisation.CreateAsync(fixture.Factory);
        await FakeSocialNetworks.ConnectChannelsAsync(fixture.Factory, org, new Uri("http://127.0.0.1:9/"));
        var errors = new List<string>();
        var owner = await fixture.SignInAsync(org.Staff[Roles.Comms].Email, errors);

        await owner.GotoAsync("/admin/curators");
        await AssertAccessibleAsync(owner);
        await ShootAsync(owner, "curators");

        // A mistake first: the error summary links to the field.
        await owner.GetByLabel("Curator's name").FillAsync("Ada Guest");
        await owner.GetByLabel("Curator's email address").FillAsync("ada.guest@tourism.example");
        await owner.GetByLabel("Access ends (UTC)").FillAsync(DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await owner.GetByRole(AriaRole.Button, new() { Name = "Grant access" }).ClickAsync();
        await owner.Locator(".govuk-error-summary").WaitForAsync();
        (await owner.TitleAsync()).ShouldStartWith("Error: ");
        await AssertAccessibleAsync(owner);
        await ShootAsync(owner, "curators-error");

        await owner.GetByLabel("Curator's name").FillAsync("Ada Guest");
        await owner.GetByLabel("Curator's email address").FillAsync("ada.guest@tourism.example");
        await owner.GetByLabel("Access starts (UTC)").FillAsync(DateTime.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await owner.GetByLabel("Access ends (UTC)").FillAsync(DateTime.UtcNow.AddDays(7).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await owner.GetByRole(AriaRole.Button, new() { Name = "Grant access" }).ClickAsync();
        await owner.Locator("#new-password").WaitForAsync();
        var password = (await owner.Locator("#new-password code").Last.InnerTextAsync()).Trim();
        (await owner.Locator("#grants").InnerTextAsync()).ShouldContain("Ada Guest");
        await AssertAccessibleAsync(owner);
        await ShootAsync(owner, "curators-granted");

        var curator = await fixture.NewPageAsync();
        await curator.GotoAsync("/account/sign-in");
        await curator.GetByLabel("Email address").FillAsync("ada.guest@tourism.example");
        await curator.GetByLabel("Password").FillAsync(password);
        await curator.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await curator.WaitForURLAsync(url => url.EndsWith("/curate", StringComparison.Ordinal));
        (await curator.Locator("nav").InnerTextAsync()).ShouldNotContain("Inbox");
        await AssertAccessibleAsync(curator);
        await ShootAsync(curator, "curate");

        await curator.GetByLabel("Your post").FillAsync("Sunrise over the harbour this morning. Where is your favourite view?");
        await curator.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await curator.Locator("#posts").WaitForAsync();
        (await curator.Locator(".govuk-notification-banner--success").InnerTextAsync()).ShouldContain("Sent for approval");
        await AssertAccessibleAsync(curator);
        await ShootAsync(curator, "curate-sent");
        errors.ShouldBeEmpty(string.Join("\n", errors));
    }

    private static async Task AssertAccessibleAsync(IPage page)
    {
        foreach (var width in new[] { 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, 900);
            var violations = await Axe.SeriousOrCriticalAsync(page);
            violations.ShouldBeEmpty(Axe.Describe(violations));
            (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1")).ShouldBeTrue($"scrolls sideways at {width} px");
        }

        await page.SetViewportSizeAsync(1280, 900);
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
}
