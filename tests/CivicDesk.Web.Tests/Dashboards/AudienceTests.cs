using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards.Audience;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>The app with the audience worker off (the tests run the job) and a clock they can move to the next day.</summary>
public sealed class AudienceFactory : CivicDeskFactory
{
    public MovableClock Clock { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Audience:Worker", "false"),
        new("Audience:RetryDelayMinutes", "60"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>
/// The daily audience job against fake Bluesky, Mastodon, X and Facebook servers on 127.0.0.1 answering in each
/// network's payload shape: what it stores, once per day, replaced on a rerun, and how each failure is recorded.
/// </summary>
public sealed class AudienceTests(AudienceFactory factory) : IClassFixture<AudienceFactory>
{
    public const string BlueskyPost = "at://did:plc:council123/app.bsky.feed.post/3lbq2yqkxyz2a";
    public const string MastodonPost = "113000000000000001";
    public const string Tweet = "1307025659294674945";
    public const string FacebookPost = "1234_5678";

    private AudienceCollector Collector => factory.Services.GetRequiredService<AudienceCollector>();

    /// <summary>One publication delivered to each account, as the publishers record it.</summary>
    public static async Task<Dictionary<ChannelKind, long>> PublishAsync(CivicDeskFactory factory, long orgId, Dictionary<ChannelKind, long> channels, string text = "Park Road is closed on Monday",
        DateTime? at = null)
    {
        await using var scope = factory.ScopeFor(orgId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var when = at ?? DateTime.UtcNow.AddHours(-2);
        var publication = new Publication { OrganisationId = orgId, Text = text, CreatedByName = "Comms", CreatedAt = when, Status = PublicationStatus.Published, CompletedAt = when };
        var remote = new Dictionary<ChannelKind, (string Id, string Url)>
        {
            [ChannelKind.Bluesky] = (BlueskyPost, "https://bsky.app/profile/council.example/post/3lbq2yqkxyz2a"),
            [ChannelKind.Mastodon] = (MastodonPost, "https://social.example/@council/113000000000000001"),
            [ChannelKind.Twitter] = (Tweet, "https://x.com/i/web/status/1307025659294674945"),
            [ChannelKind.Facebook] = (FacebookPost, "https://www.facebook.com/1234_5678"),
        };
        foreach (var (kind, channelId) in channels)
        {
            publication.Deliveries.Add(new PublicationDelivery
            {
                OrganisationId = orgId, ChannelId = channelId, Kind = kind, Text = text, State = DeliveryState.Delivered, IdempotencyKey = Guid.NewGuid().ToString("N"),
                RemoteId = remote[kind].Id, RemoteUrl = remote[kind].Url, DeliveredAt = when, NextAttemptAt = when, Attempts = 1,
            });
        }

        db.Publications.Add(publication);
        await db.SaveChangesAsync();
        return publication.Deliveries.ToDictionary(d => d.Kind, d => d.Id);
    }

    private async Task<T> WithDbAsync<T>(Func<CivicDeskDb, Task<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CivicDeskDb>());
    }

    private Task<List<AccountAudienceSnapshot>> AudienceRowsAsync(long orgId) =>
        WithDbAsync(db => db.AccountAudienceSnapshots.IgnoreQueryFilters().Where(s => s.OrganisationId == orgId).OrderBy(s => s.Day).ThenBy(s => s.ChannelId).ToListAsync());

    private Task<List<PostReachSnapshot>> ReachRowsAsync(long orgId) =>
        WithDbAsync(db => db.PostReachSnapshots.IgnoreQueryFilters().Where(s => s.OrganisationId == orgId).OrderBy(s => s.Day).ThenBy(s => s.ChannelId).ToListAsync());

    private Task<AudienceReadState> StateAsync(long channelId) =>
        WithDbAsync(db => db.AudienceReadStates.IgnoreQueryFilters().SingleAsync(s => s.ChannelId == channelId));

    private DateOnly Today => DateOnly.FromDateTime(LocalTime.ToLocal(factory.Clock.GetUtcNow().UtcDateTime, "Europe/London"));

    private static void SeedPosts(FakeAudienceNetworks fake)
    {
        fake.Posts[BlueskyPost] = (40, 12, 5, 3);
        fake.Posts[MastodonPost] = (11, 6, 5, 2);
        fake.Posts[Tweet] = (70, 11, 2, 1);
        fake.Posts[FacebookPost] = (25, 4, 9, 0);
    }

    [Fact]
    public async Task A_run_reads_every_network_and_stores_one_row_per_account_and_post_for_the_day()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await fake.ConnectAsync(factory, org.Id);
        var deliveries = await PublishAsync(factory, org.Id, channels);
        SeedPosts(fake);

        var result = await Collector.RunAsync(org.Id, force: false, CancellationToken.None);

        result.Errors.ShouldBeEmpty();
        (result.Accounts, result.Read, result.Failed, result.Posts).ShouldBe((4, 4, 0, 4));
        var rows = (await AudienceRowsAsync(org.Id)).ToDictionary(r => r.Kind);
        rows.Count.ShouldBe(4);
        rows.Values.ShouldAllBe(r => r.Day == Today);
        (rows[ChannelKind.Bluesky].Followers, rows[ChannelKind.Bluesky].Following, rows[ChannelKind.Bluesky].Posts).ShouldBe((1200L, 150L, 480L));
        rows[ChannelKind.Bluesky].Source.ShouldBe("app.bsky.actor.getProfile");
        (rows[ChannelKind.Mastodon].Followers, rows[ChannelKind.Mastodon].Following, rows[ChannelKind.Mastodon].Posts).ShouldBe((547L, 404L, 28468L));
        (rows[ChannelKind.Twitter].Followers, rows[ChannelKind.Twitter].Following, rows[ChannelKind.Twitter].Posts).ShouldBe((570842L, 2048L, 9000L));
        // A Page has followers but no "following" or post count: null, never a made-up zero.
        (rows[ChannelKind.Facebook].Followers, rows[ChannelKind.Facebook].Following, rows[ChannelKind.Facebook].Posts).ShouldBe((3100L, (long?)null, (long?)null));

        var reach = (await ReachRowsAsync(org.Id)).ToDictionary(r => r.Kind);
        reach.Count.ShouldBe(4);
        (reach[ChannelKind.Bluesky].Likes, reach[ChannelKind.Bluesky].Reposts, reach[ChannelKind.Bluesky].Replies, reach[ChannelKind.Bluesky].Quotes).ShouldBe((40L, 12L, 5L, 3L));
        (reach[ChannelKind.Mastodon].Likes, reach[ChannelKind.Mastodon].Reposts, reach[ChannelKind.Mastodon].Replies, reach[ChannelKind.Mastodon].Quotes).ShouldBe((11L, 6L, 5L, 2L));
        (reach[ChannelKind.Twitter].Likes, reach[ChannelKind.Twitter].Reposts, reach[ChannelKind.Twitter].Replies, reach[ChannelKind.Twitter].Quotes).ShouldBe((70L, 11L, 2L, 1L));
        (reach[ChannelKind.Facebook].Likes, reach[ChannelKind.Facebook].Reposts, reach[ChannelKind.Facebook].Replies, reach[ChannelKind.Facebook].Quotes).ShouldBe((25L, 4L, 9L, (long?)null));
        reach[ChannelKind.Mastodon].PublicationDeliveryId.ShouldBe(deliveries[ChannelKind.Mastodon]);

        // Each network through its own API, with the channel's credentials.
        fake.Count("bsky", "app.bsky.actor.getProfile?actor=council.example").ShouldBe(1);
        fake.Count("bsky", "app.bsky.feed.getPosts?uris=at%3A%2F%2Fdid%3Aplc%3Acouncil123").ShouldBe(1);
        fake.Count("mastodon", "/api/v1/accounts/lookup?acct=council%40social.example").ShouldBe(1);
        fake.Count("mastodon", $"/api/v1/accounts/{FakeAudienceNetworks.MastodonAccountId}").ShouldBe(1);
        fake.Count("mastodon", $"/api/v1/statuses/{MastodonPost}").ShouldBe(1);
        fake.Count("x", "/2/users/by/username/council?user.fields=public_metrics").ShouldBe(1);
        fake.Count("x", $"/2/tweets?ids={Tweet}&tweet.fields=public_metrics").ShouldBe(1);
        fake.Count("fb", "/1234?fields=followers_count,fan_count").ShouldBe(1);
        fake.Count("fb", $"/{FacebookPost}?fields=reactions.summary").ShouldBe(1);

        var state = await StateAsync(channels[ChannelKind.Mastodon]);
        (state.LastCompletedDay, state.LastError, state.ClaimToken).ShouldBe((Today, (string?)null, (string?)null));
    }

    [Fact]
    public async Task A_second_run_the_same_day_reads_nothing_a_forced_one_replaces_the_day_and_the_next_day_adds_a_row()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await fake.ConnectAsync(factory, org.Id);
        await PublishAsync(factory, org.Id, channels);
        SeedPosts(fake);
        (await Collector.RunAsync(org.Id, force: false, CancellationToken.None)).Read.ShouldBe(4);
        var requests = fake.Requests.Count;

        var again = await Collector.RunAsync(org.Id, force: false, CancellationToken.None);
        (again.Read, again.NotDue).ShouldBe((0, 4));
        fake.Requests.Count.ShouldBe(requests);

        fake.Accounts["mastodon"] = (560, 404, 28470);
        fake.Posts[MastodonPost] = (15, 7, 6, 2);
        var forced = await Collector.RunAsync(org.Id, force: true, CancellationToken.None);
        forced.Read.ShouldBe(4);
        var rows = await AudienceRowsAsync(org.Id);
        rows.Count.ShouldBe(4);
        rows.Single(r => r.Kind == ChannelKind.Mastodon).Followers.ShouldBe(560);
        var reach = await ReachRowsAsync(org.Id);
        reach.Count.ShouldBe(4);
        reach.Single(r => r.Kind == ChannelKind.Mastodon).Likes.ShouldBe(15);

        factory.Clock.Advance(TimeSpan.FromDays(1));
        try
        {
            fake.Accounts["mastodon"] = (575, 404, 28480);
            (await Collector.RunAsync(org.Id, force: false, CancellationToken.None)).Read.ShouldBe(4);
            rows = await AudienceRowsAsync(org.Id);
            rows.Count.ShouldBe(8);
            rows.Where(r => r.Kind == ChannelKind.Mastodon).Select(r => (r.Day, r.Followers)).ShouldBe([(Today.AddDays(-1), 560L), (Today, 575L)]);
            (await ReachRowsAsync(org.Id)).Count.ShouldBe(8);
        }
        finally
        {
            factory.Clock.Advance(TimeSpan.FromDays(-1));
        }
    }

    [Fact]
    public async Task Each_failure_is_recorded_on_its_account_stores_nothing_for_it_and_is_retried_after_the_delay()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await fake.ConnectAsync(factory, org.Id);
        await PublishAsync(factory, org.Id, channels);
        SeedPosts(fake);
        var reset = factory.Clock.GetUtcNow().AddMinutes(20).ToUnixTimeSeconds();
        fake.Answer("mastodon", "/api/v1/accounts/lookup", 401, """{"error":"The access token is invalid"}""");
        fake.Answer("x", "/2/users/", 429, """{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}""",
            new Dictionary<string, string> { ["x-rate-limit-reset"] = reset.ToString(CultureInfo.InvariantCulture) });
        fake.Answer("fb", "/1234?", 200, "<html><body>Service unavailable</body></html>");
        // Bluesky's profile reads but its posts fail: the account's whole read is dropped, not half stored.
        fake.Answer("bsky", "getPosts", 503, """{"error":"InternalServerError","message":"upstream timeout"}""");

        var result = await Collector.RunAsync(org.Id, force: false, CancellationToken.None);

        (result.Read, result.Failed).ShouldBe((0, 4));
        (await AudienceRowsAsync(org.Id)).ShouldBeEmpty();
        (await ReachRowsAsync(org.Id)).ShouldBeEmpty();
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        var mastodon = await StateAsync(channels[ChannelKind.Mastodon]);
        mastodon.LastError.ShouldBe("Mastodon refused the account's credentials (401, finding the account); an administrator must renew them under Connectors: The access token is invalid");
        mastodon.LastCompletedDay.ShouldBeNull();
        mastodon.ClaimToken.ShouldBeNull();
        mastodon.NextAttemptAt!.Value.ShouldBe(now.AddMinutes(60), TimeSpan.FromSeconds(30));
        var x = await StateAsync(channels[ChannelKind.Twitter]);
        x.LastError!.ShouldStartWith("X is rate limiting (reading the account)");
        x.NextAttemptAt.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(reset).UtcDateTime);
        (await StateAsync(channels[ChannelKind.Facebook])).LastError.ShouldBe("Facebook's answer (reading the Page) was not valid JSON");
        (await StateAsync(channels[ChannelKind.Bluesky])).LastError.ShouldBe("Bluesky had an error (503, reading the posts); it will be read again: InternalServerError: upstream timeout");

