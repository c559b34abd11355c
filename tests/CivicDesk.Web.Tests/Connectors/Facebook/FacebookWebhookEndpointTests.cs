using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Connectors.Facebook;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Connectors.Facebook;

/// <summary>A fake Graph API on 127.0.0.1 that records requests and answers with a chosen status.</summary>
public sealed class FakeGraph : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeGraph(WebApplication app) => _app = app;

    public ConcurrentQueue<(string Path, string Body, string Auth)> Requests { get; } = new();
    public int Status { get; set; } = 200;
    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<FakeGraph> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var graph = new FakeGraph(app);
        app.MapPost("/v21.0/{**path}", async (HttpContext ctx, string path) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            graph.Requests.Enqueue(("/" + path, await reader.ReadToEndAsync(), ctx.Request.Headers.Authorization.ToString()));
            if (graph.Status != 200)
            {
                return Results.Json(new { error = new { message = "Application request limit reached", code = 4 } }, statusCode: graph.Status);
            }

            return path == "me/messages"
                ? Results.Json(new { recipient_id = "987654321432", message_id = "m_reply1" })
                : Results.Json(new { id = path.Split('/')[0] + "_reply" });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        graph.BaseUrl = new Uri(address + "/v21.0/");
        return graph;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed class FacebookWebhookEndpointTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private const string AppSecret = "fb-app-secret-123";
    private const string VerifyToken = "civicdesk-verify-me";

    private async Task<(TestOrganisation Org, long ChannelId)> PageAsync(Uri? graph = null)
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var secrets = scope.ServiceProvider.GetRequiredService<ConnectorSecrets>();
        var channel = new Channel { OrganisationId = org.Id, Kind = ChannelKind.Facebook, Name = "Council Page", Account = "1234567890321", CreatedAt = DateTime.UtcNow };
        db.Channels.Add(channel);
        await db.SaveChangesAsync();
        db.ChannelConnections.Add(new ChannelConnection
        {
            OrganisationId = org.Id, ChannelId = channel.Id, IsEnabled = true, UpdatedAt = DateTime.UtcNow,
            SettingsJson = ConnectorContexts.WriteSettings(graph is null ? new Dictionary<string, string>() : new() { [FacebookConnector.GraphBaseUrl] = graph.ToString() }),
            ProtectedSecrets = secrets.Protect(new Dictionary<string, string>
            {
                [FacebookConnector.AppSecret] = AppSecret, [FacebookConnector.VerifyToken] = VerifyToken, [FacebookConnector.PageAccessToken] = "page-token",
            }),
        });
        await db.SaveChangesAsync();
        return (org, channel.Id);
    }

    private static string Payload(string file) => File.ReadAllText(Path.Combine(FacebookWebhookParserTests.PayloadDirectory(), file));

    private Task<HttpResponseMessage> PostAsync(long channelId, string body, string? secret = AppSecret, bool sign = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/facebook/{channelId}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (sign)
        {
            var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret!), Encoding.UTF8.GetBytes(body));
            request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(mac));
        }

        return factory.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task The_subscription_check_echoes_the_challenge_only_for_the_right_token()
    {
        var (_, channelId) = await PageAsync();
        var client = factory.CreateClient();
        var ok = await client.GetAsync($"/webhooks/facebook/{channelId}?hub.mode=subscribe&hub.verify_token={VerifyToken}&hub.challenge=1158201444");
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ok.Content.ReadAsStringAsync()).ShouldBe("1158201444");
        (await client.GetAsync($"/webhooks/facebook/{channelId}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.GetAsync($"/webhooks/facebook/999999?hub.mode=subscribe&hub.verify_token={VerifyToken}&hub.challenge=1")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [SharedDataFact("payloads/facebook/restfb-webhooks")]
    public async Task Unsigned_or_wrongly_signed_bodies_are_refused_and_store_nothing()
    {
        var (org, channelId) = await PageAsync();
        var body = Payload("feed-post-add-25.json");
        (await PostAsync(channelId, body, sign: false)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await PostAsync(channelId, body, secret: "not-the-secret")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await using var scope = factory.ScopeFor(org.Id);
        (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Messages.CountAsync(m => m.ChannelId == channelId)).ShouldBe(0);
    }

    [SharedDataFact("payloads/facebook/restfb-webhooks")]
    public async Task Posts_and_messages_are_stored_once_edits_apply_and_removals_hide_them()
    {
        var (org, channelId) = await PageAsync();
        (await PostAsync(channelId, Payload("feed-post-add-25.json"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await PostAsync(channelId, Payload("feed-post-add-25.json"))).StatusCode.ShouldBe(HttpStatusCode.OK);   // Facebook re-delivers
        (await PostAsync(channelId, Payload("messaging-message-basic.json"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await PostAsync(channelId, Payload("messaging-message-basic-echo.json"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await PostAsync(channelId, "{\"object\":\"page\",\"entry\":[{\"id\":\"1234567890321\",\"time\":1454707030,\"changes\":[{\"field\":\"feed\",\"value\":{\"item\":\"post\",\"verb\":\"edited\",\"post_id\":\"1234567890321_7293787835232\",\"sender_id\":8423678347823,\"message\":\"Let's check this again\"}}]}]}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var stored = await db.Messages.Where(m => m.ChannelId == channelId).OrderBy(m => m.Id).ToListAsync();
            stored.Select(m => m.ExternalId).ShouldBe(["1234567890321_7293787835232", "m:987654321432:mid.1457764197618:41d102a3e1ae206a38"]);
            stored[0].Text.ShouldBe("Let's check this again");
            stored[0].AuthorName.ShouldBe("John Doe");
            stored[0].EditedAt.ShouldNotBeNull();
            stored[1].Text.ShouldBe("hello, world!");
        }

        (await PostAsync(channelId, Payload("messaging-message-isdeleted.json").Replace("\"message_id\"", "\"mid.1457764197618:41d102a3e1ae206a38\"", StringComparison.Ordinal)))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            (await db.Messages.Where(m => m.ChannelId == channelId).Select(m => m.ExternalId).ToListAsync()).ShouldBe(["1234567890321_7293787835232"]);
        }
    }

    [SharedDataFact("payloads/facebook/restfb-webhooks")]
    public async Task A_malformed_body_is_answered_400_and_counted_and_the_next_body_is_still_taken()
    {
        var (org, channelId) = await PageAsync();
        (await PostAsync(channelId, "{\"object\":\"page\",\"entry\":[")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await PostAsync(channelId, Payload("feed-post-add-25.json"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        factory.Services.GetRequiredService<ConnectorHealthBoard>().Find(channelId)!.MalformedCount.ShouldBe(1);
        await using var scope = factory.ScopeFor(org.Id);
        (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Messages.CountAsync(m => m.ChannelId == channelId)).ShouldBe(1);
    }

    [Fact]
    public async Task Replies_go_to_the_comment_or_messenger_endpoint_of_the_graph_api_and_errors_come_back_in_words()
    {
        await using var graph = await FakeGraph.StartAsync();
        var (org, channelId) = await PageAsync(graph.BaseUrl);
        var connector = factory.Services.GetServices<ISocialConnector>().OfType<FacebookConnector>().Single();
        var context = (await factory.Services.GetRequiredService<ConnectorContexts>().CreateAsync(channelId, CancellationToken.None))!;

        var comment = await connector.ReplyAsync(context, new OutboundReply(1, org.Id, channelId, ChannelKind.Facebook, "1234567890321", "Thanks, logged.", "1234567890321_7293787835232", "CD-1"), CancellationToken.None);
        var dm = await connector.ReplyAsync(context, new OutboundReply(2, org.Id, channelId, ChannelKind.Facebook, "1234567890321", "Hello from the council", "m:987654321432:mid.1", "CD-2"), CancellationToken.None);
        graph.Status = 429;
        var limited = await connector.ReplyAsync(context, new OutboundReply(3, org.Id, channelId, ChannelKind.Facebook, null, "x", "1_2", "CD-3"), CancellationToken.None);
        graph.Status = 500;
        var broken = await connector.ReplyAsync(context, new OutboundReply(4, org.Id, channelId, ChannelKind.Facebook, null, "x", "1_2", "CD-4"), CancellationToken.None);

        comment.ShouldBe(DeliveryResult.Sent("1234567890321_7293787835232_reply", "https://www.facebook.com/1234567890321_7293787835232_reply"));
        dm.Delivered.ShouldBeTrue();
        dm.ExternalId.ShouldBe("m:987654321432:m_reply1");
        limited.Error!.ShouldContain("rate limiting");
        broken.Error!.ShouldContain("(500)");
        var requests = graph.Requests.ToList();
        requests[0].Path.ShouldBe("/1234567890321_7293787835232/comments");
        requests[0].Body.ShouldBe("message=Thanks%2C+logged.");
        requests[0].Auth.ShouldBe("OAuth page-token");
        requests[1].Path.ShouldBe("/me/messages");
        requests[1].Body.ShouldContain("\"recipient\":{\"id\":\"987654321432\"}");
        requests[1].Body.ShouldContain("\"messaging_type\":\"RESPONSE\"");
    }
}
