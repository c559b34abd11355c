using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class SignInPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Staff_sign_in_through_the_real_form_reaches_the_inbox_and_the_form_passes_axe()
    {
        var org = await TestOrganisation.CreateAsync(fixture.Factory);
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/account/sign-in");
        var violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty(Axe.Describe(violations));

        await page.GetByLabel("Email address").FillAsync(org.Staff["Agent"].Email);
        await page.GetByLabel("Password").FillAsync(TestOrganisation.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/account/sign-in", StringComparison.Ordinal));
        new Uri(page.Url).AbsolutePath.ShouldStartWith("/inbox");
    }

    [Fact]
    public async Task Wrong_password_shows_the_error_summary()
    {
        var org = await TestOrganisation.CreateAsync(fixture.Factory);
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/account/sign-in");
        await page.GetByLabel("Email address").FillAsync(org.Staff["Agent"].Email);
        await page.GetByLabel("Password").FillAsync("not-the-password-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Alert).GetByText("There is a problem").WaitForAsync();
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("Enter a correct email address and password");
    }
}
