using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>The app on Kestrel for one public organisation, mailing through a real SMTP server on loopback.</summary>
public sealed class ParticipationBrowserFactory : CivicDeskFactory
{
    public const string Slug = "participation-browser";
    public TestSmtpServer Smtp { get; set; } = null!;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Public:OrganisationSlug", Slug),
        new("Citizens:ContributionBurst", "10000"),
        new("Citizens:RequestsPerAddressPerTenMinutes", "10000"),
        .. Smtp.Settings,
    ];
}

public sealed class ParticipationBrowserFixture : IAsyncLifetime
{
    public ParticipationBrowserFactory Factory { get; } = new();
    public TestOrganisation Organisation { get; private set; } = null!;
    private IBrowser _browser = null!;
    private IPlaywright _playwright = null!;
    private Uri _base = null!;

    public async Task InitializeAsync()
    {
        Factory.Smtp = await TestSmtpServer.StartAsync();
        Factory.UseKestrel(0);
        Factory.StartServer();
        _base = Factory.ClientOptions.BaseAddress;
        Organisation = await TestOrganisation.CreateAsync(Factory, ParticipationBrowserFactory.Slug);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CIVICDESK_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _base.ToString(), Locale = "en-GB", AcceptDownloads = true });
        context.SetDefaultTimeout(20_000);
        await context.RouteAsync("https://*.tile.openstreetmap.org/**", route => route.AbortAsync());
        return await context.NewPageAsync();
    }

    public async Task<IPage> StaffAsync(string role)
    {
        var page = await NewPageAsync();
        await BrowserSignIn.SignInAsync(page, Factory, Organisation.Staff[role].Email);
        return page;
    }

    /// <summary>A citizen signed in the way a person does: asks for a link, reads it in the mail, opens it in the same browser, picks a name.</summary>
    public async Task<IPage> CitizenAsync(string email, string name)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/participate/sign-in");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Email me a sign-in link" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/participate/sign-in/check-email"));
        var mail = await Factory.Smtp.WaitForMailAsync(email);
        await page.GotoAsync(new Uri(TestSmtpServer.LinkIn(mail, "/participate/sign-in/")).PathAndQuery);
        await page.WaitForURLAsync(new Regex("/participate/account"));
        await page.GetByLabel("Name to show").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        return page;
    }

    public async Task<T> WithDbAsync<T>(Func<CivicDeskDb, Task<T>> work)
    {
        await using var scope = Factory.ScopeFor(Organisation.Id);
        return await work(scope.ServiceProvider.GetRequiredService<CivicDeskDb>());
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await Factory.DisposeAsync();
        await Factory.Smtp.DisposeAsync();
    }
}

/// <summary>Issue 10's journeys in Chromium, with axe-core on each new page.</summary>
public sealed class ParticipationJourneyTests(ParticipationBrowserFixture fixture) : IClassFixture<ParticipationBrowserFixture>
{
    private static async Task AccessibleAsync(IPage page, string what)
    {
        var violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty($"{what}: {Axe.Describe(violations)}");
    }

