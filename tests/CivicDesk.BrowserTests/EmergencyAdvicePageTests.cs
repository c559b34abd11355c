using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>The emergency-advice admin page in Chromium: the GOV.UK character count works, errors are announced and linked, and axe passes, at desktop and phone widths.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EmergencyAdvicePageTests(BrowserFixture fixture)
{
    private static readonly string Shots = Path.Combine(Path.GetTempPath(), "civicdesk-shots");

    [Fact]
    public async Task An_admin_edits_the_emergency_advice_with_clear_errors_and_the_page_passes_axe()
    {
        var org = await TestOrganisation.CreateAsync(fixture.Factory);
        var errors = new List<string>();
        var page = await fixture.SignInAsync(org.Staff[Roles.Admin].Email, errors);

        await page.GotoAsync("/admin/emergency-advice");
        // GOV.UK Frontend's character count replaces the fallback hint with a live count.
        (await page.Locator(".govuk-character-count__status").InnerTextAsync()).ShouldContain("characters remaining");
        await AssertAccessibleAsync(page);
        await ShootAsync(page, "emergency-advice");

        await page.GetByLabel("Advice shown to citizens").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save emergency advice" }).ClickAsync();
        await page.Locator(".govuk-error-summary").WaitForAsync();
        (await page.TitleAsync()).ShouldStartWith("Error: ");
        await page.GetByRole(AriaRole.Link, new() { Name = "Enter the emergency advice citizens should see" }).ClickAsync();
        (await page.EvaluateAsync<string>("() => document.activeElement.id")).ShouldBe("advice");
        await AssertAccessibleAsync(page);
        await ShootAsync(page, "emergency-advice-error");

        await page.GetByLabel("Advice shown to citizens").FillAsync("If someone is in immediate danger, call 999.\nOut of hours: 01234 999 000.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save emergency advice" }).ClickAsync();
        await page.Locator("#done").WaitForAsync();
        (await page.Locator("#preview p").AllInnerTextsAsync()).ShouldBe(["If someone is in immediate danger, call 999.", "Out of hours: 01234 999 000."]);
        await AssertAccessibleAsync(page);
        await ShootAsync(page, "emergency-advice-saved");
        errors.ShouldBeEmpty(string.Join("\n", errors));
    }

    [Fact]
    public async Task A_gas_leak_shows_its_rule_given_category_and_why_in_the_conversation()
    {
        var org = await TestOrganisation.CreateAsync(fixture.Factory);
        var item = (await fixture.Factory.Services.GetRequiredService<IngestPipeline>().SubmitAsync(new IngestBatch(org.Id, org.WebFormChannelId, ChannelKind.WebForm,
            [new InboundPost("gas-1", "I can smell gas in the street outside 12 Church Road, it is getting stronger", "web-form:gas-1")]), CancellationToken.None)).Items.Single();
        var errors = new List<string>();
        var page = await fixture.SignInAsync(org.Staff[Roles.Admin].Email, errors);

        await page.GotoAsync($"/inbox/conversation/{item.ConversationId}");
        var category = page.Locator($"#triage-{item.MessageId} [data-triage-task='category']");
        (await category.InnerTextAsync()).ShouldContain("Utilities gas, 100% confident");
        (await category.Locator("[data-triage-reason]").InnerTextAsync()).ShouldContain("National Gas Emergency Service, 0800 111 999");
        await AssertAccessibleAsync(page);
        await category.ScrollIntoViewIfNeededAsync();
        await ShootAsync(page, "conversation-gas-rule");
        errors.ShouldBeEmpty(string.Join("\n", errors));
    }

    private static async Task AssertAccessibleAsync(IPage page)
    {
        var violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty(Axe.Describe(violations));
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
