using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Connectors.Mastodon;

/// <summary>The Mastodon connector run by the real connector host, through the real sink, listening filter and ingest pipeline.</summary>
public sealed class MastodonEndToEndTests(ConnectorFactory factory) : IClassFixture<ConnectorFactory>
{
    [SharedDataFact("payloads/mastodon")]
    public async Task Genuine_stream_ends_as_stored_messages_kept_by_mention_or_search_with_deletes_tombstoned_and_a_reply_sent()
    {
        var events = MastodonPayloadTests.ReadSse();
        var posted = new ConcurrentQueue<(string Auth, JsonElement Body)>();
        var hashtags = new ConcurrentQueue<string>();
        await using var server = await FakeNetworkServer.StartAsync(app =>
        {
            app.MapGet("/api/v1/streaming/user", async (HttpContext http) =>
            {
                http.Response.ContentType = "text/event-stream";
                var body = new StringBuilder(":thump\n\n");
                for (var i = 0; i < events.Count; i++)
                {
                    body.Append($"id: {i + 1}\nevent: {events[i].Event}\ndata: {events[i].Data}\n\n");
                    if (i == 1)
                    {
                        body.Append($"id: 2\nevent: {events[1].Event}\ndata: {events[1].Data}\n\n"); // duplicate mention
                        body.Append("event: update\ndata: {\"id\":\"1\",\"content\":\"<p>cut\n\n");       // malformed
                    }
                }

                await http.Response.WriteAsync(body.ToString());
                await http.Response.Body.FlushAsync();
                await FakeNetworkServer.HoldOpenAsync(http);
            });
            // The search's #test becomes a hashtag stream: quiet here, the genuine events come on the user stream.
            app.MapGet("/api/v1/streaming/hashtag", async (HttpContext http) =>
            {
                hashtags.Enqueue(http.Request.Query["tag"].ToString());
                http.Response.ContentType = "text/event-stream";
                await http.Response.WriteAsync(":thump\n\n");
                await http.Response.Body.FlushAsync();
                await FakeNetworkServer.HoldOpenAsync(http);
            });
            app.MapGet("/api/v1/statuses/108914343542683797", () =>
                Results.Text(JsonDocument.Parse(events[1].Data).RootElement.GetProperty("status").GetRawText(), "application/json"));
            app.MapPost("/api/v1/statuses", async (HttpContext http) =>
            {
                posted.Enqueue((http.Request.Headers.Authorization.ToString(), (await JsonDocument.ParseAsync(http.Request.Body)).RootElement.Clone()));
                return Results.Text(Payloads.Read("mastodon", "entity_Status_example.json"), "application/json");
            });
        });

        var org = await TestOrganisation.CreateAsync(factory);
        // "trwnh" is the account the genuine mention notification is addressed to.
        var channelId = await NetworkChannels.AddAsync(factory, org, ChannelKind.Mastodon, "trwnh",
            new() { ["BaseUrl"] = server.BaseUrl.ToString() }, new() { ["AccessToken"] = "e2e-token" },
            searchName: "Test tag or help", searchTerms: "#test\nhelp");

        await Eventually.TrueAsync(async () => (await NetworkChannels.MessagesAsync(factory, channelId)).Any(m => m.ExternalId == "108914430312582020" && m.DeletedAt is not null),
            "the #test post stored and then deleted");
        await Eventually.TrueAsync(async () => await factory.CheckpointAsync(channelId) is { } c && c.Contains("68739215", StringComparison.Ordinal), "the mentions checkpoint");

        var messages = await NetworkChannels.MessagesAsync(factory, channelId);
        messages.Select(m => m.ExternalId).Order(StringComparer.Ordinal).ShouldBe(["108914327388663283", "108914343542683797", "108914430312582020"]);
        var mention = messages.Single(m => m.ExternalId == "108914343542683797");
        mention.Text.ShouldBe("@trwnh test");
        mention.MatchedSearch.ShouldBeNull();
        mention.DeletedAt.ShouldBeNull();
        var help = messages.Single(m => m.ExternalId == "108914327388663283");
        help.MatchedSearch.ShouldBe("Test tag or help");
        help.DeletedAt.ShouldBeNull();
        messages.Single(m => m.ExternalId == "108914430312582020").MatchedSearch.ShouldBe("Test tag or help");
        hashtags.ShouldContain("test");

        var delivery = factory.Services.GetServices<IReplyDelivery>().OfType<ConnectorReplyDelivery>().Single();
        var result = await delivery.DeliverAsync(new OutboundReply(77, org.Id, channelId, ChannelKind.Mastodon, "trwnh", "Thanks, we're on it.", "108914343542683797", "CD-1"),
            CancellationToken.None);

        result.ShouldBe(DeliveryResult.Sent("103270115826048975", "https://mastodon.social/@Gargron/103270115826048975"));
        var (auth, body) = posted.Single();
        auth.ShouldBe("Bearer e2e-token");
        body.GetProperty("status").GetString().ShouldBe("@a@pl.nulled.red Thanks, we're on it.");
        body.GetProperty("visibility").GetString().ShouldBe("unlisted");
    }
}
