using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors.Mastodon;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace CivicDesk.Web.Tests.Connectors.Mastodon;

/// <summary>The connector against a fake Mastodon on 127.0.0.1 that replays the genuine streaming examples.</summary>
public sealed class MastodonConnectorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    private const string Token = "test-token-not-real";

    [SharedDataFact("payloads/mastodon")]
    public async Task User_stream_survives_a_drop_a_500_and_a_429_then_catches_up_mentions_and_stores_exactly_the_expected_posts()
    {
        var events = MastodonPayloadTests.ReadSse();
        events.Count.ShouldBe(18);
        var clock = new AutoAdvanceTimeProvider(Start);
        var connections = 0;
        var lastEventIds = new ConcurrentQueue<string?>();
        var catchUpRequests = new ConcurrentQueue<string>();
        var genuineNotification = events[1].Data;
        var missedMention = MissedMention(genuineNotification);
        var sink = new InMemoryConnectorSink();

        await using var server = await FakeNetworkServer.StartAsync(app =>
        {
            app.MapGet("/api/v1/streaming/user", async (HttpContext http) =>
            {
                http.Request.Headers.Authorization.ToString().ShouldBe("Bearer " + Token);
                lastEventIds.Enqueue(http.Request.Headers["Last-Event-ID"].FirstOrDefault());
                switch (Interlocked.Increment(ref connections))
                {
                    case 1:
                        http.Response.ContentType = "text/event-stream";
                        var first = new StringBuilder(":thump\n\n");
                        for (var i = 1; i <= 9; i++)
                        {
                            first.Append(Sse(i, events[i - 1]));
                            if (i == 3)
                            {
                                first.Append(Sse(2, events[1])); // the mention again: a duplicate
                            }

                            if (i == 5)
                            {
                                first.Append("id: m1\nevent: update\ndata: {\"id\":\"108914999999999999\",\"content\":\"<p>trunc\n\n");
                            }
                        }

                        first.Append("id: 10\nevent: status.update\ndata: {\"id\":\"1093486"); // cut mid-event
                        await http.Response.WriteAsync(first.ToString());
                        await http.Response.Body.FlushAsync();
                        // Reset the connection once the client has read up to the cut (a reset earlier would also
                        // discard what sits unread in its socket buffer, which is a different test).
                        await sink.WaitUntilAsync(s => s.Deleted.Contains("107214471804101576"));
                        http.Abort();
                        return;
                    case 2:
                        http.Response.StatusCode = 500;
                        return;
                    case 3:
                        http.Response.StatusCode = 429;
                        http.Response.Headers["X-RateLimit-Reset"] = clock.GetUtcNow().AddMinutes(2).ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
                        return;
                    default:
                        http.Response.ContentType = "text/event-stream";
                        var rest = new StringBuilder(":thump\n\n");
                        for (var i = 10; i <= 18; i++)
                        {
                            rest.Append(Sse(i, events[i - 1]));
                        }

                        await http.Response.WriteAsync(rest.ToString());
                        await http.Response.Body.FlushAsync();
                        await FakeNetworkServer.HoldOpenAsync(http);
                        return;
                }
            });
            app.MapGet("/api/v1/notifications", (HttpContext http) =>
            {
                catchUpRequests.Enqueue(http.Request.QueryString.Value!);
                http.Request.Query["types[]"].ToString().ShouldBe("mention");
                if (http.Request.Query.ContainsKey("max_id"))
                {
                    // Page 2 reaches the checkpoint: the genuine mention already stored.
                    return Results.Text("[" + genuineNotification + "]", "application/json");
                }

                http.Request.Query["since_id"].ToString().ShouldBe("68739215");
                var url = $"{http.Request.Scheme}://{http.Request.Host}/api/v1/notifications";
                http.Response.Headers.Link = $"<{url}?types[]=mention&max_id=68739300>; rel=\"next\", <{url}?types[]=mention&min_id=68739300>; rel=\"prev\"";
                return Results.Text("[" + missedMention + "]", "application/json");
            });
        });

        var health = new RecordingHealth();
        using var http = new HttpClient();
        var context = ConnectorRuns.Context(ChannelKind.Mastodon, sink, health, http,
            new() { ["BaseUrl"] = server.BaseUrl.ToString() }, new() { ["AccessToken"] = Token });
        var connector = new MastodonConnector(clock, NullLogger<MastodonConnector>.Instance);

        await ConnectorRuns.RunUntilAsync(connector, context, () => sink.WaitUntilAsync(s => s.Edits.Contains(("108914430312582020", "#test but edited"))));

        sink.Stored.Keys.Order(StringComparer.Ordinal).ShouldBe([
            "103270115826048975", "108914327388663283", "108914343542683797", "108914354907984653", "108914398911648589", "108914430312582020"]);
        sink.Deleted.Order(StringComparer.Ordinal).ShouldBe(["107214471804101576", "108914398911648589", "108914430312582020"]);
        sink.Visible.Keys.Order(StringComparer.Ordinal).ShouldBe(["103270115826048975", "108914327388663283", "108914343542683797", "108914354907984653"]);
        sink.Visible["108914343542683797"].Text.ShouldBe("@trwnh test");
        sink.Visible["108914343542683797"].AuthorHandle.ShouldBe("@a@pl.nulled.red");
        sink.Visible["103270115826048975"].AuthorHandle.ShouldBe("@Gargron");

        lastEventIds.ShouldBe([null, "9", "9", "9"]);
        catchUpRequests.Count.ShouldBe(2);
        JsonDocument.Parse(sink.Checkpoint!).RootElement.GetProperty("mentions").GetString().ShouldBe("68739300");

        health.Malformations.Single().Identifier.ShouldContain("m1");
        health.Connections.ShouldBe(2);
        var delays = clock.Delays.ToList();
        delays.Count.ShouldBe(3);
        delays[0].ShouldBeInRange(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        delays[1].ShouldBeInRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        delays[2].ShouldBe(TimeSpan.FromMinutes(2));
    }

    [SharedDataFact("payloads/mastodon")]
    public async Task Hashtag_stream_catches_up_the_tag_timeline_through_link_pages_skipping_a_malformed_status()
    {
        var events = MastodonPayloadTests.ReadSse();
        var missed = events[10].Data;   // update 108914398911648589
        var live = events[13];          // update 108914430312582020, tagged #test
        var timelinePages = new ConcurrentQueue<string>();
        await using var server = await FakeNetworkServer.StartAsync(app =>
        {
            app.MapGet("/api/v1/streaming/hashtag", async (HttpContext http) =>
            {
                http.Request.Query["tag"].ToString().ShouldBe("test");
                http.Response.ContentType = "text/event-stream";
                await http.Response.WriteAsync(Sse(1, live));
                await http.Response.Body.FlushAsync();
                await FakeNetworkServer.HoldOpenAsync(http);
            });
            app.MapGet("/api/v1/timelines/tag/test", (HttpContext http) =>
            {
                timelinePages.Enqueue(http.Request.QueryString.Value!);
                if (http.Request.Query.ContainsKey("max_id"))
                {
                    return Results.Text("[]", "application/json");
                }

                http.Request.Query["since_id"].ToString().ShouldBe("108914354907984653");
                http.Response.Headers.Link = $"<http://{http.Request.Host}/api/v1/timelines/tag/test?max_id=108914398911648589>; rel=\"next\"";
                return Results.Text("[" + missed + ",{\"id\":\"108914398911648590\"}]", "application/json");
            });
        });

        var sink = new InMemoryConnectorSink();
        var health = new RecordingHealth();
        using var http = new HttpClient();
        var context = ConnectorRuns.Context(ChannelKind.Mastodon, sink, health, http,
            new() { ["BaseUrl"] = server.BaseUrl.ToString(), ["Hashtags"] = "#Test", ["ListenToMentions"] = "false" },
            new() { ["AccessToken"] = Token }, checkpoint: "{\"tag:test\":\"108914354907984653\"}");

        await ConnectorRuns.RunUntilAsync(new MastodonConnector(new AutoAdvanceTimeProvider(Start), NullLogger<MastodonConnector>.Instance), context,
            () => sink.WaitUntilAsync(s => s.Stored.Count == 2));

        sink.CommitOrder.ShouldBe(["108914398911648589", "108914430312582020"]);
        timelinePages.Count.ShouldBe(2);
        health.Malformations.Single().Identifier.ShouldBe("timeline item 1");
        JsonDocument.Parse(sink.Checkpoint!).RootElement.GetProperty("tag:test").GetString().ShouldBe("108914430312582020");
    }

    [SharedDataFact("payloads/mastodon")]
    public async Task A_batch_the_sink_refuses_stops_every_stream_without_a_checkpoint_and_a_restart_resumes_from_the_last_one()
    {
        var live = MastodonPayloadTests.ReadSse()[13]; // update 108914430312582020 on #test
        var timelineSince = new ConcurrentQueue<string>();
        await using var server = await FakeNetworkServer.StartAsync(app =>
        {
            app.MapGet("/api/v1/streaming/user", async (HttpContext http) =>
            {
                http.Response.ContentType = "text/event-stream";
                await http.Response.WriteAsync(":thump\n\n");
                await http.Response.Body.FlushAsync();
                await FakeNetworkServer.HoldOpenAsync(http);
            });
            app.MapGet("/api/v1/streaming/hashtag", async (HttpContext http) =>
            {
                http.Response.ContentType = "text/event-stream";
                await http.Response.WriteAsync(Sse(1, live));
                await http.Response.Body.FlushAsync();
                await FakeNetworkServer.HoldOpenAsync(http);
            });
            app.MapGet("/api/v1/notifications", () => Results.Text("[]", "application/json"));
            app.MapGet("/api/v1/timelines/tag/test", (HttpContext http) =>
            {
                timelineSince.Enqueue(http.Request.Query["since_id"].ToString());
                return Results.Text("[]", "application/json");
            });
        });

        var sink = new InMemoryConnectorSink { FailWhen = _ => true };
        using var http = new HttpClient();
        var settings = new Dictionary<string, string> { ["BaseUrl"] = server.BaseUrl.ToString(), ["Hashtags"] = "test" };
        const string checkpoint = "{\"mentions\":\"68739215\",\"tag:test\":\"108914398911648589\"}";
        var connector = new MastodonConnector(new AutoAdvanceTimeProvider(Start), NullLogger<MastodonConnector>.Instance);
        var context = ConnectorRuns.Context(ChannelKind.Mastodon, sink, new RecordingHealth(), http, settings, new() { ["AccessToken"] = Token }, checkpoint);

        await Should.ThrowAsync<CivicDesk.Web.Features.Ingestion.IngestUnavailableException>(
            () => connector.RunInboundAsync(context, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)));
        sink.Checkpoints.ShouldBeEmpty();
        sink.Stored.ShouldBeEmpty();

        // The host restarts the run with the checkpoint it still has: catch-up asks from there, and the post is stored.
        sink.FailWhen = null;
        await ConnectorRuns.RunUntilAsync(connector, context, () => sink.WaitUntilAsync(s => s.Stored.Count == 1));
        timelineSince.ShouldAllBe(since => since == "108914398911648589");
        timelineSince.Count.ShouldBe(2);
        JsonDocument.Parse(sink.Checkpoint!).RootElement.GetProperty("tag:test").GetString().ShouldBe("108914430312582020");
        JsonDocument.Parse(sink.Checkpoint!).RootElement.GetProperty("mentions").GetString().ShouldBe("68739215");
    }

    [SharedDataFact("payloads/mastodon")]
    public async Task Reply_mentions_the_citizen_keeps_their_visibility_and_sends_a_stable_idempotency_key()
    {
        var citizens = MastodonPayloadTests.ReadSse()[0].Data; // freon@letsalllovela.in, unlisted
        var posted = new ConcurrentQueue<(string? Key, JsonElement Body)>();
        await using var server = await FakeNetworkServer.StartAsync(app =>
        {
            app.MapGet("/api/v1/statuses/{id}", (string id) => id == "108914327388663283" ? Results.Text(citizens, "application/json") : Results.NotFound());
            app.MapPost("/api/v1/statuses", async (HttpContext http) =>
            {
                http.Request.Headers.Authorization.ToString().ShouldBe("Bearer " + Token);
                var body = await JsonDocument.ParseAsync(http.Request.Body);
                posted.Enqueue((http.Request.Headers["Idempotency-Key"].FirstOrDefault(), body.RootElement.Clone()));
                return Results.Text(Payloads.Read("mastodon", "entity_Status_example.json"), "application/json");
            });
        });

        using var http = new HttpClient();
        var context = ConnectorRuns.Context(ChannelKind.Mastodon, new InMemoryConnectorSink(), new RecordingHealth(), http,
            new() { ["BaseUrl"] = server.BaseUrl.ToString() }, new() { ["AccessToken"] = Token });
        var connector = new MastodonConnector(TimeProvider.System, NullLogger<MastodonConnector>.Instance);
        var reply = new OutboundReply(42, 3, 7, ChannelKind.Mastodon, "council", "Thanks, we've logged it as CD-1.", "108914327388663283", "CD-1");

        var first = await connector.ReplyAsync(context, reply, CancellationToken.None);
        var retry = await connector.ReplyAsync(context, reply, CancellationToken.None);

        first.ShouldBe(DeliveryResult.Sent("103270115826048975", "https://mastodon.social/@Gargron/103270115826048975"));
        retry.Delivered.ShouldBeTrue();
        var sent = posted.ToList();
        sent.Count.ShouldBe(2);
        sent[0].Key.ShouldBe("civicdesk-3-7-42");
        sent[1].Key.ShouldBe(sent[0].Key);
        sent[0].Body.GetProperty("status").GetString().ShouldBe("@freon@letsalllovela.in Thanks, we've logged it as CD-1.");
        sent[0].Body.GetProperty("in_reply_to_id").GetString().ShouldBe("108914327388663283");
        sent[0].Body.GetProperty("visibility").GetString().ShouldBe("unlisted");
    }

    [SharedDataFact("payloads/mastodon")]
    public async Task Reply_over_500_characters_fails_before_anything_is_sent_and_a_deleted_post_is_explained()
    {
        var requests = 0;
        await using var server = await FakeNetworkServer.StartAsync(app =>
            app.MapFallback((HttpContext _) =>
            {
                Interlocked.Increment(ref requests);
                return Results.NotFound();
            }));
        using var http = new HttpClient();
        var context = ConnectorRuns.Context(ChannelKind.Mastodon, new InMemoryConnectorSink(), new RecordingHealth(), http,
            new() { ["BaseUrl"] = server.BaseUrl.ToString() }, new() { ["AccessToken"] = Token });
        var connector = new MastodonConnector(TimeProvider.System, NullLogger<MastodonConnector>.Instance);

        var tooLong = await connector.ReplyAsync(context,
            new OutboundReply(1, 3, 7, ChannelKind.Mastodon, null, new string('a', 501), "5", "CD-1"), CancellationToken.None);
        tooLong.Delivered.ShouldBeFalse();
        tooLong.Error.ShouldBe("The reply is 501 characters; Mastodon allows 500. Shorten it by 1");
        requests.ShouldBe(0);

        var gone = await connector.ReplyAsync(context, new OutboundReply(1, 3, 7, ChannelKind.Mastodon, null, "ok", "5", "CD-1"), CancellationToken.None);
        gone.Delivered.ShouldBeFalse();
        gone.Error!.ShouldContain("deleted");
        requests.ShouldBe(1);
    }

    private static string Sse(int id, ServerSentEvent e) => $"id: {id}\nevent: {e.Event}\ndata: {e.Data}\n\n";

    /// <summary>The genuine mention notification, re-numbered and carrying the genuine Status example: a mention the stream missed.</summary>
    private static string MissedMention(string genuineNotification)
    {
        var status = Payloads.Read("mastodon", "entity_Status_example.json");
        using var document = JsonDocument.Parse(genuineNotification);
        var account = document.RootElement.GetProperty("account").GetRawText();
        return $"{{\"id\":\"68739300\",\"type\":\"mention\",\"created_at\":\"2022-08-30T23:20:00.000Z\",\"account\":{account},\"status\":{status}}}";
    }
}
