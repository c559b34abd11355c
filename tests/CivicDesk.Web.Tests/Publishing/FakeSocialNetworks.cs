using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Tests.Connectors;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CivicDesk.Web.Tests.Publishing;

/// <summary>One request as the fake network saw it.</summary>
public sealed record SeenRequest(string Network, string Method, string Path, string? ContentType, string Body, byte[] Bytes, IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Form, IReadOnlyList<(string Name, string FileName, byte[] Data, string? ContentType)> Files);

/// <summary>
/// Bluesky, Mastodon, X and a Facebook Page on one 127.0.0.1 server (prefixes /bsky, /mastodon, /x, /fb), behaving
/// as the real ones do where it matters for "exactly one copy": Mastodon honours Idempotency-Key, a Bluesky record key
/// can be created once, and X and Facebook list the account's posts. <see cref="Fail"/> queues error answers.
/// </summary>
public sealed class FakeSocialNetworks : IAsyncDisposable
{
    private readonly FakeNetworkServer _server;
    private readonly ConcurrentQueue<SeenRequest> _requests = new();
    private readonly ConcurrentDictionary<string, (string Id, string Text)> _mastodonByKey = new();
    private readonly ConcurrentDictionary<string, JsonObject> _bskyRecords = new();
    private readonly ConcurrentQueue<(string Id, string Text)> _tweets = new();
    private readonly ConcurrentQueue<(string Id, string Message)> _fbPosts = new();
    private readonly List<(string Network, string PathPart, int Status, bool AfterStoring)> _failures = [];
    private int _ids;

    public const string Did = "did:plc:council123";

    private FakeSocialNetworks(FakeNetworkServer server) => _server = server;

    public Uri BaseUrl => _server.BaseUrl;

    /// <summary>Called on every request before it is answered (a test may block here to crash the app mid-publish).</summary>
    public Func<SeenRequest, Task>? OnRequest { get; set; }

    public IReadOnlyList<SeenRequest> Requests => [.. _requests];

    public IReadOnlyList<(string Id, string Text)> MastodonStatuses => [.. _mastodonByKey.Values];

    public IReadOnlyList<JsonObject> BlueskyPosts => [.. _bskyRecords.Values];

    public IReadOnlyList<(string Id, string Text)> Tweets => [.. _tweets];

    public IReadOnlyList<(string Id, string Message)> FacebookPosts => [.. _fbPosts];

    /// <summary>The next request to <paramref name="network"/> whose path contains <paramref name="pathPart"/> answers <paramref name="status"/>;
    /// with <paramref name="afterStoring"/> the post is made first (a lost answer).</summary>
    public void Fail(string network, string pathPart, int status, bool afterStoring = false)
    {
        lock (_failures)
        {
            _failures.Add((network, pathPart, status, afterStoring));
        }
    }

    public static async Task<FakeSocialNetworks> StartAsync()
    {
        FakeSocialNetworks? self = null;
        var server = await FakeNetworkServer.StartAsync(app => app.Run(ctx => self!.HandleAsync(ctx)));
        self = new FakeSocialNetworks(server);
        return self;
    }

    /// <summary>The organisation's four accounts, connected for publishing to these fakes (not listening).</summary>
    public static async Task<Dictionary<ChannelKind, long>> ConnectChannelsAsync(CivicDeskFactory factory, TestOrganisation org, Uri fake, string owner = "Council")
    {
        var result = new Dictionary<ChannelKind, long>();
        async Task Add(ChannelKind kind, string account, Dictionary<string, string> settings, Dictionary<string, string> secrets)
        {
            await using var scope = factory.ScopeFor(org.Id);
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var channel = new Channel { OrganisationId = org.Id, Kind = kind, Name = $"{owner} on {kind}", Account = account, CreatedAt = DateTime.UtcNow };
            db.Channels.Add(channel);
            await db.SaveChangesAsync();
            // Not enabled for listening: publishing needs the connection's credentials, not the inbound stream.
            db.ChannelConnections.Add(new ChannelConnection
            {
                OrganisationId = org.Id, ChannelId = channel.Id, IsEnabled = false, UpdatedAt = DateTime.UtcNow,
                SettingsJson = ConnectorContexts.WriteSettings(settings),
                ProtectedSecrets = scope.ServiceProvider.GetRequiredService<ConnectorSecrets>().Protect(secrets),
            });
            await db.SaveChangesAsync();
            result[kind] = channel.Id;
        }

        await Add(ChannelKind.Mastodon, "@council@social.example", new() { ["BaseUrl"] = new Uri(fake, "mastodon/").ToString() }, new() { ["AccessToken"] = "masto-token" });
        await Add(ChannelKind.Bluesky, "council.example", new() { ["Handle"] = "council.example", ["ServiceUrl"] = new Uri(fake, "bsky").ToString() }, new() { ["AppPassword"] = "app-pass" });
        await Add(ChannelKind.Twitter, "@council", new() { ["BaseUrl"] = new Uri(fake, "x/").ToString() }, new() { ["UserAccessToken"] = "x-user-token" });
        await Add(ChannelKind.Facebook, "1234", new() { ["graph_base_url"] = new Uri(fake, "fb/").ToString() }, new() { ["page_access_token"] = "fb-token" });
        return result;
    }

