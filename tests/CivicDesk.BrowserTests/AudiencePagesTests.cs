using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>The audience and reach page in Chromium: the followers chart draws under the CSP, reads by keyboard, and the page passes axe.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AudiencePagesTests(BrowserFixture fixture)
{
    private static readonly string Shots = Path.Combine(Path.GetTempPath(), "civicdesk-shots");

    /// <summary>Four accounts with 30 days of reads, two published posts with reactions, and one account whose last read failed.</summary>
    private async Task<TestOrganisation> ArrangeAsync()
    {
        var org = await TestOrganisation.CreateAsync(fixture.Factory);
        await using var scope = fixture.Factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = DateTime.UtcNow;
        var today = DateOnly.FromDateTime(LocalTime.ToLocal(now, "Europe/London"));
        var accounts = new (ChannelKind Kind, string Name, string Account, long Start, long PerDay)[]
        {
            (ChannelKind.Bluesky, "Council on Bluesky", "council.example", 1200, 9),
            (ChannelKind.Mastodon, "Council on Mastodon", "@council@social.example", 540, 2),
            (ChannelKind.Twitter, "Council on X", "@council", 20500, -4),
            (ChannelKind.Facebook, "Council Facebook Page", "1234", 3100, 5),
        };
        var publication = new Publication { OrganisationId = org.Id, Text = "Park Road is closed for resurfacing on Monday 7 December.", CreatedByName = "Comms", CreatedAt = now.AddDays(-3), Status = PublicationStatus.Published };
        db.Publications.Add(publication);
        foreach (var (kind, name, account, start, perDay) in accounts)
        {
            var channel = new Channel { OrganisationId = org.Id, Kind = kind, Name = name, Account = account, CreatedAt = now };
            db.Channels.Add(channel);
            await db.SaveChangesAsync();
            db.ChannelConnections.Add(new ChannelConnection { OrganisationId = org.Id, ChannelId = channel.Id, UpdatedAt = now });
            for (var d = 29; d >= 0; d--)
            {
                if (kind == ChannelKind.Facebook && d is 3 or 4)
                {
                    continue; // two days the Page could not be read: gaps, not zeros
                }

                db.AccountAudienceSnapshots.Add(new AccountAudienceSnapshot
                {
                    OrganisationId = org.Id, ChannelId = channel.Id, Kind = kind, Day = today.AddDays(-d), Followers = start + (29 - d) * perDay,
                    Following = kind == ChannelKind.Facebook ? null : 150, Posts = kind == ChannelKind.Facebook ? null : 400 + 29 - d, Source = "test", FetchedAt = now.AddDays(-d),
                });
            }

            var failed = kind == ChannelKind.Facebook;
            db.AudienceReadStates.Add(new AudienceReadState
            {
                OrganisationId = org.Id, ChannelId = channel.Id, LastCompletedDay = today, LastSuccessAt = failed ? now.AddDays(-1) : now, LastAttemptAt = now,
                LastError = failed ? "Facebook refused the account's credentials (401, reading the Page); an administrator must renew them under Connectors" : null,
                LastErrorAt = failed ? now : null,
            });
            if (kind is ChannelKind.Bluesky or ChannelKind.Mastodon)
            {
                var delivery = new PublicationDelivery
                {
                    OrganisationId = org.Id, ChannelId = channel.Id, Kind = kind, Text = publication.Text, State = DeliveryState.Delivered, IdempotencyKey = Guid.NewGuid().ToString("N"),
                    RemoteId = kind == ChannelKind.Bluesky ? "at://did:plc:council123/app.bsky.feed.post/3lbq2yqkxyz2a" : "113000000000000001",
                    RemoteUrl = kind == ChannelKind.Bluesky ? "https://bsky.app/profile/council.example/post/3lbq2yqkxyz2a" : "https://social.example/@council/113000000000000001",
                    DeliveredAt = now.AddDays(-3), NextAttemptAt = now.AddDays(-3),
                };
                publication.Deliveries.Add(delivery);
                await db.SaveChangesAsync();
                db.PostReachSnapshots.Add(new PostReachSnapshot
                {
                    OrganisationId = org.Id, PublicationDeliveryId = delivery.Id, PublicationId = publication.Id, ChannelId = channel.Id, Kind = kind, Day = today,
                    Likes = kind == ChannelKind.Bluesky ? 40 : 11, Reposts = kind == ChannelKind.Bluesky ? 12 : 6, Replies = 5, Quotes = kind == ChannelKind.Bluesky ? 3 : null,
                    Source = "test", FetchedAt = now,
                });
            }
        }

        await db.SaveChangesAsync();
        return org;
    }

    [Fact]
    public async Task Audience_DrawsTheFollowersChart_ReadsItByKeyboard_ShowsErrorsAndReach_AndPassesAxe()
    {
        var org = await ArrangeAsync();
        var errors = new List<string>();
        var page = await fixture.SignInAsync(org.Staff[Roles.Comms].Email, errors);

        await page.GotoAsync("/dashboards");
        await page.GetByRole(AriaRole.Link, new() { Name = "Audience and reach per account" }).ClickAsync();
        await page.Locator("#chart-audience-followers-canvas[data-chart-drawn]").WaitForAsync();
        Directory.CreateDirectory(Shots);
        foreach (var width in new[] { 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, 900);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, $"audience-{width}.png"), FullPage = true });
        }
        await page.SetViewportSizeAsync(1280, 900);

        await page.Locator("#chart-audience-followers-canvas").FocusAsync();
        await page.Keyboard.PressAsync("End");
        await page.WaitForFunctionAsync("() => document.getElementById('chart-audience-followers-live').textContent.length > 0");
        (await page.Locator("#chart-audience-followers-live").TextContentAsync()).ShouldNotBeNull().ShouldContain("Council on Bluesky");
        await page.GetByText("Show the data for Followers by day, per account as a table").ClickAsync();
        (await page.Locator("#chart-audience-followers table").InnerTextAsync()).ShouldContain("1,461");

        var accounts = await page.Locator("#audience-accounts").InnerTextAsync();
        accounts.ShouldContain("Read failed");
        accounts.ShouldContain("+261");
        (await page.Locator("#audience-posts").InnerTextAsync()).ShouldContain("Park Road is closed");
        (await page.Locator("#audience-posts a").First.GetAttributeAsync("href")).ShouldNotBeNull().ShouldStartWith("https://");

        var violations = await Axe.SeriousOrCriticalAsync(page);
        violations.ShouldBeEmpty(Axe.Describe(violations));
        errors.ShouldBeEmpty(string.Join("\n", errors));
    }
}
