using System.Collections.Concurrent;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors.X;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CivicDesk.Web.Tests.Connectors.X;

/// <summary>The X connector run by the real connector host, through the real sink, listening filter and ingest pipeline.</summary>
public sealed class XEndToEndTests(ConnectorFactory factory) : IClassFixture<ConnectorFactory>
{
    [SharedDataFact("payloads/x")]
    public async Task Genuine_stream_lines_end_as_exactly_the_posts_a_search_keeps_with_the_checkpoint_after_them()
    {
        var rules = new ConcurrentQueue<string>();
        await using var server = await FakeNetworkServer.StartAsync(app =>
        {
            app.MapGet("/2/tweets/search/stream/rules", () => Results.Text("""{"meta":{"sent":"2026-11-22T00:00:00.000Z","result_count":0}}""", "application/json"));
            app.MapPost("/2/tweets/search/stream/rules", async (HttpContext http) =>
            {
                using var reader = new StreamReader(http.Request.Body);
                rules.Enqueue(await reader.ReadToEndAsync());
                return Results.Text("""{"meta":{"summary":{"created":1}}}""", "application/json");
            });
            app.MapGet("/2/tweets/search/stream", async (HttpContext http) =>
            {
                http.Response.ContentType = "application/json";
                var cat = XPayloadTests.Block("posts__filtered-stream__quickstart__block1.json");
                foreach (var line in new[] { "", cat, cat, """{"data":{"id":"1346889436626259999","text":"Learn how""", XPayloadTests.Block("webhooks__stream__quickstart__block1.json"), "" })
                {
                    await http.Response.WriteAsync(line + "\r\n");
                }

                await http.Response.Body.FlushAsync();
                await FakeNetworkServer.HoldOpenAsync(http);
            });
        });

        var org = await TestOrganisation.CreateAsync(factory);
        var channelId = await NetworkChannels.AddAsync(factory, org, ChannelKind.Twitter, "LeedsCC",
            new() { ["BaseUrl"] = server.BaseUrl.ToString(), ["Rules"] = "cat has:images", ["Mode"] = "stream" },
            new() { ["AppBearerToken"] = "e2e-app-token" }, searchName: "Cats", searchTerms: "cat");

        await Eventually.TrueAsync(async () => XCheckpoint.NewestId(await factory.CheckpointAsync(channelId)) == "1346889436626259968", "the checkpoint after the last line");

        var messages = await NetworkChannels.MessagesAsync(factory, channelId);
        var kept = messages.ShouldHaveSingleItem();
        kept.ExternalId.ShouldBe("1234567890");
        kept.Text.ShouldBe("Look at this cute cat! 🐱");
        kept.MatchedSearch.ShouldBe("Cats");
        kept.RawPayload!.ShouldContain("cats with images");
        // The channel's own rule, then the listening search as a rule.
        rules.ShouldBe(["""{"add":[{"value":"cat has:images","tag":"civicdesk"},{"value":"cat -is:retweet","tag":"civicdesk"}]}"""]);
    }
}
