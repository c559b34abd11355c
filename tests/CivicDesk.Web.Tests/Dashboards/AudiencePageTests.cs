using System.Net;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards.Audience;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>The audience page: honest empty states, every figure scoped to the viewer's teams, and "read now" for comms and admins only.</summary>
public sealed class AudiencePageTests(AudienceFactory factory) : IClassFixture<AudienceFactory>
{
    private const string Page = "/dashboards/audience";

    /// <summary>Four accounts on the fakes; the register gives Mastodon to Customer Services (every test member's team) and Bluesky to Highways.</summary>
    private async Task<(TestOrganisation Org, Dictionary<ChannelKind, long> Channels)> ArrangeAsync(FakeAudienceNetworks fake)
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await fake.ConnectAsync(factory, org.Id);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        db.SocialAccounts.Add(new SocialAccount { OrganisationId = org.Id, Network = "Mastodon", Handle = "@council@social.example", ChannelId = channels[ChannelKind.Mastodon], TeamId = org.Teams["Customer Services"] });
        db.SocialAccounts.Add(new SocialAccount { OrganisationId = org.Id, Network = "Bluesky", Handle = "council.example", ChannelId = channels[ChannelKind.Bluesky], TeamId = org.Teams["Highways"] });
        await db.SaveChangesAsync();
        return (org, channels);
    }

    [Fact]
    public async Task Before_the_first_read_the_page_says_there_are_no_figures_yet_and_no_posts()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var (org, _) = await ArrangeAsync(fake);
        using var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);

        var html = await comms.GetStringAsync(Page);

        html.ShouldContain("id=\"audience-no-data\"");
        html.ShouldContain("id=\"audience-no-posts\"");
        html.ShouldContain("Council on Mastodon (@council@social.example)");
        html.ShouldContain("Not read yet");
        html.ShouldContain("No data for this period.");

        var empty = await TestOrganisation.CreateAsync(factory);
        using var analyst = await StaffClient.SignInAsync(factory, empty, Roles.Analyst);
        (await analyst.GetStringAsync(Page)).ShouldContain("id=\"audience-no-accounts\"");
    }

    [Fact]
    public async Task Comms_sees_every_account_and_post_an_agent_only_their_teams_account()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var (org, channels) = await ArrangeAsync(fake);
        await AudienceTests.PublishAsync(factory, org.Id, channels, "Bins <b>collected</b> late on Friday");
        fake.Posts[AudienceTests.MastodonPost] = (11, 6, 5, 2);
        fake.Posts[AudienceTests.BlueskyPost] = (40, 12, 5, 3);
        fake.Answer("x", "/2/users/", 401, """{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}""");
        await factory.Services.GetRequiredService<AudienceCollector>().RunAsync(org.Id, force: false, CancellationToken.None);

        using var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var all = await comms.GetStringAsync(Page);
        all.ShouldContain($"data-channel=\"{channels[ChannelKind.Bluesky]}\"");
        all.ShouldContain($"data-channel=\"{channels[ChannelKind.Mastodon]}\"");
        all.ShouldContain($"data-channel=\"{channels[ChannelKind.Facebook]}\"");
        all.ShouldContain("1,200");
        all.ShouldContain("547");
        all.ShouldContain("Read failed");
        all.ShouldContain("X refused the account&#x27;s credentials (401, reading the account)");
        all.ShouldContain("href=\"https://social.example/@council/113000000000000001\"");
        all.ShouldContain("Bins &lt;b&gt;collected&lt;/b&gt; late on Friday");
        all.ShouldNotContain("<b>collected</b>");
        all.ShouldContain("id=\"chart-audience-followers\"");
        all.ShouldContain("Read the accounts now");

        using var agent = await StaffClient.SignInAsync(factory, org, Roles.Agent);
        var mine = await agent.GetStringAsync(Page);
        mine.ShouldContain($"data-channel=\"{channels[ChannelKind.Mastodon]}\"");
        mine.ShouldNotContain($"data-channel=\"{channels[ChannelKind.Bluesky]}\"");
        mine.ShouldNotContain($"data-channel=\"{channels[ChannelKind.Facebook]}\"");
        mine.ShouldNotContain("1,200");
        mine.ShouldContain("547");
        mine.ShouldContain("href=\"https://social.example/@council/113000000000000001\"");
        mine.ShouldNotContain("https://bsky.app/profile/council.example/post/3lbq2yqkxyz2a");
        mine.ShouldNotContain("Read the accounts now");
        mine.ShouldContain("You see the accounts the account register gives to your teams");
    }

    [Fact]
    public async Task Read_now_is_for_comms_and_admins_and_replaces_today()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var (org, channels) = await ArrangeAsync(fake);

        using var lead = await StaffClient.SignInAsync(factory, org, Roles.TeamLead);
        var refused = await StaffClient.PostFormAsync(lead, Page, Page + "?handler=Collect", new Dictionary<string, string>());
        // Forbid() on a cookie-authenticated page sends the browser to the access-denied page.
        refused.StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.Redirect);
        if (refused.StatusCode == HttpStatusCode.Redirect)
        {
            refused.Headers.Location!.ToString().ShouldNotContain("/dashboards/audience");
        }

        fake.Requests.ShouldBeEmpty();

        using var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var posted = await StaffClient.PostFormAsync(comms, Page, Page + "?handler=Collect", new Dictionary<string, string>());
        posted.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var html = await comms.GetStringAsync(posted.Headers.Location!.ToString());
        html.ShouldContain("Read 4 of 4 account(s) and 0 post(s).");
        html.ShouldNotContain("id=\"audience-no-data\"");

        fake.Accounts["mastodon"] = (600, 404, 28468);
        await StaffClient.PostFormAsync(comms, Page, Page + "?handler=Collect", new Dictionary<string, string>());
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        db.AccountAudienceSnapshots.Where(s => s.ChannelId == channels[ChannelKind.Mastodon]).Select(s => s.Followers).ToList().ShouldBe([600L]);
    }
}
