using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>The app serving the public pages for <see cref="Slug"/>, so this journey does not depend on the "demo" organisation.</summary>
public sealed class CasesBrowserFactory : CivicDeskFactory
{
    public const string Slug = "cases-browser";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Public:OrganisationSlug", Slug)];
}

public sealed class CasesBrowserFixture : IAsyncLifetime
{
    public CasesBrowserFactory Factory { get; } = new();
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright _playwright = null!;
    private Uri _base = null!;

    public async Task InitializeAsync()
    {
        Factory.UseKestrel(0);
        Factory.StartServer();
        _base = Factory.ClientOptions.BaseAddress;
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CIVICDESK_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _base.ToString(), Locale = "en-GB" });
        context.SetDefaultTimeout(15_000);
        // No network here: fail tile requests at once (as when the tile server is down) instead of letting them hang.
        await context.RouteAsync("https://*.tile.openstreetmap.org/**", route => route.AbortAsync());
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Factory.DisposeAsync();
    }
}

/// <summary>
/// A social post becomes a case; a citizen's web report of the same problem (a case of its own) is merged into it;
/// a templated reply quotes the expected-by date; closing the case tells both reporters on their own channels. axe-core
/// checks the case page and the public map.
/// </summary>
public sealed class CaseJourneyTests(CasesBrowserFixture fixture) : IClassFixture<CasesBrowserFixture>
{
    [Fact]
    public async Task Social_message_becomes_a_case_a_duplicate_is_merged_and_closing_tells_both_reporters()
    {
        var org = await TestOrganisation.CreateAsync(fixture.Factory, CasesBrowserFactory.Slug);
        var agent = org.Staff[Roles.Agent];
        long mastodon;
        await using (var scope = fixture.Factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            db.CaseServices.Add(new CaseService
            {
                OrganisationId = org.Id, Code = "flytipping", Name = "Fly-tipping", TeamId = org.Teams["Customer Services"], CreatedAt = DateTime.UtcNow,
            });
            // A resolution target, so the new case has an expected-by date, and a template that quotes it.
            db.SlaPolicies.Add(new SlaPolicy { OrganisationId = org.Id, TeamId = org.Teams["Customer Services"], FirstResponseHours = 4, ResolutionHours = 24, UpdatedAt = DateTime.UtcNow });
            db.ReplyTemplates.Add(new ReplyTemplate
            {
                OrganisationId = org.Id, Name = "Expected date",
                Body = "Thank you for telling us. We expect to deal with it by {{expected_by}}.", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            var channel = new Channel { OrganisationId = org.Id, Kind = ChannelKind.Mastodon, Name = "Mastodon", Account = "@council", CreatedAt = DateTime.UtcNow };
            db.Channels.Add(channel);
            await db.SaveChangesAsync();
            mastodon = channel.Id;
        }

        var pipeline = fixture.Factory.Services.GetRequiredService<IngestPipeline>();
        var social = (await pipeline.SubmitAsync(new IngestBatch(org.Id, mastodon, ChannelKind.Mastodon,
            [new InboundPost("toot-1", "Someone has dumped a mattress and a fridge in the alley behind Hales Road", "@neighbour@example.social",
                Latitude: 51.8912, Longitude: -2.0756)]), CancellationToken.None)).Items.Single();

        // A citizen reports the same problem on the web form: that report is a case of its own.
        var citizen = await fixture.NewPageAsync();
        await citizen.GotoAsync("/report");
        await citizen.GetByLabel("What is the problem, or what do you want to ask?").FillAsync("Fridge and mattress fly-tipped behind Hales Road");
        await citizen.GetByRole(AriaRole.Button, new() { Name = "Send report" }).ClickAsync();
        await citizen.Locator(".govuk-panel--confirmation").WaitForAsync();
        var webReference = (await citizen.Locator("#reference").InnerTextAsync()).Trim();
        var webCase = (await citizen.Locator("#case-reference strong").InnerTextAsync()).Trim();
        webCase.ShouldStartWith("CS-");

        // The agent turns the social message into a case from the conversation view.
        var staff = await fixture.NewPageAsync();
        await staff.GotoAsync("/account/sign-in");
        await staff.GetByLabel("Email address").FillAsync(agent.Email);
        await staff.GetByLabel("Password").FillAsync(TestOrganisation.Password);
        await staff.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await staff.WaitForURLAsync(url => url.Contains("/inbox", StringComparison.Ordinal));
        await staff.GotoAsync($"/inbox/conversation/{social.ConversationId}");
        await staff.Locator("#case-service").SelectOptionAsync(new SelectOptionValue { Value = "flytipping" });
        await staff.GetByRole(AriaRole.Button, new() { Name = "Create case" }).ClickAsync();
        await staff.WaitForURLAsync(url => url.Contains("/cases/CS-", StringComparison.Ordinal));
        var socialCase = (await staff.Locator(".govuk-caption-l").InnerTextAsync()).Trim();
        await AssertAccessibleAsync(staff, "case page");

        // The web report's case duplicates it: merge.
        await staff.GotoAsync($"/cases/{webCase}");
        await staff.Locator("#survivor-reference").FillAsync(socialCase);
        await staff.GetByRole(AriaRole.Button, new() { Name = "Merge", Exact = true }).ClickAsync();
        await staff.Locator("#case-status", new() { HasText = "Duplicate" }).WaitForAsync();

        // A templated reply to the web reporter quotes the surviving case's expected-by date, previewed before sending.
        long webConversation;
        DateTime expectedBy;
        await using (var lookup = fixture.Factory.ScopeFor(org.Id))
        {
            var db = lookup.ServiceProvider.GetRequiredService<CivicDeskDb>();
            webConversation = await db.Conversations.Where(c => c.Reference == webReference).Select(c => c.Id).SingleAsync();
            expectedBy = (await db.Cases.Where(c => c.Reference == socialCase).Select(c => c.ExpectedBy).SingleAsync()).ShouldNotBeNull();
        }

        var expectedText = TimeZoneInfo.ConvertTimeFromUtc(expectedBy, TimeZoneInfo.FindSystemTimeZoneById("Europe/London"))
            .ToString("dddd d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB"));
        await staff.GotoAsync($"/inbox/conversation/{webConversation}");
        await (await Htmx.SettledAsync(staff, "#reply-template")).SelectOptionAsync(new SelectOptionValue { Label = "Expected date" });
        await staff.Locator("#template-preview", new() { HasText = expectedText }).WaitForAsync();
        await staff.Locator("[data-template-use]").ClickAsync();
        (await staff.Locator("#reply-text").InputValueAsync()).ShouldContain(expectedText);
        await staff.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await staff.Locator("main", new() { HasText = expectedText }).WaitForAsync();

        // Close the surviving case with a public update: both reporters are told on their own channels.
        await staff.GotoAsync($"/cases/{socialCase}");
        (await staff.Locator("#reporter-list").InnerTextAsync()).ShouldContain(webReference);
        await staff.Locator("#new-status").SelectOptionAsync(new SelectOptionValue { Value = "Fixed" });
        await staff.Locator("#status-text").FillAsync("The fridge and mattress have been cleared.");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Change status" }).ClickAsync();
        await staff.Locator("#case-status", new() { HasText = "Fixed" }).WaitForAsync();

        await using (var check = fixture.Factory.ScopeFor(org.Id))
        {
            var db = check.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var told = await db.OutboundMessages.Join(db.Conversations, o => o.ConversationId, c => c.Id, (o, c) => new { c.Reference, o.ChannelId }).ToListAsync();
            told.Select(t => t.ChannelId).Distinct().ShouldBe([org.WebFormChannelId, mastodon], ignoreOrder: true);
            told.Count(t => t.ChannelId == org.WebFormChannelId).ShouldBe(2); // the templated reply and the closing update
            told.ShouldContain(t => t.Reference == webReference);
        }

        // The web reporter reads it on their status page once the outbound worker has delivered it.
        var delivered = false;
        for (var attempt = 0; attempt < 40 && !delivered; attempt++)
        {
            await citizen.GotoAsync($"/status/{webReference}");
            var page = await citizen.Locator("main").InnerTextAsync();
            delivered = page.Contains("have been cleared", StringComparison.Ordinal) && page.Contains(expectedText, StringComparison.Ordinal);
            if (!delivered)
            {
                await citizen.WaitForTimeoutAsync(250);
            }
        }

        delivered.ShouldBeTrue("the case update never reached the web reporter's status page");

        // The public map: list and clustered map, no personal data, accessible.
        await citizen.GotoAsync("/map");
        await citizen.Locator("#case-map[data-loaded]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await AssertAccessibleAsync(citizen, "public map");
        (await citizen.Locator("main").InnerTextAsync()).ShouldNotContain("@neighbour");
    }

    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty($"{what}: {Axe.Describe(violations)}");
    }
}