    [Fact]
    public async Task Citizens_propose_support_and_comment_a_moderator_hides_a_comment_and_both_are_emailed_the_response()
    {
        var org = fixture.Organisation;
        var (challengeId, slug) = await fixture.WithDbAsync(async db =>
        {
            var existing = new CitizenAccount { OrganisationId = org.Id, Email = $"cy-{Guid.NewGuid():N}@example.org", DisplayName = "Cy", CreatedAt = DateTime.UtcNow };
            db.CitizenAccounts.Add(existing);
            var challenge = new Challenge
            {
                OrganisationId = org.Id, Slug = "forms-" + Guid.NewGuid().ToString("N")[..8], Title = "Which forms should we scrap?", Question = "Which council forms waste your time?",
                OwnerTeamId = org.Teams["Highways"], Moderation = ModerationMode.Post, OpensAt = DateTime.UtcNow.AddDays(-1), ClosesAt = DateTime.UtcNow.AddDays(30), CreatedAt = DateTime.UtcNow,
            };
            db.Challenges.Add(challenge);
            await db.SaveChangesAsync();
            db.Ideas.Add(new Idea
            {
                OrganisationId = org.Id, ChallengeId = challenge.Id, CitizenAccountId = existing.Id, Title = "Let residents renew parking permits online",
                Text = "The paper parking permit form takes weeks.", State = ContributionState.Visible, CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
            return (challenge.Id, challenge.Slug);
        });

        var adaEmail = $"ada-{Guid.NewGuid():N}@example.org";
        var ada = await fixture.CitizenAsync(adaEmail, "Ada");
        await AccessibleAsync(ada, "account");

        // An idea with a pin, placed with the keyboard way.
        await ada.GotoAsync($"/participate/{slug}/propose");
        await AccessibleAsync(ada, "propose");
        await ada.GetByLabel("Title").FillAsync("Bulky waste form asks too much");
        await ada.GetByLabel("Your idea").FillAsync("Nobody knows the weight of a sofa.");
        await ada.GetByRole(AriaRole.Button, new() { Name = "Put the pin in the centre of the map" }).ClickAsync();
        (await ada.Locator("#latitude").InputValueAsync()).ShouldNotBeEmpty();
        await ada.GetByRole(AriaRole.Button, new() { Name = "Post my idea" }).ClickAsync();
        await ada.WaitForURLAsync(new Regex($"/participate/{slug}/ideas/[0-9]+$"));
        var adaIdea = ada.Url;
        (await fixture.WithDbAsync(db => db.Ideas.Where(i => i.Title == "Bulky waste form asks too much").Select(i => i.Latitude).SingleAsync())).ShouldNotBeNull();

        // A second idea: while typing, the similar one appears, and Ada supports it instead.
        await ada.GotoAsync($"/participate/{slug}/propose");
        await ada.GetByLabel("Title").PressSequentiallyAsync("renew parking permits online");
        var instead = ada.Locator("#similar-ideas li", new() { HasText = "Let residents renew parking permits online" }).GetByRole(AriaRole.Button, new() { Name = "Support this instead" });
        await instead.WaitForAsync();

        await instead.ClickAsync();
        await ada.WaitForURLAsync(new Regex($"/participate/{slug}/ideas/[0-9]+"));
        await ada.GetByText("You support this idea.", new() { Exact = true }).WaitForAsync();
        var parkingIdea = new Uri(ada.Url).AbsolutePath;

        await ada.GetByLabel("Add a comment").FillAsync("Yes please, and send a reminder by email.");
        await ada.GetByRole(AriaRole.Button, new() { Name = "Post comment" }).ClickAsync();
        await ada.GetByText("Yes please, and send a reminder by email.").WaitForAsync();
        await AccessibleAsync(ada, "idea");

        // A second citizen supports Ada's idea and reports her comment on the other one.
        var boEmail = $"bo-{Guid.NewGuid():N}@example.org";
        var bo = await fixture.CitizenAsync(boEmail, "Bo");
        await bo.GotoAsync(adaIdea);
        await bo.GetByRole(AriaRole.Button, new() { Name = "Support this idea" }).ClickAsync();
        await bo.GetByText("You support this idea.", new() { Exact = true }).WaitForAsync();
        (await bo.Locator("#support-count").InnerTextAsync()).ShouldStartWith("1 supporter");
        await bo.GotoAsync(parkingIdea);
        await bo.GetByText("Report this idea or a comment").ClickAsync();
        await bo.GetByLabel("What are you reporting?").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await bo.GetByRole(AriaRole.Button, new() { Name = "Report", Exact = true }).ClickAsync();

        // A moderator from another team hides it with a house rule; the public page keeps a placeholder.
        var moderator = await fixture.StaffAsync(Roles.Agent);
        await moderator.GotoAsync("/participation/moderation");
        await AccessibleAsync(moderator, "moderation");
        var card = moderator.Locator(".govuk-summary-card", new() { HasText = "Yes please, and send a reminder" });
        await card.GetByLabel("House rule it breaks").SelectOptionAsync(new SelectOptionValue { Index = 0 });
        await card.GetByRole(AriaRole.Button, new() { Name = "Hide this comment" }).ClickAsync();
        await moderator.WaitForLoadStateAsync();
        (await fixture.WithDbAsync(db => db.IdeaComments.Where(c => c.Text == "Yes please, and send a reminder by email.").Select(c => c.State).SingleAsync()))
            .ShouldBe(ContributionState.Hidden);
        await bo.GotoAsync(parkingIdea);
        (await bo.ContentAsync()).ShouldNotContain("send a reminder by email");

        // Staff publish the response; both citizens are emailed.
        var comms = await fixture.StaffAsync(Roles.Comms);
        await comms.GotoAsync($"/participation/challenges/{challengeId}");
        await AccessibleAsync(comms, "staff challenge");
        await comms.GetByLabel("Summary (Markdown)").FillAsync("## Thank you\nParking permits go online in April.");
        await comms.GetByRole(AriaRole.Button, new() { Name = "Publish the response" }).ClickAsync();
        await fixture.Factory.Smtp.WaitForMailAsync(adaEmail, m => m.Subject?.StartsWith("You said, we did", StringComparison.Ordinal) == true);
        await fixture.Factory.Smtp.WaitForMailAsync(boEmail, m => m.Subject?.StartsWith("You said, we did", StringComparison.Ordinal) == true);
        await ada.GotoAsync($"/participate/{slug}/response");
        await ada.GetByText("Parking permits go online in April.").WaitForAsync();
        await AccessibleAsync(ada, "response");
    }

    [Fact]
    public async Task A_crowd_map_line_is_drawn_verified_exported_as_GeoJSON_and_reimported_identical()
    {
        var staff = await fixture.StaffAsync(Roles.Agent);
        await staff.GotoAsync("/participation/maps");
        await AccessibleAsync(staff, "map projects");
        var title = "Ditches " + Guid.NewGuid().ToString("N")[..6];
        await staff.GetByText("Create a mapping project").ClickAsync();
        await staff.GetByLabel("Title").FillAsync(title);
        await staff.GetByLabel("Lines").CheckAsync();
        await staff.GetByLabel("Attributes").FillAsync("*Condition: good, blocked, collapsed");
        await staff.GetByLabel("Owner team").SelectOptionAsync(new SelectOptionValue { Label = "Highways" });
        await staff.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await staff.WaitForURLAsync(new Regex("/participation/maps/[0-9]+$"));
        var projectPage = new Uri(staff.Url).AbsolutePath;
        await AccessibleAsync(staff, "map project");
        var slug = await fixture.WithDbAsync(db => db.MapProjects.Where(p => p.Title == title).Select(p => p.Slug).SingleAsync());

        // The citizen draws a line with the keyboard way: add the centre, move the map, add it again.
        var ada = await fixture.CitizenAsync($"ada-map-{Guid.NewGuid():N}@example.org", "Ada");
        await ada.GotoAsync($"/participate/maps/{slug}");
        await AccessibleAsync(ada, "public map");
        await ada.GetByRole(AriaRole.Button, new() { Name = "Add the centre of the map" }).ClickAsync();
        await ada.Locator("#crowd-map").FocusAsync();
        await ada.Keyboard.PressAsync("ArrowRight");
        await ada.Keyboard.PressAsync("ArrowRight");
        await ada.Keyboard.PressAsync("ArrowUp");
        await ada.WaitForTimeoutAsync(500);
        await ada.GetByRole(AriaRole.Button, new() { Name = "Add the centre of the map" }).ClickAsync();
        (await ada.Locator("#geometry").InputValueAsync()).ShouldContain("LineString");
        await ada.GetByLabel("blocked").CheckAsync();
        await ada.GetByRole(AriaRole.Button, new() { Name = "Send the line" }).ClickAsync();
        await ada.GetByText("Your feature has been sent").WaitForAsync();

        // Staff verify it; the public layer and the table show it.
        await staff.GotoAsync(projectPage);
        await staff.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Verify feature") }).ClickAsync();
        await staff.GetByText("verified: it is on the public map").WaitForAsync();
        await ada.GotoAsync($"/participate/maps/{slug}");
        await ada.Locator("#crowd-map path.leaflet-interactive").First.WaitForAsync();
        await ada.GetByRole(AriaRole.Cell, new() { Name = "blocked" }).WaitForAsync();

        // Export, import into a second project, export again: the same bytes.
        var download = await ada.RunAndWaitForDownloadAsync(() => ada.GetByRole(AriaRole.Link, new() { Name = "verified lines as GeoJSON" }).ClickAsync());
        var path = Path.Combine(Path.GetTempPath(), $"civicdesk-{Guid.NewGuid():N}.geojson");
        await download.SaveAsAsync(path);
        var exported = await File.ReadAllTextAsync(path);
        exported.ShouldContain("\"condition\":\"blocked\"");

        await staff.GotoAsync("/participation/maps");
        await staff.GetByText("Create a mapping project").ClickAsync();
        await staff.GetByLabel("Title").FillAsync(title + " copy");
        await staff.GetByLabel("Lines").CheckAsync();
        await staff.GetByLabel("Owner team").SelectOptionAsync(new SelectOptionValue { Label = "Highways" });
        await staff.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await staff.WaitForURLAsync(new Regex("/participation/maps/[0-9]+$"));
        await staff.GetByLabel("GeoJSON file (for example exported from QGIS)").SetInputFilesAsync(path);
        await staff.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await staff.GetByText("1 features imported").WaitForAsync();
        File.Delete(path);
        var copySlug = await fixture.WithDbAsync(db => db.MapProjects.Where(p => p.Title == title + " copy").Select(p => p.Slug).SingleAsync());
        var again = await staff.APIRequest.GetAsync($"/participate/maps/{copySlug}/features.geojson");
        (await again.TextAsync()).ShouldBe(exported);
    }
}
