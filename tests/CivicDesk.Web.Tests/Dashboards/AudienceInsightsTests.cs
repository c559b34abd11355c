using AngleSharp.Html.Parser;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Dashboards.Audience;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// How often a post or account was seen, where a network says: X's impression_count and Facebook Page insights (the
/// Page's daily reach and each post's people reached). Missing insights are unknown (null), never zero, and never
/// cost the read its other figures; a rate limit on insights fails the read so the day is tried again.
/// </summary>
public sealed class AudienceInsightsTests(AudienceFactory factory) : IClassFixture<AudienceFactory>
{
    private static ConnectorContext Facebook(FakeAudienceNetworks fake) =>
        new(new Channel { Id = 1, OrganisationId = 1, Kind = ChannelKind.Facebook, Name = "Page", Account = "1234" },
            new Dictionary<string, string> { ["graph_base_url"] = new Uri(fake.BaseUrl, "fb/").ToString() }, new Dictionary<string, string> { ["page_access_token"] = "fb-token" }, null, null!, null!, new HttpClient());

    [Fact]
    public async Task The_job_stores_x_impressions_and_facebook_reach_and_the_page_shows_them()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await fake.ConnectAsync(factory, org.Id);
        await AudienceTests.PublishAsync(factory, org.Id, channels);
        fake.Posts[AudienceTests.BlueskyPost] = (40, 12, 5, 3);
        fake.Posts[AudienceTests.MastodonPost] = (11, 6, 5, 2);
        fake.Posts[AudienceTests.Tweet] = (70, 11, 2, 1);
        fake.Posts[AudienceTests.FacebookPost] = (25, 4, 9, 0);
        fake.Insights["1234"] = 5_218;
        fake.Insights[AudienceTests.FacebookPost] = 4_830;

        var result = await factory.Services.GetRequiredService<AudienceCollector>().RunAsync(org.Id, force: false, CancellationToken.None);

        result.Errors.ShouldBeEmpty();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var accounts = await db.AccountAudienceSnapshots.IgnoreQueryFilters().Where(s => s.OrganisationId == org.Id).ToDictionaryAsync(s => s.Kind);
        var posts = await db.PostReachSnapshots.IgnoreQueryFilters().Where(s => s.OrganisationId == org.Id).ToDictionaryAsync(s => s.Kind);
        // The Page's latest full day (the fake lists the day before it first, 37 fewer), and nothing for networks without such a figure.
        accounts[ChannelKind.Facebook].Reach.ShouldBe(5_218);
        accounts.Where(a => a.Key != ChannelKind.Facebook).ShouldAllBe(a => a.Value.Reach == null);
        posts[ChannelKind.Facebook].Views.ShouldBe(4_830);
        posts[ChannelKind.Twitter].Views.ShouldBe(900); // the fake's impression_count
        posts[ChannelKind.Bluesky].Views.ShouldBeNull();
        posts[ChannelKind.Mastodon].Views.ShouldBeNull();
        fake.Count("fb", "/1234/insights?metric=page_total_media_view_unique&period=day").ShouldBe(1);
        fake.Count("fb", $"/{AudienceTests.FacebookPost}/insights?metric=post_total_media_view_unique&period=lifetime").ShouldBe(1);

