using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Dashboards.Audience;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// The readers on the networks' own published examples, served verbatim over HTTP: Mastodon's Account and Status
/// entity examples and X's data-dictionary tweet and user examples (../shared/data/payloads, see its README).
/// </summary>
public sealed class AudiencePayloadTests
{
    private static ConnectorContext Context(ChannelKind kind, string account, Dictionary<string, string> settings, Dictionary<string, string> secrets) =>
        new(new Channel { Id = 1, OrganisationId = 1, Kind = kind, Name = kind.ToString(), Account = account }, settings, secrets, null, null!, null!, new HttpClient());

    [SharedDataFact("payloads/mastodon")]
    public async Task Mastodon_account_and_status_examples_give_their_counts()
    {
        var folder = SharedData.Folder("payloads/mastodon");
        var account = await File.ReadAllTextAsync(Path.Combine(folder, "entity_Account_example.json"));
        var status = await File.ReadAllTextAsync(Path.Combine(folder, "entity_Status_example.json"));
        await using var fake = await FakeAudienceNetworks.StartAsync();
        fake.Answer("mastodon", "/api/v1/accounts/lookup?acct=noiob@awoo.space", 200, account);
        var id = JsonNode.Parse(account)!["id"]!.GetValue<string>();
        fake.Answer("mastodon", $"/api/v1/accounts/{id}", 200, account);
        fake.Answer("mastodon", "/api/v1/statuses/103270115826048975", 200, status);
        var context = Context(ChannelKind.Mastodon, "@noiob@awoo.space", new() { ["BaseUrl"] = new Uri(fake.BaseUrl, "mastodon/").ToString() }, new() { ["AccessToken"] = "masto-token" });
        var reader = new MastodonAudienceReader(TimeProvider.System);

        var figures = await reader.ReadAccountAsync(context, CancellationToken.None);
        var posts = await reader.ReadPostsAsync(context, ["103270115826048975"], CancellationToken.None);

        figures.ShouldBe(new AccountFigures(547, 404, 28468, "GET /api/v1/accounts/:id"));
        posts.Found["103270115826048975"].ShouldBe(new PostFigures("103270115826048975", 11, 6, 5, 2));
        posts.NotFound.ShouldBeEmpty();
    }