    private string NextId() => (Interlocked.Increment(ref _ids) + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        var network = path.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        using var buffer = new MemoryStream();
        var form = new Dictionary<string, string>();
        var files = new List<(string, string, byte[], string?)>();
        if (ctx.Request.HasFormContentType)
        {
            var f = await ctx.Request.ReadFormAsync();
            foreach (var kv in f)
            {
                form[kv.Key] = kv.Value.ToString();
            }

            foreach (var file in f.Files)
            {
                using var ms = new MemoryStream();
                await file.CopyToAsync(ms);
                files.Add((file.Name, file.FileName, ms.ToArray(), file.ContentType));
            }
        }
        else
        {
            await ctx.Request.Body.CopyToAsync(buffer);
        }

        var bytes = buffer.ToArray();
        var seen = new SeenRequest(network, ctx.Request.Method, path + ctx.Request.QueryString, ctx.Request.ContentType, System.Text.Encoding.UTF8.GetString(bytes), bytes,
            ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), form, files);
        _requests.Enqueue(seen);
        if (OnRequest is { } hook)
        {
            await hook(seen);
        }

        (string Network, string PathPart, int Status, bool AfterStoring)? failure = null;
        lock (_failures)
        {
            // Each network's failures in the order queued.
            var index = _failures.FindIndex(f => f.Network == network && path.Contains(f.PathPart, StringComparison.Ordinal));
            if (index >= 0)
            {
                failure = _failures[index];
                _failures.RemoveAt(index);
            }
        }

        if (failure is { AfterStoring: false } refused)
        {
            await RespondFailureAsync(ctx, refused.Status);
            return;
        }

