using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Tests.Connectors;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Dashboards;

/// <summary>
/// Bluesky's AppView, a Mastodon server, the X API v2 and the Graph API on one 127.0.0.1 server (prefixes /bsky,
/// /mastodon, /x, /fb), answering the audience reads in each network's own payload shape: a profileViewDetailed and
/// postViews, a Mastodon Account and Status, X users and tweets with public_metrics (and the "Not Found Error" for
/// a deleted tweet), a Graph Page and post with reactions/comments summaries and shares. The figures are set by
/// the test; <see cref="Answer"/> queues a canned answer (an error, a malformed body, a genuine payload file).
/// </summary>
public sealed class FakeAudienceNetworks : IAsyncDisposable
{
    private readonly FakeNetworkServer _server;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly List<(string Network, string PathPart, int Status, string Body, IReadOnlyDictionary<string, string>? Headers)> _canned = [];

    public const string MastodonAccountId = "23634";
    public const string XUserId = "2244994945";

    private FakeAudienceNetworks(FakeNetworkServer server) => _server = server;

    public Uri BaseUrl => _server.BaseUrl;

    /// <summary>Followers, following and posts per network prefix ("bsky", "mastodon", "x", "fb").</summary>
    public ConcurrentDictionary<string, (long Followers, long Following, long Posts)> Accounts { get; } = new(StringComparer.Ordinal)
    {
        ["bsky"] = (1200, 150, 480),
        ["mastodon"] = (547, 404, 28468),
        ["x"] = (570842, 2048, 9000),
        ["fb"] = (3100, 0, 0),
    };