    [SharedDataFact("payloads/x")]
    public async Task X_data_dictionary_tweets_and_user_give_their_public_metrics()
    {
        var folder = SharedData.Folder("payloads/x");
        var tweets = await File.ReadAllTextAsync(Path.Combine(folder, "fundamentals__data-dictionary__reference__block0.json"));
        // The fields example carries the user under includes.users; GET /2/users/:id returns the same object as data.
        var user = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "fundamentals__fields__block2.json")))!["includes"]!["users"]![0]!.DeepClone();
        await using var fake = await FakeAudienceNetworks.StartAsync();
        fake.Answer("x", "/2/users/2244994945?user.fields=public_metrics", 200, new JsonObject { ["data"] = user }.ToJsonString());
        fake.Answer("x", "/2/tweets?ids=1307025659294674945,1", 200, tweets);
        var context = Context(ChannelKind.Twitter, "2244994945", new() { ["BaseUrl"] = new Uri(fake.BaseUrl, "x/").ToString() }, new() { ["AppBearerToken"] = "app-token" });
        var reader = new XAudienceReader(TimeProvider.System);

        var figures = await reader.ReadAccountAsync(context, CancellationToken.None);
        var posts = await reader.ReadPostsAsync(context, ["1307025659294674945", "1"], CancellationToken.None);

        // The example user has no tweet_count: unknown, not zero.
        figures.ShouldBe(new AccountFigures(570842, 2048, null, "GET /2/users/:id?user.fields=public_metrics"));
        posts.Found["1307025659294674945"].ShouldBe(new PostFigures("1307025659294674945", 70, 11, 2, 1));
        posts.NotFound.ShouldBe(["1"]);
    }

    [Fact]
    public async Task Bluesky_and_facebook_answers_in_their_lexicon_and_graph_shapes_are_read()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        fake.Posts["at://did:plc:council123/app.bsky.feed.post/3lbq2yqkxyz2a"] = (40, 12, 5, 3);
        fake.Posts["1234_999"] = (25, 0, 9, 0);
        var bluesky = Context(ChannelKind.Bluesky, "council.example", new() { ["Handle"] = "council.example", ["AppViewUrl"] = new Uri(fake.BaseUrl, "bsky").ToString() }, []);
        var facebook = Context(ChannelKind.Facebook, "1234", new() { ["graph_base_url"] = new Uri(fake.BaseUrl, "fb/").ToString() }, new() { ["page_access_token"] = "fb-token" });
        var options = Microsoft.Extensions.Options.Options.Create(new AudienceOptions());

        var profile = await new BlueskyAudienceReader(TimeProvider.System, options).ReadAccountAsync(bluesky, CancellationToken.None);
        var bskyPosts = await new BlueskyAudienceReader(TimeProvider.System, options).ReadPostsAsync(bluesky,
            ["at://did:plc:council123/app.bsky.feed.post/3lbq2yqkxyz2a", "at://did:plc:council123/app.bsky.feed.post/3gone"], CancellationToken.None);
        var page = await new FacebookAudienceReader(TimeProvider.System).ReadAccountAsync(facebook, CancellationToken.None);
        var fbPosts = await new FacebookAudienceReader(TimeProvider.System).ReadPostsAsync(facebook, ["1234_999", "1234_gone"], CancellationToken.None);

        profile.ShouldBe(new AccountFigures(1200, 150, 480, "app.bsky.actor.getProfile"));
        bskyPosts.Found.Values.Single().ShouldBe(new PostFigures("at://did:plc:council123/app.bsky.feed.post/3lbq2yqkxyz2a", 40, 12, 5, 3));
        bskyPosts.NotFound.ShouldBe(["at://did:plc:council123/app.bsky.feed.post/3gone"]);
        page.ShouldBe(new AccountFigures(3100, null, null, "GET /{page-id}?fields=followers_count,fan_count"));
        // No "shares" in the answer means nobody shared it: 0. Error 100 means the post is gone.
        fbPosts.Found["1234_999"].ShouldBe(new PostFigures("1234_999", 25, 0, 9, null));
        fbPosts.NotFound.ShouldBe(["1234_gone"]);
    }

    [Fact]
    public async Task Missing_credentials_and_an_oversized_or_odd_answer_are_read_errors()
    {
        await using var fake = await FakeAudienceNetworks.StartAsync();
        var noToken = Context(ChannelKind.Facebook, "1234", new() { ["graph_base_url"] = new Uri(fake.BaseUrl, "fb/").ToString() }, []);
        var ex = await Should.ThrowAsync<AudienceReadException>(() => new FacebookAudienceReader(TimeProvider.System).ReadAccountAsync(noToken, CancellationToken.None));
        ex.Message.ShouldBe("the Facebook Page access token is not set: an administrator must configure it under Connectors");

        var mastodon = Context(ChannelKind.Mastodon, "23634", new() { ["BaseUrl"] = new Uri(fake.BaseUrl, "mastodon/").ToString() }, []);
        (await Should.ThrowAsync<AudienceReadException>(() => new MastodonAudienceReader(TimeProvider.System).ReadAccountAsync(mastodon, CancellationToken.None)))
            .Message.ShouldStartWith("The Mastodon channel has no access token.");

        var x = Context(ChannelKind.Twitter, "council", new() { ["BaseUrl"] = new Uri(fake.BaseUrl, "x/").ToString() }, new() { ["UserAccessToken"] = "t" });
        fake.Answer("x", "/2/users/by/username/council", 200, "[1,2,3]");
        (await Should.ThrowAsync<AudienceReadException>(() => new XAudienceReader(TimeProvider.System).ReadAccountAsync(x, CancellationToken.None)))
            .Message.ShouldBe("X's answer (reading the account) was not a JSON object");
        fake.Answer("x", "/2/users/by/username/council", 200, """{"errors":[{"detail":"Could not find user with username: [council].","title":"Not Found Error"}]}""");
        (await Should.ThrowAsync<AudienceReadException>(() => new XAudienceReader(TimeProvider.System).ReadAccountAsync(x, CancellationToken.None)))
            .Message.ShouldBe("X's answer had no user: Could not find user with username: [council].");
        fake.Answer("x", "/2/users/by/username/council", 200, "{\"data\":{\"id\":\"1\",\"public_metrics\":{\"followers_count\":1},\"pad\":\"" + new string('a', 5 * 1024 * 1024) + "\"}}");
        (await Should.ThrowAsync<AudienceReadException>(() => new XAudienceReader(TimeProvider.System).ReadAccountAsync(x, CancellationToken.None)))
            .Message.ShouldContain("larger than any figure needs");
    }
}