        var (status, body) = network switch
        {
            "mastodon" => Mastodon(ctx, path, seen),
            "bsky" => Bluesky(ctx, path, seen),
            "x" => X(ctx, path, seen),
            "fb" => Facebook(ctx, path, seen),
            _ => (404, "{}"),
        };
        if (failure is { } lost)
        {
            await RespondFailureAsync(ctx, lost.Status);
            return;
        }

        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body);
    }

    private static async Task RespondFailureAsync(HttpContext ctx, int status)
    {
        ctx.Response.StatusCode = status;
        if (status == 429)
        {
            ctx.Response.Headers.RetryAfter = "1";
        }

        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(status == 429 ? "{\"error\":\"Too many requests\"}" : "{\"error\":\"Server error\"}");
    }

    private (int, string) Mastodon(HttpContext ctx, string path, SeenRequest seen)
    {
        if (path.EndsWith("/api/v2/media", StringComparison.Ordinal))
        {
            return (200, new JsonObject { ["id"] = "m" + NextId(), ["type"] = "image", ["url"] = "https://files.example/m.png", ["description"] = seen.Form.GetValueOrDefault("description") }.ToJsonString());
        }

        if (path.EndsWith("/api/v1/statuses", StringComparison.Ordinal))
        {
            var key = seen.Headers.GetValueOrDefault("Idempotency-Key") ?? Guid.NewGuid().ToString();
            var text = JsonNode.Parse(seen.Body)!["status"]!.GetValue<string>();
            var status = _mastodonByKey.GetOrAdd(key, _ => (NextId(), text));
            return (200, new JsonObject { ["id"] = status.Id, ["url"] = $"https://social.example/@council/{status.Id}", ["content"] = status.Text }.ToJsonString());
        }

        return (404, "{\"error\":\"Record not found\"}");
    }

    private (int, string) Bluesky(HttpContext ctx, string path, SeenRequest seen)
    {
        if (path.EndsWith("com.atproto.server.createSession", StringComparison.Ordinal))
        {
            return (200, new JsonObject { ["did"] = Did, ["handle"] = "council.example", ["accessJwt"] = "access", ["refreshJwt"] = "refresh" }.ToJsonString());
        }

        if (path.EndsWith("com.atproto.repo.getRecord", StringComparison.Ordinal))
        {
            var rkey = ctx.Request.Query["rkey"].ToString();
            return _bskyRecords.TryGetValue(rkey, out var record)
                ? (200, new JsonObject { ["uri"] = $"at://{Did}/app.bsky.feed.post/{rkey}", ["cid"] = "cid" + rkey, ["value"] = record.DeepClone() }.ToJsonString())
                : (400, "{\"error\":\"RecordNotFound\",\"message\":\"Could not locate record\"}");
        }

        if (path.EndsWith("com.atproto.repo.uploadBlob", StringComparison.Ordinal))
        {
            return (200, new JsonObject { ["blob"] = new JsonObject { ["$type"] = "blob", ["ref"] = new JsonObject { ["$link"] = "bafkblob" + NextId() }, ["mimeType"] = seen.ContentType, ["size"] = seen.Bytes.Length } }.ToJsonString());
        }

        if (path.EndsWith("com.atproto.repo.createRecord", StringComparison.Ordinal))
        {
            var body = JsonNode.Parse(seen.Body)!.AsObject();
            var rkey = body["rkey"]?.GetValue<string>() ?? NextId();
            if (!_bskyRecords.TryAdd(rkey, body["record"]!.AsObject()))
            {
                return (400, "{\"error\":\"InvalidRequest\",\"message\":\"Record already exists\"}");
            }

            return (200, new JsonObject { ["uri"] = $"at://{Did}/app.bsky.feed.post/{rkey}", ["cid"] = "cid" + rkey }.ToJsonString());
        }

        return (404, "{\"error\":\"MethodNotImplemented\"}");
    }

    private (int, string) X(HttpContext ctx, string path, SeenRequest seen)
    {
        if (path.EndsWith("/2/media/upload", StringComparison.Ordinal))
        {
            return (200, new JsonObject { ["data"] = new JsonObject { ["id"] = NextId(), ["media_key"] = "3_" + NextId() } }.ToJsonString());
        }

        if (path.EndsWith("/2/media/metadata", StringComparison.Ordinal))
        {
            return (200, "{\"data\":{}}");
        }

        if (path.EndsWith("/2/tweets", StringComparison.Ordinal) && ctx.Request.Method == "POST")
        {
            var id = NextId();
            _tweets.Enqueue((id, JsonNode.Parse(seen.Body)!["text"]!.GetValue<string>()));
            return (201, new JsonObject { ["data"] = new JsonObject { ["id"] = id, ["text"] = "…" } }.ToJsonString());
        }

        if (path.EndsWith("/2/users/me", StringComparison.Ordinal))
        {
            return (200, "{\"data\":{\"id\":\"42\",\"username\":\"council\"}}");
        }

        if (path.Contains("/2/users/42/tweets", StringComparison.Ordinal))
        {
            // X returns links rewritten to t.co.
            var data = new JsonArray([.. _tweets.Select(t => (JsonNode)new JsonObject { ["id"] = t.Id, ["text"] = System.Text.RegularExpressions.Regex.Replace(t.Text, @"https?://\S+", "https://t.co/abc123") })]);
            return (200, new JsonObject { ["data"] = data }.ToJsonString());
        }

        return (404, "{\"title\":\"Not Found\"}");
    }

    private (int, string) Facebook(HttpContext ctx, string path, SeenRequest seen)
    {
        if (path.EndsWith("/photos", StringComparison.Ordinal))
        {
            return (200, new JsonObject { ["id"] = NextId() }.ToJsonString());
        }

        if (path.EndsWith("/feed", StringComparison.Ordinal) && ctx.Request.Method == "POST")
        {
            var id = "1234_" + NextId();
            _fbPosts.Enqueue((id, seen.Form.GetValueOrDefault("message") ?? ""));
            return (200, new JsonObject { ["id"] = id }.ToJsonString());
        }

        if (path.EndsWith("/feed", StringComparison.Ordinal))
        {
            return (200, new JsonObject { ["data"] = new JsonArray([.. _fbPosts.Select(p => (JsonNode)new JsonObject { ["id"] = p.Id, ["message"] = p.Message })]) }.ToJsonString());
        }

        return (404, "{\"error\":{\"message\":\"Unknown path\"}}");
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
