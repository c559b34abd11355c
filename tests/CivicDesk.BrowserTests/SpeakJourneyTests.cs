using CivicDesk.Web.Domain;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

public sealed class SpeakBrowserFixture : IAsyncLifetime
{
    public SpeakFactory Factory { get; } = new();
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
        context.SetDefaultTimeout(20_000);
        await context.RouteAsync("https://*.tile.openstreetmap.org/**", route => route.AbortAsync());
        return await context.NewPageAsync();
    }

    public async Task<IPage> SignedInAsync(string email)
    {
        var page = await NewPageAsync();
        await BrowserSignIn.SignInAsync(page, Factory, email);
        return page;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Factory.DisposeAsync();
    }
}

/// <summary>Incident live mode, the rumour tracker and Q&amp;A → FAQ in Chromium, with axe-core on every new page.</summary>
public sealed class SpeakJourneyTests(SpeakBrowserFixture fixture) : IClassFixture<SpeakBrowserFixture>
{
    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty($"{what}: {Axe.Describe(violations)}");
    }

    [Fact]
    public async Task An_update_appears_on_the_open_live_page_without_a_reload()
    {
        var org = await fixture.Factory.OrganisationAsync();
        var staff = await fixture.SignedInAsync(org.Staff[Roles.Comms].Email);
        await staff.GotoAsync("/comms/incidents/declare");
        await AssertAccessibleAsync(staff, "declare page");
        await staff.GetByLabel("Title").FillAsync("Town centre flooding");
        await staff.GetByLabel("Major").CheckAsync();
        await staff.GetByLabel("Centre latitude").FillAsync("51.9");
        await staff.GetByLabel("Centre longitude").FillAsync("-2.08");
        await staff.GetByLabel("Radius in metres").FillAsync("800");
        await staff.GetByLabel("Keywords").FillAsync("flood");
        await staff.GetByLabel("What to do now").FillAsync("Avoid the High Street.");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Declare the incident" }).ClickAsync();
        await staff.WaitForURLAsync(url => url.Contains("/comms/incidents/", StringComparison.Ordinal) && !url.EndsWith("declare", StringComparison.Ordinal));
        await AssertAccessibleAsync(staff, "incident room");
        var liveHref = await staff.Locator("#live-link").GetAttributeAsync("href");

        var citizen = await fixture.NewPageAsync();
        await citizen.GotoAsync("/report");
        (await citizen.Locator("#incident-banner").InnerTextAsync()).ShouldContain("Town centre flooding");
        await citizen.GotoAsync(liveHref!);
        await AssertAccessibleAsync(citizen, "live page");
        // A marker that a reload would wipe: the update must arrive without one.
        await citizen.EvaluateAsync("() => { window.__noReload = true; }");

        await staff.GetByLabel("Update", new() { Exact = true }).FillAsync("Sandbags are available at the Town Hall.");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Publish update" }).ClickAsync();
        await staff.Locator(".govuk-notification-banner--success").WaitForAsync();

        await citizen.Locator("#timeline").GetByText("Sandbags are available at the Town Hall.").WaitForAsync(new() { Timeout = 15_000 });
        (await citizen.EvaluateAsync<bool>("() => window.__noReload === true")).ShouldBeTrue("the page was not reloaded");
        (await citizen.Locator("#live-announce").InnerTextAsync()).ShouldContain("Sandbags are available");
        await AssertAccessibleAsync(citizen, "live page after an update");
        await staff.GotoAsync(staff.Url.Split('#')[0] + "/report");
        await AssertAccessibleAsync(staff, "incident report");
    }

    [Fact]
    public async Task A_rumour_gets_two_sightings_a_verdict_and_a_rebuttal()
    {
        var org = await fixture.Factory.OrganisationAsync();
        var mastodon = await fixture.Factory.SocialChannelAsync(org, ChannelKind.Mastodon, "Council on Mastodon");
        var first = await fixture.Factory.MessageAsync(org, "Is it true the leisure centre is closing next month?", handle: "pat");
        var second = await fixture.Factory.MessageAsync(org, "People are saying the leisure centre closes next month", handle: "lee");
        var refs = await fixture.Factory.WithDbAsync(org.Id, db => db.Conversations
            .Where(c => c.Id == first.ConversationId || c.Id == second.ConversationId).Select(c => c.Reference).ToListAsync());

        var staff = await fixture.SignedInAsync(org.Staff[Roles.Comms].Email);
        await staff.GotoAsync("/comms/rumours");
        await staff.GetByLabel("The claim").FillAsync("The leisure centre is closing next month");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Track this claim" }).ClickAsync();
        await staff.WaitForURLAsync(url => System.Text.RegularExpressions.Regex.IsMatch(url, "/comms/rumours/\\d+$"));
        foreach (var reference in refs)
        {
            await staff.GetByLabel("Attach a conversation's latest message").FillAsync(reference);
            await staff.GetByRole(AriaRole.Button, new() { Name = "Attach sighting" }).ClickAsync();
            await staff.Locator("#notice-text").WaitForAsync();
        }

        (await staff.Locator("#sightings li").CountAsync()).ShouldBe(2);
        await AssertAccessibleAsync(staff, "claim page");
        await staff.Locator("#verdict").CheckAsync();
        await staff.GetByLabel("The facts").FillAsync("The leisure centre stays open; only the sauna closes for repairs.");
        await staff.GetByLabel("Rebuttal post").FillAsync("The leisure centre is not closing. The facts:");
        await staff.GetByLabel("Council on Mastodon (Mastodon)").CheckAsync();
        await staff.GetByRole(AriaRole.Button, new() { Name = "Publish verdict" }).ClickAsync();
        (await staff.Locator("#notice-text").InnerTextAsync()).ShouldContain("Verdict published");
        (await staff.Locator("#rebuttal-states").InnerTextAsync()).ShouldContain("Council on Mastodon: Queued");
        fixture.Factory.Broadcaster.Requests.ShouldContain(r => r.Source == "rumour-rebuttal" && r.ChannelIds.Contains(mastodon));
        (await staff.Locator("#author-list input").CountAsync()).ShouldBe(2);
        await AssertAccessibleAsync(staff, "claim page with verdict");

        var citizen = await fixture.NewPageAsync();
        await citizen.GotoAsync("/myths-and-facts");
        (await citizen.Locator("main").InnerTextAsync()).ShouldContain("The leisure centre stays open");
        await AssertAccessibleAsync(citizen, "myths and facts");
    }

    [Fact]
    public async Task An_answered_question_from_a_session_becomes_an_faq_entry()
    {
        var org = await fixture.Factory.OrganisationAsync();
        var mastodon = await fixture.Factory.SocialChannelAsync(org, ChannelKind.Mastodon, "Council Q&A account");
        var staff = await fixture.SignedInAsync(org.Staff[Roles.Comms].Email);
        await staff.GotoAsync("/comms/qa");
        await AssertAccessibleAsync(staff, "Q&A sessions");
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        string Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, zone).ToString("yyyy-MM-ddTHH:mm");
        await staff.GetByLabel("Title").FillAsync("Ask the council about parking");
        await staff.GetByLabel("Hashtag").FillAsync("AskParking");
        await staff.GetByLabel("Council Q&A account (Mastodon)").CheckAsync();
        await staff.GetByLabel("Starts").FillAsync(Local(DateTime.UtcNow.AddHours(-1)));
        await staff.GetByLabel("Ends").FillAsync(Local(DateTime.UtcNow.AddHours(1)));
        await staff.GetByRole(AriaRole.Button, new() { Name = "Set up session" }).ClickAsync();
        await staff.WaitForURLAsync(url => System.Text.RegularExpressions.Regex.IsMatch(url, "/comms/qa/\\d+$"));

        await fixture.Factory.MessageAsync(org, "#AskParking How much is a resident's permit?", mastodon, ChannelKind.Mastodon, "@kim@example.social");
        await staff.Locator("#gather").ClickAsync();
        await staff.GetByText("How much is a resident's permit?").WaitForAsync();
        await AssertAccessibleAsync(staff, "session board");
        await staff.GetByLabel("Answer @kim@example.social").FillAsync("A resident's permit costs £60 a year.");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Send answer to @kim@example.social" }).ClickAsync();
        await staff.Locator("[data-answer-text]").WaitForAsync();
        await staff.GetByText("Add to the FAQ").ClickAsync();
        await staff.GetByLabel("Topic").FillAsync("Parking");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Publish in the FAQ" }).ClickAsync();
        await staff.Locator("[data-in-faq]").WaitForAsync();

        var citizen = await fixture.NewPageAsync();
        await citizen.GotoAsync("/faq");
        await citizen.GetByLabel("Search the questions").FillAsync("permit");
        await citizen.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        (await citizen.Locator("main").InnerTextAsync()).ShouldContain("A resident's permit costs £60 a year.");
        await AssertAccessibleAsync(citizen, "FAQ");
    }

    [Fact]
    public async Task A_trainees_post_is_returned_edited_approved_and_then_appears_on_the_newsroom_the_feeds_and_every_network()
    {
        await using var fake = await FakeSocialNetworks.StartAsync();
        var org = await fixture.Factory.OrganisationAsync();
        await FakeSocialNetworks.ConnectChannelsAsync(fixture.Factory, org, fake.BaseUrl, owner: "Newsdesk");
        var title = "Gritting tonight " + Guid.NewGuid().ToString("N")[..6];
        var image = Path.Combine(Path.GetTempPath(), $"gritter-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(image, Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="));

        // The trainee drafts the post with an image and the four accounts, and sends it for review.
        var trainee = await fixture.SignedInAsync(org.Staff[Roles.Trainee].Email);
        await trainee.GotoAsync("/newsroom/edit");
        await AssertAccessibleAsync(trainee, "news editor");
        await trainee.GetByLabel("Title").FillAsync(title);
        await trainee.GetByLabel("Summary").FillAsync("Gritters go out at 6pm on the main routes.");
        await trainee.GetByLabel("Text", new() { Exact = true }).FillAsync("Gritters go out at 6pm.");
        await trainee.GetByLabel("Image (JPEG, PNG, GIF or WebP)").SetInputFilesAsync(image);
        await trainee.GetByLabel("Alt text").FillAsync("A gritter lorry at the depot");
        foreach (var (kind, network) in new[] { ("Mastodon", "Mastodon"), ("Bluesky", "Bluesky"), ("Twitter", "X"), ("Facebook", "Facebook") })
        {
            await trainee.GetByLabel($"Newsdesk on {kind} ({network})", new() { Exact = true }).CheckAsync();
        }

        await trainee.GetByRole(AriaRole.Button, new() { Name = "Send for review" }).ClickAsync();
        await trainee.Locator(".govuk-notification-banner--success").WaitForAsync();
        var postId = await fixture.Factory.WithDbAsync(org.Id, db => db.NewsPosts.Where(p => p.Title == title).Select(p => p.Id).SingleAsync());
        var itemId = await fixture.Factory.WithDbAsync(org.Id, db => db.ReviewItems.Where(r => r.Kind == "news-post" && r.SubjectId == postId.ToString())
            .Select(r => r.Id).SingleAsync());
        fake.Requests.ShouldBeEmpty("nothing goes out before a mentor approves");

        // The mentor returns it with a coaching note.
        var mentor = await fixture.SignedInAsync(org.Staff[Roles.TeamLead].Email);
        await mentor.GotoAsync($"/review/{itemId}");
        await AssertAccessibleAsync(mentor, "review item");
        await mentor.GetByLabel("Return with a coaching note").FillAsync("Say which roads: people will ask.");
        await mentor.GetByRole(AriaRole.Button, new() { Name = "Return to trainee" }).ClickAsync();
        await mentor.Locator("#review-status").GetByText("Returned").WaitForAsync();

        // The trainee reads the note, edits and sends it again; the mentor approves.
        await trainee.GotoAsync($"/review/{itemId}");
        (await trainee.Locator("main").InnerTextAsync()).ShouldContain("Say which roads: people will ask.");
        await trainee.GetByLabel("Your text").FillAsync("Gritters go out at 6pm on the A40, A46 and B4632.");
        await trainee.GetByRole(AriaRole.Button, new() { Name = "Send for review again" }).ClickAsync();
        await trainee.Locator("#review-status").GetByText("Waiting for review").WaitForAsync();
        await mentor.GotoAsync($"/review/{itemId}");
        await mentor.GetByRole(AriaRole.Button, new() { Name = "Approve as written" }).ClickAsync();
        try
        {
            await mentor.Locator("#review-status").GetByText("Approved").WaitForAsync();
        }
        catch (TimeoutException)
        {
            throw new ShouldAssertException("Not approved; the mentor's page says:\n" + await mentor.Locator("main").InnerTextAsync());
        }

        // The newsroom page, all three feeds and all four networks.
        var slug = await fixture.Factory.WithDbAsync(org.Id, db => db.NewsPosts.Where(p => p.Title == title).Select(p => p.Slug).SingleAsync());
        var citizen = await fixture.NewPageAsync();
        await citizen.GotoAsync("/news");
        await citizen.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
        (await citizen.Locator("main").InnerTextAsync()).ShouldContain("Gritters go out at 6pm on the A40, A46 and B4632.");
        (await citizen.Locator("main img").GetAttributeAsync("alt")).ShouldBe("A gritter lorry at the depot");
        await AssertAccessibleAsync(citizen, "news post");
        foreach (var feed in new[] { "/news/feed.atom", "/news/feed.rss", "/news/feed.json" })
        {
            var response = await citizen.APIRequest.GetAsync(feed);
            response.Status.ShouldBe(200);
            (await response.TextAsync()).ShouldContain($"/news/{slug}", customMessage: feed);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((fake.MastodonStatuses.Count, fake.BlueskyPosts.Count, fake.Tweets.Count, fake.FacebookPosts.Count) != (1, 1, 1, 1) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        (fake.MastodonStatuses.Count, fake.BlueskyPosts.Count, fake.Tweets.Count, fake.FacebookPosts.Count).ShouldBe((1, 1, 1, 1));
        fake.MastodonStatuses.Single().Text.ShouldContain(title);
        fake.MastodonStatuses.Single().Text.ShouldContain($"/news/{slug}");
        fake.Requests.Single(r => r.Path.EndsWith("/mastodon/api/v2/media", StringComparison.Ordinal)).Form["description"].ShouldBe("A gritter lorry at the depot");
    }

    [Fact]
    public async Task Script_in_a_news_posts_markdown_never_runs_in_the_browser()
    {
        var org = await fixture.Factory.OrganisationAsync();
        var comms = await fixture.SignedInAsync(org.Staff[Roles.Comms].Email);
        var title = "Safe news " + Guid.NewGuid().ToString("N")[..6];
        string[] payloads =
        [
            "<script>window.__xss = 'script'</script>",
            "<img src=x onerror=\"window.__xss = 'img'\">",
            "<svg onload=\"window.__xss = 'svg'\"></svg>",
            "[click me](javascript:window.__xss='link')",
            "<a href=\"javascript:window.__xss='anchor'\">anchor</a>",
            "<iframe srcdoc=\"<script>parent.__xss='iframe'</script>\"></iframe>",
            "<div style=\"background:url(javascript:window.__xss='css')\">styled</div>",
            "<details open ontoggle=\"window.__xss='details'\">x</details>",
            "![pic](x \"onerror=window.__xss='title'\")",
        ];
        await comms.GotoAsync("/newsroom/edit");
        await comms.GetByLabel("Title").FillAsync(title);
        await comms.GetByLabel("Summary").FillAsync("Markdown with script in it.");
        await comms.GetByLabel("Text", new() { Exact = true }).FillAsync("Plain words first.\n\n" + string.Join("\n\n", payloads));
        await comms.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await comms.Locator(".govuk-notification-banner--success").WaitForAsync();

        var citizen = await fixture.NewPageAsync();
        var dialogs = 0;
        citizen.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };
        await citizen.GotoAsync("/news");
        await citizen.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
        (await citizen.Locator("main").InnerTextAsync()).ShouldContain("Plain words first.");
        foreach (var link in await citizen.Locator("main a").AllAsync())
        {
            if ((await link.InnerTextAsync()) is "click me" or "anchor")
            {
                await link.ClickAsync();
            }
        }

        await citizen.Locator("main details").First.ClickAsync().ContinueWith(_ => { }, TaskScheduler.Default);
        (await citizen.EvaluateAsync<string?>("() => window.__xss ?? null")).ShouldBeNull("a payload ran");
        dialogs.ShouldBe(0);
        (await citizen.Locator("main script, main iframe, main svg, main [onerror], main [onload], main [ontoggle]").CountAsync()).ShouldBe(0);
        (await citizen.Locator("main a[href^='javascript']").CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Every_speaking_page_passes_axe_and_fits_a_phone_and_a_desktop()
    {
        var org = await fixture.Factory.OrganisationAsync();
        var shots = Path.Combine(Path.GetTempPath(), "civicdesk-shots");
        Directory.CreateDirectory(shots);
        async Task CheckAsync(IPage page, string path)
        {
            await page.GotoAsync(path);
            foreach (var width in new[] { 1920, 1280, 390 })
            {
                await page.SetViewportSizeAsync(width, 900);
                var name = path.Trim('/').Replace('/', '-').Replace('?', '-').Replace('=', '-');
                await page.ScreenshotAsync(new() { Path = Path.Combine(shots, $"speak-{name}-{width}.png"), FullPage = true });
                await AssertAccessibleAsync(page, $"{path} at {width} px");
                (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"))
                    .ShouldBeTrue($"{path} scrolls sideways at {width} px");
            }
        }

        var comms = await fixture.SignedInAsync(org.Staff[Roles.Comms].Email);
        foreach (var path in new[] { "/newsroom", "/newsroom/edit", "/publishing", "/publishing?failed=true", "/comms/incidents", "/comms/rumours", "/comms/qa", "/comms/faq" })
        {
            await CheckAsync(comms, path);
        }

        await CheckAsync(await fixture.SignedInAsync(org.Staff[Roles.TeamLead].Email), "/review");
        await CheckAsync(await fixture.SignedInAsync(org.Staff[Roles.Admin].Email), "/admin/trainees");
        var citizen = await fixture.NewPageAsync();
        foreach (var path in new[] { "/news", "/incidents", "/myths-and-facts", "/faq" })
        {
            await CheckAsync(citizen, path);
        }
    }
}