        using var comms = await StaffClient.SignInAsync(factory, org, Roles.Comms);
        var page = new HtmlParser().ParseDocument(await comms.GetStringAsync("/dashboards/audience"));
        Cells(page, "#audience-accounts", channels[ChannelKind.Facebook], "data-channel").ShouldContain("5,218");
        var tweetRow = page.QuerySelectorAll("#audience-posts tbody tr").Select(r => r.TextContent).Single(t => t.Contains("Council on Twitter", StringComparison.Ordinal));
        tweetRow.ShouldContain("900");
        var facebookRow = page.QuerySelectorAll("#audience-posts tbody tr").Select(r => r.TextContent).Single(t => t.Contains("Council on Facebook", StringComparison.Ordinal));
        facebookRow.ShouldContain("4,830");
        page.QuerySelector("#audience-posts thead")!.TextContent.ShouldContain("Seen");
    }

    private static string Cells(AngleSharp.Html.Dom.IHtmlDocument page, string table, long id, string attribute) =>
        page.QuerySelector($"{table} tr[{attribute}='{id}']")?.TextContent ?? throw new ShouldAssertException($"no row {id} in {table}");

    [Fact]
    public async Task A_page_without_insights_or_a_token_without_read_insights_still_gives_followers_and_reactions()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        fake.Posts["1234_1"] = (25, 0, 9, 0);
        var reader = new FacebookAudienceReader(TimeProvider.System);

        // No insights at all (a Page under 100 likes): {"data":[]}.
        var page = await reader.ReadAccountAsync(Facebook(fake), CancellationToken.None);
        (page.Followers, page.Reach).ShouldBe((3100L, (long?)null));

        // A token without read_insights, or a metric this API version has withdrawn: a 400 on the insights call only.
        fake.Answer("fb", "/1234_1/insights", 400, """{"error":{"message":"(#100) The value must be a valid insights metric","type":"OAuthException","code":100,"fbtrace_id":"A1"}}""");
        var posts = await reader.ReadPostsAsync(Facebook(fake), ["1234_1"], CancellationToken.None);
        posts.Found["1234_1"].ShouldBe(new PostFigures("1234_1", 25, 0, 9, null, null));
        fake.Answer("fb", "/1234/insights", 403, """{"error":{"message":"(#10) This endpoint requires the 'read_insights' permission","type":"OAuthException","code":10,"fbtrace_id":"A2"}}""");
        (await reader.ReadAccountAsync(Facebook(fake), CancellationToken.None)).Reach.ShouldBeNull();
    }

    [Fact]
    public async Task Daily_values_are_taken_by_end_time_and_a_bad_value_or_a_rate_limit_fails_the_read()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var reader = new FacebookAudienceReader(TimeProvider.System);
        // Newest first this time: the latest end_time wins whatever the order.
        fake.Answer("fb", "/1234/insights", 200, """
            {"data":[{"name":"page_total_media_view_unique","period":"day","values":[
              {"value":812,"end_time":"2026-12-03T08:00:00+0000"},{"value":640,"end_time":"2026-12-02T08:00:00+0000"}],
              "id":"1234/insights/page_total_media_view_unique/day"}]}
            """);
        (await reader.ReadAccountAsync(Facebook(fake), CancellationToken.None)).Reach.ShouldBe(812);

        fake.Answer("fb", "/1234/insights", 200, """{"data":[{"name":"page_total_media_view_unique","period":"day","values":[{"value":"lots","end_time":"2026-12-03T08:00:00+0000"}]}]}""");
        (await Should.ThrowAsync<AudienceReadException>(() => reader.ReadAccountAsync(Facebook(fake), CancellationToken.None)))
            .Message.ShouldBe("Facebook's page_total_media_view_unique insight had value that is not a count");

        fake.Answer("fb", "/1234/insights", 429, """{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4,"fbtrace_id":"A3"}}""",
            new Dictionary<string, string> { ["Retry-After"] = "120" });
        var limited = await Should.ThrowAsync<AudienceReadException>(() => reader.ReadAccountAsync(Facebook(fake), CancellationToken.None));
        limited.Status.ShouldBe(429);
        limited.RetryAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task An_x_post_without_impression_count_has_unknown_views_not_zero()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        fake.Answer("x", "/2/tweets?ids=42", 200, """{"data":[{"id":"42","text":"Bins","public_metrics":{"retweet_count":1,"reply_count":2,"like_count":3,"quote_count":0}}]}""");
        var context = new ConnectorContext(new Channel { Id = 1, OrganisationId = 1, Kind = ChannelKind.Twitter, Name = "X", Account = "council" },
            new Dictionary<string, string> { ["BaseUrl"] = new Uri(fake.BaseUrl, "x/").ToString() }, new Dictionary<string, string> { ["AppBearerToken"] = "t" }, null, null!, null!, new HttpClient());

        var posts = await new XAudienceReader(TimeProvider.System).ReadPostsAsync(context, ["42"], CancellationToken.None);

        posts.Found["42"].ShouldBe(new PostFigures("42", 3, 1, 2, 0, null));
    }
}