    /// <summary>Reactions per post id (at:// URI, status id, tweet id, Page post id); a post not here is "deleted".</summary>
    public ConcurrentDictionary<string, (long Likes, long Reposts, long Replies, long Quotes)> Posts { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Facebook insights by Page or post id: the Page's daily reach (two days, oldest first, as the Graph API lists
    /// them; the latest is this value) or a post's lifetime people reached. An id not here has no insights
    /// (<c>{"data":[]}</c>, as for a Page under 100 likes).
    /// </summary>
    public ConcurrentDictionary<string, long> Insights { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Requests => [.. _requests];

    public int Count(string network, string pathPart) => Requests.Count(r => r.StartsWith("/" + network + "/", StringComparison.Ordinal) && r.Contains(pathPart, StringComparison.Ordinal));

    /// <summary>The next request to <paramref name="network"/> whose path and query contain <paramref name="pathPart"/> gets this answer instead.</summary>
    public void Answer(string network, string pathPart, int status, string body, IReadOnlyDictionary<string, string>? headers = null)
    {
        lock (_canned)
        {
            _canned.Add((network, pathPart, status, body, headers));
        }
    }

    public static async Task<FakeAudienceNetworks> StartAsync()
    {
        FakeAudienceNetworks? self = null;
        var server = await FakeNetworkServer.StartAsync(app => app.Run(ctx => self!.HandleAsync(ctx)));
        self = new FakeAudienceNetworks(server);
        return self;
    }

    /// <summary>The organisation's four accounts connected to this fake (publish-only connections, as most are).</summary>
    public async Task<Dictionary<ChannelKind, long>> ConnectAsync(CivicDeskFactory factory, long organisationId, string owner = "Council")
    {
        var result = new Dictionary<ChannelKind, long>();
        async Task Add(ChannelKind kind, string account, Dictionary<string, string> settings, Dictionary<string, string> secrets)
        {
            await using var scope = factory.ScopeFor(organisationId);
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var channel = new Channel { OrganisationId = organisationId, Kind = kind, Name = $"{owner} on {kind}", Account = account, CreatedAt = DateTime.UtcNow };
            db.Channels.Add(channel);
            await db.SaveChangesAsync();
            db.ChannelConnections.Add(new ChannelConnection
            {
                OrganisationId = organisationId, ChannelId = channel.Id, IsEnabled = false, UpdatedAt = DateTime.UtcNow,
                SettingsJson = ConnectorContexts.WriteSettings(settings),
                ProtectedSecrets = scope.ServiceProvider.GetRequiredService<ConnectorSecrets>().Protect(secrets),
            });
            await db.SaveChangesAsync();
            result[kind] = channel.Id;
        }

        await Add(ChannelKind.Bluesky, "council.example", new() { ["Handle"] = "council.example", ["AppViewUrl"] = new Uri(BaseUrl, "bsky").ToString() }, new() { ["AppPassword"] = "app-pass" });
        await Add(ChannelKind.Mastodon, "@council@social.example", new() { ["BaseUrl"] = new Uri(BaseUrl, "mastodon/").ToString() }, new() { ["AccessToken"] = "masto-token" });
        await Add(ChannelKind.Twitter, "@council", new() { ["BaseUrl"] = new Uri(BaseUrl, "x/").ToString() }, new() { ["UserAccessToken"] = "x-user-token" });
        await Add(ChannelKind.Facebook, "1234", new() { ["graph_base_url"] = new Uri(BaseUrl, "fb/").ToString() }, new() { ["page_access_token"] = "fb-token" });
        return result;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        var full = path + ctx.Request.QueryString;
        _requests.Enqueue(full);
        var network = path.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        (string, string, int Status, string Body, IReadOnlyDictionary<string, string>? Headers)? canned = null;
        lock (_canned)
        {
            var i = _canned.FindIndex(c => c.Network == network && Uri.UnescapeDataString(full).Contains(c.PathPart, StringComparison.Ordinal));
            if (i >= 0)
            {
                canned = _canned[i];
                _canned.RemoveAt(i);
            }
        }

        if (canned is { } c)
        {
            ctx.Response.StatusCode = c.Status;
            foreach (var (name, value) in c.Headers ?? new Dictionary<string, string>())
            {
                ctx.Response.Headers[name] = value;
            }

            ctx.Response.ContentType = c.Body.StartsWith('<') ? "text/html" : "application/json";
            await ctx.Response.WriteAsync(c.Body);
            return;
        }

        var (status, body) = network switch
        {
            "bsky" => Bluesky(ctx),
            "mastodon" => Mastodon(ctx, path),
            "x" => X(ctx, path),
            "fb" => Facebook(ctx, path),
            _ => (404, "{}"),
        };
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToString());
    }

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private (int, string) Bluesky(HttpContext ctx)
    {
        var nsid = ctx.Request.Path.Value!.Split('/').Last();
        if (nsid == "app.bsky.actor.getProfile")
        {
            var (followers, follows, posts) = Accounts["bsky"];
            var actor = ctx.Request.Query["actor"].ToString();
            return (200, new JsonObject
            {
                ["did"] = "did:plc:council123", ["handle"] = actor, ["displayName"] = "Test Council",
                ["avatar"] = "https://cdn.bsky.app/img/avatar/plain/did:plc:council123/bafkreiabc@jpeg",
                ["associated"] = new JsonObject { ["lists"] = 0, ["feedgens"] = 0, ["starterPacks"] = 0, ["labeler"] = false },
                ["followersCount"] = followers, ["followsCount"] = follows, ["postsCount"] = posts,
                ["indexedAt"] = "2024-11-14T10:00:00.000Z", ["createdAt"] = "2023-05-01T09:00:00.000Z",
                ["viewer"] = new JsonObject { ["muted"] = false, ["blockedBy"] = false }, ["labels"] = new JsonArray(),
            }.ToJsonString());
        }

        if (nsid == "app.bsky.feed.getPosts")
        {
            var list = new JsonArray();
            foreach (var uri in ctx.Request.Query["uris"])
            {
                if (uri is not null && Posts.TryGetValue(uri, out var p))
                {
                    list.Add(new JsonObject
                    {
                        ["uri"] = uri, ["cid"] = "bafyreib2rxk3rh6kzwq",
                        ["author"] = new JsonObject { ["did"] = "did:plc:council123", ["handle"] = "council.example", ["displayName"] = "Test Council", ["labels"] = new JsonArray() },
                        ["record"] = new JsonObject { ["$type"] = "app.bsky.feed.post", ["text"] = "Park Road is closed", ["createdAt"] = Iso(DateTime.UtcNow), ["langs"] = new JsonArray("en") },
                        ["replyCount"] = p.Replies, ["repostCount"] = p.Reposts, ["likeCount"] = p.Likes, ["quoteCount"] = p.Quotes,
                        ["indexedAt"] = Iso(DateTime.UtcNow), ["viewer"] = new JsonObject { ["threadMuted"] = false, ["embeddingDisabled"] = false }, ["labels"] = new JsonArray(),
                    });
                }
            }

            return (200, new JsonObject { ["posts"] = list }.ToJsonString());
        }

        return (400, """{"error":"MethodNotImplemented","message":"Method Not Implemented"}""");
    }

    private JsonObject MastodonAccount()
    {
        var (followers, following, posts) = Accounts["mastodon"];
        return new JsonObject
        {
            ["id"] = MastodonAccountId, ["username"] = "council", ["acct"] = "council", ["display_name"] = "Test Council", ["locked"] = false, ["bot"] = false,
            ["discoverable"] = true, ["group"] = false, ["created_at"] = "2022-11-01T00:00:00.000Z", ["note"] = "<p>Official account</p>",
            ["url"] = "https://social.example/@council", ["avatar"] = "https://social.example/avatars/original/missing.png",
            ["followers_count"] = followers, ["following_count"] = following, ["statuses_count"] = posts, ["last_status_at"] = "2026-12-03",
            ["emojis"] = new JsonArray(), ["fields"] = new JsonArray(),
        };
    }

    private (int, string) Mastodon(HttpContext ctx, string path)
    {
        if (ctx.Request.Headers.Authorization.ToString() != "Bearer masto-token")
        {
            return (401, """{"error":"The access token is invalid"}""");
        }

        if (path == "/mastodon/api/v1/accounts/lookup")
        {
            return ctx.Request.Query["acct"] == "council@social.example" ? (200, MastodonAccount().ToJsonString()) : (404, """{"error":"Record not found"}""");
        }

        if (path == $"/mastodon/api/v1/accounts/{MastodonAccountId}")
        {
            return (200, MastodonAccount().ToJsonString());
        }

        if (path.StartsWith("/mastodon/api/v1/statuses/", StringComparison.Ordinal))
        {
            var id = path["/mastodon/api/v1/statuses/".Length..];
            if (!Posts.TryGetValue(id, out var p))
            {
                return (404, """{"error":"Record not found"}""");
            }

            return (200, new JsonObject
            {
                ["id"] = id, ["created_at"] = Iso(DateTime.UtcNow), ["in_reply_to_id"] = null, ["sensitive"] = false, ["spoiler_text"] = "", ["visibility"] = "public",
                ["language"] = "en", ["uri"] = $"https://social.example/users/council/statuses/{id}", ["url"] = $"https://social.example/@council/{id}",
                ["replies_count"] = p.Replies, ["reblogs_count"] = p.Reposts, ["favourites_count"] = p.Likes, ["quotes_count"] = p.Quotes,
                ["content"] = "<p>Park Road is closed</p>", ["reblog"] = null, ["account"] = MastodonAccount(),
                ["media_attachments"] = new JsonArray(), ["mentions"] = new JsonArray(), ["tags"] = new JsonArray(), ["emojis"] = new JsonArray(),
            }.ToJsonString());
        }

        return (404, """{"error":"Record not found"}""");
    }

    private (int, string) X(HttpContext ctx, string path)
    {
        if (!ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return (401, """{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}""");
        }

        if (path is "/x/2/users/by/username/council" or $"/x/2/users/{XUserId}" or "/x/2/users/me")
        {
            var (followers, following, posts) = Accounts["x"];
            return (200, new JsonObject
            {
                ["data"] = new JsonObject
                {
                    ["id"] = XUserId, ["name"] = "Test Council", ["username"] = "council",
                    ["public_metrics"] = new JsonObject { ["followers_count"] = followers, ["following_count"] = following, ["tweet_count"] = posts, ["listed_count"] = 12, ["like_count"] = 40 },
                },
            }.ToJsonString());
        }

        if (path == "/x/2/tweets")
        {
            var data = new JsonArray();
            var errors = new JsonArray();
            foreach (var id in ctx.Request.Query["ids"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (Posts.TryGetValue(id, out var p))
                {
                    data.Add(new JsonObject
                    {
                        ["id"] = id, ["edit_history_tweet_ids"] = new JsonArray(id), ["text"] = "Park Road is closed https://t.co/abc",
                        ["public_metrics"] = new JsonObject { ["retweet_count"] = p.Reposts, ["reply_count"] = p.Replies, ["like_count"] = p.Likes, ["quote_count"] = p.Quotes, ["bookmark_count"] = 0, ["impression_count"] = 900 },
                    });
                }
                else
                {
                    errors.Add(new JsonObject
                    {
                        ["value"] = id, ["detail"] = $"Could not find tweet with ids: [{id}].", ["title"] = "Not Found Error", ["resource_type"] = "tweet",
                        ["parameter"] = "ids", ["resource_id"] = id, ["type"] = "https://api.twitter.com/2/problems/resource-not-found",
                    });
                }
            }

            var answer = new JsonObject();
            if (data.Count > 0)
            {
                answer["data"] = data;
            }

            if (errors.Count > 0)
            {
                answer["errors"] = errors;
            }

            return (200, answer.ToJsonString());
        }

        return (404, """{"title":"Not Found Error","detail":"Not found"}""");
    }

    private (int, string) Facebook(HttpContext ctx, string path)
    {
        if (ctx.Request.Headers.Authorization.ToString() != "OAuth fb-token")
        {
            return (400, """{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"AbCdEf"}}""");
        }

        var id = Uri.UnescapeDataString(path["/fb/".Length..]);
        if (id.EndsWith("/insights", StringComparison.Ordinal))
        {
            var target = id[..^"/insights".Length];
            var metric = ctx.Request.Query["metric"].ToString();
            var period = ctx.Request.Query["period"].ToString();
            if (!Insights.TryGetValue(target, out var value))
            {
                return (200, """{"data":[],"paging":{"previous":"https://graph.facebook.com/v24.0/x","next":"https://graph.facebook.com/v24.0/y"}}""");
            }

            var values = period == "day"
                ? new JsonArray(
                    new JsonObject { ["value"] = value - 37, ["end_time"] = "2026-12-02T08:00:00+0000" },
                    new JsonObject { ["value"] = value, ["end_time"] = "2026-12-03T08:00:00+0000" })
                : new JsonArray(new JsonObject { ["value"] = value });
            return (200, new JsonObject
            {
                ["data"] = new JsonArray(new JsonObject
                {
                    ["name"] = metric, ["period"] = period, ["values"] = values, ["title"] = "Media views (unique)",
                    ["description"] = "The number of people who saw the content at least once.", ["id"] = $"{target}/insights/{metric}/{period}",
                }),
            }.ToJsonString());
        }

        if (id == "1234")
        {
            var (followers, _, _) = Accounts["fb"];
            return (200, new JsonObject { ["followers_count"] = followers, ["fan_count"] = followers - 100, ["id"] = "1234" }.ToJsonString());
        }

        if (Posts.TryGetValue(id, out var p))
        {
            var post = new JsonObject
            {
                ["reactions"] = new JsonObject { ["data"] = new JsonArray(), ["summary"] = new JsonObject { ["total_count"] = p.Likes, ["viewer_reaction"] = "NONE" } },
                ["comments"] = new JsonObject { ["data"] = new JsonArray(), ["summary"] = new JsonObject { ["order"] = "ranked", ["total_count"] = p.Replies, ["can_comment"] = true } },
                ["id"] = id,
            };
            if (p.Reposts > 0)
            {
                // The Graph API leaves "shares" out altogether when nobody has shared the post.
                post["shares"] = new JsonObject { ["count"] = p.Reposts };
            }

            return (200, post.ToJsonString());
        }

        return (400, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = $"Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
                ["type"] = "GraphMethodException", ["code"] = 100, ["error_subcode"] = 33, ["fbtrace_id"] = "AbCdEf",
            },
        }.ToJsonString());
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