        // Not before the retry time...
        (await Collector.RunAsync(org.Id, force: false, CancellationToken.None)).NotDue.ShouldBe(4);

        // ...then every account reads, and the error is cleared.
        factory.Clock.Advance(TimeSpan.FromMinutes(61));
        try
        {
            var retry = await Collector.RunAsync(org.Id, force: false, CancellationToken.None);
            (retry.Read, retry.Failed).ShouldBe((4, 0));
            (await AudienceRowsAsync(org.Id)).Count.ShouldBe(4);
            (await ReachRowsAsync(org.Id)).Count.ShouldBe(4);
            (await StateAsync(channels[ChannelKind.Mastodon])).LastError.ShouldBeNull();
        }
        finally
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(-61));
        }
    }

    [Fact]
    public async Task Malformed_figures_are_an_error_and_a_deleted_post_is_a_note_not_a_failure()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await fake.ConnectAsync(factory, org.Id);
        await PublishAsync(factory, org.Id, channels);
        SeedPosts(fake);
        fake.Posts.TryRemove(Tweet, out _);
        fake.Posts.TryRemove(FacebookPost, out _);
        fake.Answer("bsky", "getProfile", 200, """{"did":"did:plc:council123","handle":"council.example","followsCount":3}""");
        fake.Answer("mastodon", $"/api/v1/statuses/{MastodonPost}", 200, """{"id":"113000000000000001","favourites_count":"many","reblogs_count":1,"replies_count":0}""");

        var result = await Collector.RunAsync(org.Id, force: false, CancellationToken.None);

        (result.Read, result.Failed).ShouldBe((2, 2));
        (await StateAsync(channels[ChannelKind.Bluesky])).LastError.ShouldBe("Bluesky's profile had no followersCount");
        (await StateAsync(channels[ChannelKind.Mastodon])).LastError.ShouldBe("Mastodon's status had favourites_count that is not a count");
        var rows = await AudienceRowsAsync(org.Id);
        rows.Select(r => r.Kind).Order().ShouldBe([ChannelKind.Twitter, ChannelKind.Facebook]);
        (await ReachRowsAsync(org.Id)).ShouldBeEmpty();
        var x = await StateAsync(channels[ChannelKind.Twitter]);
        x.LastCompletedDay.ShouldBe(Today);
        x.LastError.ShouldBe("1 of 1 published posts could not be found on the network (deleted, or not visible to this account); their reactions were not read today.");
    }

    [Fact]
    public async Task Two_runs_at_once_read_each_account_once()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        await fake.ConnectAsync(factory, org.Id);

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => Collector.RunAsync(org.Id, force: false, CancellationToken.None))));

        results.Sum(r => r.Read).ShouldBe(4);
        results.Sum(r => r.Failed).ShouldBe(0);
        (await AudienceRowsAsync(org.Id)).Count.ShouldBe(4);
        fake.Count("bsky", "getProfile").ShouldBe(1);
        fake.Count("x", "/2/users/").ShouldBe(1);
        fake.Count("fb", "/1234?").ShouldBe(1);
        fake.Count("mastodon", $"/api/v1/accounts/{FakeAudienceNetworks.MastodonAccountId}").ShouldBe(1);
    }

    [Fact]
    public async Task Accounts_of_another_organisation_and_inactive_channels_are_left_alone()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var other = await TestOrganisation.CreateAsync(factory);
        var channels = await fake.ConnectAsync(factory, org.Id);
        await fake.ConnectAsync(factory, other.Id, "Other");
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            await db.Channels.Where(c => c.Id == channels[ChannelKind.Facebook]).ExecuteUpdateAsync(s => s.SetProperty(c => c.IsActive, false));
        }

        var result = await Collector.RunAsync(org.Id, force: false, CancellationToken.None);

        (result.Accounts, result.Read).ShouldBe((3, 3));
        (await AudienceRowsAsync(other.Id)).ShouldBeEmpty();
        (await AudienceRowsAsync(org.Id)).Select(r => r.Kind).ShouldNotContain(ChannelKind.Facebook);
    }

    [Fact]
    public async Task Monthly_followers_give_the_start_and_end_of_each_month_per_account_and_per_team()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var org = await TestOrganisation.CreateAsync(factory);
        var channels = await fake.ConnectAsync(factory, org.Id);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        void Read(ChannelKind kind, string day, long followers) => db.AccountAudienceSnapshots.Add(new AccountAudienceSnapshot
        {
            OrganisationId = org.Id, ChannelId = channels[kind], Kind = kind, Day = DateOnly.Parse(day, CultureInfo.InvariantCulture), Followers = followers,
            Source = "test", FetchedAt = DateTime.UtcNow,
        });
        Read(ChannelKind.Mastodon, "2026-09-30", 500);
        Read(ChannelKind.Mastodon, "2026-10-10", 520);
        Read(ChannelKind.Mastodon, "2026-10-31", 560);
        Read(ChannelKind.Mastodon, "2026-11-15", 550);
        Read(ChannelKind.Bluesky, "2026-11-02", 100);
        Read(ChannelKind.Bluesky, "2026-11-20", 130);
        db.SocialAccounts.Add(new SocialAccount { OrganisationId = org.Id, Network = "Bluesky", Handle = "council.example", ChannelId = channels[ChannelKind.Bluesky], TeamId = org.Teams["Highways"] });
        await db.SaveChangesAsync();
        var figures = scope.ServiceProvider.GetRequiredService<AudienceFigures>();

        var months = await figures.MonthlyFollowersAsync(new DateOnly(2026, 10, 17), 2, null, CancellationToken.None);

        var mastodon = months.Where(m => m.ChannelId == channels[ChannelKind.Mastodon]).ToList();
        mastodon.Select(m => (m.Month, m.FollowersAtStart, m.StartDay, m.FollowersAtEnd, m.EndDay, m.Growth)).ShouldBe(
        [
            (new DateOnly(2026, 10, 1), 500L, new DateOnly(2026, 9, 30), 560L, new DateOnly(2026, 10, 31), 60L),
            (new DateOnly(2026, 11, 1), 560L, new DateOnly(2026, 10, 31), 550L, new DateOnly(2026, 11, 15), -10L),
        ]);
        mastodon[0].GrowthRate!.Value.ShouldBe(0.12, 1e-9);
        var bluesky = months.Where(m => m.ChannelId == channels[ChannelKind.Bluesky]).ToList();
        // No read before or in October: nothing to say, not zero.
        (bluesky[0].FollowersAtStart, bluesky[0].FollowersAtEnd, bluesky[0].Growth).ShouldBe(((long?)null, (long?)null, (long?)null));
        (bluesky[1].FollowersAtStart, bluesky[1].FollowersAtEnd, bluesky[1].Growth).ShouldBe((100L, 130L, 30L));

        var team = await figures.MonthlyFollowersAsync(new DateOnly(2026, 11, 1), 1, org.Teams["Highways"], CancellationToken.None);
        team.Select(m => m.ChannelId).ShouldBe([channels[ChannelKind.Bluesky]]);
        (await figures.MonthlyFollowersAsync(new DateOnly(2026, 11, 1), 1, org.Teams["Waste"], CancellationToken.None)).ShouldBeEmpty();
    }
}
