using System.Collections.Concurrent;
using System.Text.Json;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors.X;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace CivicDesk.Web.Tests.Connectors.X;

/// <summary>The connector against a fake X API v2 on 127.0.0.1 that replays the genuine payloads.</summary>
public sealed class XConnectorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    private const string AppToken = "app-token-not-real";
    private const string UserToken = "user-token-not-real";

    /// <summary>X's answer to an app whose access level has no filtered stream.</summary>
    private const string NotEnrolled = """{"client_id":"123","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.","registration_url":"https://developer.twitter.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}""";

    [SharedDataFact("payloads/x")]
    public async Task Stream_syncs_rules_survives_a_drop_a_429_and_a_500_backfills_the_gap_and_stores_exactly_the_expected_posts()
    {
        var clock = new AutoAdvanceTimeProvider(Start);
        var sink = new InMemoryConnectorSink();
        var connections = 0;
        var ruleChanges = new ConcurrentQueue<string>();
        var searches = new ConcurrentQueue<IQueryCollection>();
        var quickstart = Line("posts__filtered-stream__quickstart__block1.json");
        var webhooks = Line("webhooks__stream__quickstart__block1.json");

        await using var server = await FakeNetworkServer.StartAsync(app =>
        {
            app.MapGet("/2/tweets/search/stream/rules", (HttpContext http) =>
            {
                http.Request.Headers.Authorization.ToString().ShouldBe("Bearer " + AppToken);
                return Results.Text("""{"data":[{"id":"100","value":"pothole","tag":"civicdesk"},{"id":"101","value":"old search","tag":"civicdesk"}],"meta":{"sent":"2026-11-22T00:00:00.000Z","result_count":2}}""", "application/json");
            });
            app.MapPost("/2/tweets/search/stream/rules", async (HttpContext http) =>
            {
                using var reader = new StreamReader(http.Request.Body);
                ruleChanges.Enqueue(await reader.ReadToEndAsync());
                return Results.Text("""{"meta":{"sent":"2026-11-22T00:00:00.000Z","summary":{"created":1,"not_created":0,"valid":1,"invalid":0}}}""", "application/json");
            });
            app.MapGet("/2/tweets/search/stream", async (HttpContext http) =>
            {
                http.Request.Query["expansions"].ToString().ShouldContain("author_id");
                http.Request.Query["expansions"].ToString().ShouldContain("referenced_tweets.id");
                switch (Interlocked.Increment(ref connections))
                {
                    case 1:
                        await WriteLinesAsync(http, "", quickstart, "", quickstart, """{"data":{"id":"1346889436626259999","text":"Learn how""", webhooks, "");
                        await sink.WaitUntilAsync(s => s.Stored.ContainsKey("1346889436626259968"));
                        http.Abort();
                        return;
                    case 2:
                        http.Response.StatusCode = 429;
                        http.Response.Headers["x-rate-limit-limit"] = "50";
                        http.Response.Headers["x-rate-limit-remaining"] = "0";
                        http.Response.Headers["x-rate-limit-reset"] = (clock.GetUtcNow().ToUnixTimeSeconds() + 90).ToString(System.Globalization.CultureInfo.InvariantCulture);
                        return;
                    case 3:
                        http.Response.StatusCode = 503;
                        return;
                    default:
                        await WriteLinesAsync(http, "", Line("fundamentals__edit-posts__block2.json"), Line("fundamentals__data-dictionary__reference__block1.json"), "");
                        await FakeNetworkServer.HoldOpenAsync(http);
                        return;
                }
            });
            app.MapGet("/2/tweets/search/recent", (HttpContext http) =>
            {
                searches.Enqueue(http.Request.Query);
                return http.Request.Query.ContainsKey("next_token")
                    ? Results.Text(Line("posts__search__quickstart__recent-search__block1.json"), "application/json")
                    : Results.Text(XPayloadTests.Cassette("search_recent_tweets_0.json"), "application/json");
            });
        });

        var health = new RecordingHealth();
        using var http = new HttpClient();
        var context = ConnectorRuns.Context(ChannelKind.Twitter, sink, health, http,
            new() { ["BaseUrl"] = server.BaseUrl.ToString(), ["Rules"] = "pothole\n", ["Handles"] = "LeedsCC", ["Mode"] = "stream" },
            new() { ["AppBearerToken"] = AppToken });

        await ConnectorRuns.RunUntilAsync(new XConnector(clock, NullLogger<XConnector>.Instance), context,
            () => sink.WaitUntilAsync(s => s.Stored.ContainsKey("1296887316556980230")));

        var tweepy = JsonDocument.Parse(XPayloadTests.Cassette("search_recent_tweets_0.json")).RootElement.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()!);
        sink.Stored.Keys.Order(StringComparer.Ordinal).ShouldBe(
            new[] { "1234567890", "1346889436626259968", "1234567890123456789", "1296887316556980230" }.Concat(tweepy).Order(StringComparer.Ordinal));
        sink.Stored["1234567890"].Text.ShouldBe("Updated text (edited)");
        sink.Edits.ShouldBe([("1234567890", "Updated text (edited)")]);

        ruleChanges.ShouldBe(["""{"delete":{"ids":["101"]}}""", """{"add":[{"value":"@LeedsCC","tag":"civicdesk"}]}"""]);
        var backfill = searches.First();
        backfill["since_id"].ToString().ShouldBe("1346889436626259968");
        backfill["query"].ToString().ShouldBe("(pothole) OR (@LeedsCC)");
        searches.Last()["next_token"].ToString().ShouldBe("b26v89c19zqg8o3fpzbn1e0ffhxjiofzw6po136rvbnul");
        searches.Count.ShouldBe(2);

        health.Malformations.Single().Identifier.ShouldBe("stream line 5, post 1346889436626259999");
        health.Connections.ShouldBe(2);
        var delays = clock.Delays.ToList();
        delays.Count.ShouldBe(3);
        delays[0].ShouldBeInRange(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        delays[1].ShouldBeInRange(TimeSpan.FromSeconds(89), TimeSpan.FromSeconds(90));
        delays[2].ShouldBeInRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        XCheckpoint.NewestId(sink.Checkpoint).ShouldBe("1578516068309794817");
    }

    [SharedDataFact("payloads/x")]
    public async Task Polling_mode_pages_with_next_token_moves_since_id_on_and_waits_out_an_exhausted_rate_limit()
    {
        var clock = new AutoAdvanceTimeProvider(Start);
        var sink = new InMemoryConnectorSink();
        var searches = new ConcurrentQueue<(IQueryCollection Query, DateTimeOffset At)>();
        var thirdSearch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await FakeNetworkServer.StartAsync(app =>
        {
            app.MapGet("/2/tweets/search/stream", () => Results.StatusCode(500)); // never called in poll mode
            app.MapGet("/2/tweets/search/recent", (HttpContext http) =>
            {
                searches.Enqueue((http.Request.Query, clock.GetUtcNow()));
                switch (searches.Count)
                {
                    case 1:
                        return Results.Text(XPayloadTests.Cassette("search_recent_tweets_0.json"), "application/json");
                    case 2:
                        http.Response.Headers["x-rate-limit-remaining"] = "0";
                        http.Response.Headers["x-rate-limit-reset"] = (clock.GetUtcNow().ToUnixTimeSeconds() + 100).ToString(System.Globalization.CultureInfo.InvariantCulture);
                        return Results.Text(XPayloadTests.Cassette("get_users_mentions_0.json").Replace("\"next_token\":\"7140dibdnow9c7btw423i3sy3u5zupmkcpofxcsmxj48j\",", "", StringComparison.Ordinal), "application/json");
                    default:
                        thirdSearch.TrySetResult();
                        return Results.Text("""{"meta":{"result_count":0}}""", "application/json");
                }
            });
        });

        using var http = new HttpClient();
        var context = ConnectorRuns.Context(ChannelKind.Twitter, sink, new RecordingHealth(), http,
            new() { ["BaseUrl"] = server.BaseUrl.ToString(), ["Rules"] = "pothole\nfly tipping", ["Mode"] = "poll", ["PollIntervalSeconds"] = "60" },
            new() { ["AppBearerToken"] = AppToken }, checkpoint: XCheckpoint.Of("1578511000000000000"));

        await ConnectorRuns.RunUntilAsync(new XConnector(clock, NullLogger<XConnector>.Instance), context, () => thirdSearch.Task);

        var list = searches.ToList();
        list[0].Query["query"].ToString().ShouldBe("(pothole) OR (fly tipping)");
        list[0].Query["since_id"].ToString().ShouldBe("1578511000000000000");
        list[1].Query["next_token"].ToString().ShouldBe("b26v89c19zqg8o3fpzbn1e0ffhxjiofzw6po136rvbnul");
        list[1].Query["since_id"].ToString().ShouldBe("1578511000000000000");
        list[2].Query["since_id"].ToString().ShouldBe("1578516295611748353");
        list[2].Query.ContainsKey("next_token").ShouldBeFalse();
        // The poll interval, then the rest of the exhausted window (reset was 100 s after the second search).
        (list[2].At - list[1].At).ShouldBeInRange(TimeSpan.FromSeconds(99), TimeSpan.FromSeconds(100));
        sink.Stored.Count.ShouldBe(20);
        sink.CommitCalls.ShouldBe(1);
        XCheckpoint.NewestId(sink.Checkpoint).ShouldBe("1578516295611748353");
    }

    [SharedDataFact("payloads/x")]
    public async Task Auto_mode_falls_back_to_polling_when_the_tier_has_no_stream()
    {
        var sink = new InMemoryConnectorSink();
        var health = new RecordingHealth();
        await using var server = await FakeNetworkServer.StartAsync(app =>
        {
            app.MapGet("/2/tweets/search/stream/rules", () => Results.Text(NotEnrolled, "application/problem+json", statusCode: 403));
            app.MapGet("/2/tweets/search/recent", () => Results.Text(XPayloadTests.Cassette("search_recent_tweets_0.json"), "application/json"));
        });
        using var http = new HttpClient();
        var context = ConnectorRuns.Context(ChannelKind.Twitter, sink, health, http,
            new() { ["BaseUrl"] = server.BaseUrl.ToString(), ["Rules"] = "tweepy" }, new() { ["AppBearerToken"] = AppToken });

        await ConnectorRuns.RunUntilAsync(new XConnector(new AutoAdvanceTimeProvider(Start), NullLogger<XConnector>.Instance), context,
            () => sink.WaitUntilAsync(s => s.Stored.Count == 10));

        health.Errors.ShouldContain(e => e.Contains("polling recent search", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reply_waits_out_a_short_429_then_posts_with_the_user_token()
    {
        var clock = new AutoAdvanceTimeProvider(Start);
        var bodies = new ConcurrentQueue<string>();
        await using var server = await FakeNetworkServer.StartAsync(app =>
            app.MapPost("/2/tweets", async (HttpContext http) =>
            {
                http.Request.Headers.Authorization.ToString().ShouldBe("Bearer " + UserToken);
                using var reader = new StreamReader(http.Request.Body);
                bodies.Enqueue(await reader.ReadToEndAsync());
                if (bodies.Count == 1)
                {
                    http.Response.Headers["x-rate-limit-reset"] = (clock.GetUtcNow().ToUnixTimeSeconds() + 30).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return Results.StatusCode(429);
                }

                return Results.Text("""{"data":{"id":"1445880548472328192","text":"Thanks, logged as CD-1"}}""", "application/json", statusCode: 201);
            }));
        using var http = new HttpClient();
        var context = ConnectorRuns.Context(ChannelKind.Twitter, new InMemoryConnectorSink(), new RecordingHealth(), http,
            new() { ["BaseUrl"] = server.BaseUrl.ToString() }, new() { ["AppBearerToken"] = AppToken, ["UserAccessToken"] = UserToken });
        var connector = new XConnector(clock, NullLogger<XConnector>.Instance);

        var result = await connector.ReplyAsync(context, new OutboundReply(9, 3, 7, ChannelKind.Twitter, "LeedsCC", "Thanks, logged as CD-1", "1234567890", "CD-1"), CancellationToken.None);

        result.ShouldBe(DeliveryResult.Sent("1445880548472328192", "https://x.com/i/web/status/1445880548472328192"));
        bodies.ShouldBe([
            """{"text":"Thanks, logged as CD-1","reply":{"in_reply_to_tweet_id":"1234567890"}}""",
            """{"text":"Thanks, logged as CD-1","reply":{"in_reply_to_tweet_id":"1234567890"}}""",
        ]);
        clock.Delays.Single().ShouldBe(TimeSpan.FromSeconds(30));

        var tooLong = await connector.ReplyAsync(context, new OutboundReply(10, 3, 7, ChannelKind.Twitter, null, new string('€', 141), "1", "CD-1"), CancellationToken.None);
        tooLong.Error.ShouldBe("The reply is 282 characters as X counts them (each link 23, most symbols and emoji 2); X allows 280. Shorten it by 2.");
        bodies.Count.ShouldBe(2);
    }

    private static string Line(string block) => XPayloadTests.Block(block);

    private static async Task WriteLinesAsync(HttpContext http, params string[] lines)
    {
        http.Response.ContentType = "application/json";
        foreach (var line in lines)
        {
            await http.Response.WriteAsync(line + "\r\n");
        }

        await http.Response.Body.FlushAsync();
    }
}
