using System.Text.Json.Nodes;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Connectors.Bluesky;

/// <summary>
/// The whole loop against a real Bluesky PDS: a citizen on the PDS mentions the council, the Bluesky connector
/// (PDS mode) ingests it into the organisation's inbox, an agent replies from the conversation page, and the reply
/// is then an app.bsky.feed.post in council.test's repo whose reply.parent is the citizen's post.
/// </summary>
public sealed class PdsEndToEndTests(TestPds pds) : IClassFixture<TestPds>, IAsyncLifetime
{
    private readonly ConnectorFactory _factory = new();
    private readonly HttpClient _http = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _factory.DisposeAsync();
    }

    [PdsFact]
    public async Task Citizen_mention_is_ingested_and_the_agents_reply_is_a_reply_record_on_the_pds()
    {
        var alice = await pds.CreateAccountAsync(_http, "alice.test", "alice-password");
        var council = await pds.CreateAccountAsync(_http, "council.test", "council-password");
        var xrpc = pds.Client(_http);
        var appPassword = (await xrpc.ProcedureAsync("com.atproto.server.createAppPassword", new JsonObject { ["name"] = "civicdesk" }, council.AccessJwt, default))["password"]!.GetValue<string>();

        // Alice mentions the council the way the Bluesky app writes it: the text plus a mention facet with the DID.
        var text = "@council.test the street light outside 14 Mill Lane has been out for a week";
        var created = await xrpc.ProcedureAsync("com.atproto.repo.createRecord", new JsonObject
        {
            ["repo"] = alice.Did,
            ["collection"] = "app.bsky.feed.post",
            ["record"] = new JsonObject
            {
                ["$type"] = "app.bsky.feed.post",
                ["text"] = text,
                ["createdAt"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["langs"] = new JsonArray("en"),
                ["facets"] = new JsonArray(new JsonObject
                {
                    ["index"] = new JsonObject { ["byteStart"] = 0, ["byteEnd"] = 13 },
                    ["features"] = new JsonArray(new JsonObject { ["$type"] = "app.bsky.richtext.facet#mention", ["did"] = council.Did }),
                }),
            },
        }, alice.AccessJwt, default);
        var alicePost = created["uri"]!.GetValue<string>();

        var org = await TestOrganisation.CreateAsync(_factory);
        var channelId = await AddBlueskyChannelAsync(org, appPassword);

        await Eventually.TrueAsync(async () => (await _factory.StoredExternalIdsAsync(channelId)).Contains(alicePost), "alice's post in the inbox");
        long conversationId;
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var message = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Messages.SingleAsync(m => m.ExternalId == alicePost);
            message.Text.ShouldBe(text);
            message.AuthorHandle.ShouldBe("alice.test");
            conversationId = message.ConversationId;
        }

        (await _factory.StoredExternalIdsAsync(channelId)).ShouldBe([alicePost]); // nothing of council.test's own

        var agent = await StaffClient.SignInAsync(_factory, org, "Agent");
        var page = $"/inbox/conversation/{conversationId}";
        var replyText = "Thanks @alice.test, we have logged it. Track it at https://council.example/report/42";
        var posted = await StaffClient.PostFormAsync(agent, page, page + "?handler=Reply", new Dictionary<string, string> { ["ReplyText"] = replyText });
        ((int)posted.StatusCode).ShouldBeLessThan(400);
        await _factory.Services.GetRequiredService<OutboundDispatcher>().DeliverDueAsync(CancellationToken.None);

        OutboundMessage row;
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            row = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().OutboundMessages.SingleAsync(o => o.ConversationId == conversationId);
        }

        row.Status.ShouldBe(OutboundStatus.Sent, row.LastError);
        row.ExternalId.ShouldNotBeNull().ShouldStartWith($"at://{council.Did}/app.bsky.feed.post/");
        row.ExternalUrl.ShouldBe($"https://bsky.app/profile/council.test/post/{row.ExternalId!.Split('/')[^1]}");

        var records = await xrpc.QueryAsync("com.atproto.repo.listRecords", [new("repo", "council.test"), new("collection", "app.bsky.feed.post")], null, default);
        var reply = records["records"]!.AsArray().Single()!;
        reply["uri"]!.GetValue<string>().ShouldBe(row.ExternalId);
        var value = reply["value"]!;
        value["text"]!.GetValue<string>().ShouldBe(replyText);
        value["reply"]!["parent"]!["uri"]!.GetValue<string>().ShouldBe(alicePost);
        value["reply"]!["parent"]!["cid"]!.GetValue<string>().ShouldBe(created["cid"]!.GetValue<string>());
        value["reply"]!["root"]!["uri"]!.GetValue<string>().ShouldBe(alicePost);
        var facets = value["facets"]!.AsArray();
        facets.Count.ShouldBe(2);
        facets[0]!["features"]![0]!["did"]!.GetValue<string>().ShouldBe(alice.Did);
        facets[1]!["features"]![0]!["uri"]!.GetValue<string>().ShouldBe("https://council.example/report/42");
    }

    [PdsFact]
    public async Task A_publication_with_an_image_is_a_post_on_the_pds_whose_blob_reads_back_byte_for_byte()
    {
        var press = await pds.CreateAccountAsync(_http, "townnews.test", "townnews-password");
        var xrpc = pds.Client(_http);
        var appPassword = (await xrpc.ProcedureAsync("com.atproto.server.createAppPassword", new JsonObject { ["name"] = "civicdesk" }, press.AccessJwt, default))["password"]!.GetValue<string>();
        var org = await TestOrganisation.CreateAsync(_factory);
        var channelId = await AddBlueskyChannelAsync(org, appPassword, "townnews.test", listening: false);

        var created = await Publishing.PublishingTests.CreateAsync(_factory, org, new Web.Features.Publishing.PublicationRequest(
            "Bridge Street reopens on Monday 🎉 after the resurfacing.", [new Web.Features.Publishing.PublicationTarget(channelId)],
            [new Web.Features.Publishing.PublicationImageInput("bridge.png", Newsroom.NewsroomTests.Png, "Bridge Street with fresh tarmac")],
            "https://council.example/news/bridge-street"));
        created.Succeeded.ShouldBeTrue(string.Join("; ", created.Errors.Select(e => e.Message)));
        PublicationDelivery? delivery = null;
        await Eventually.TrueAsync(async () =>
        {
            await using var scope = _factory.ScopeFor(org.Id);
            delivery = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().PublicationDeliveries.AsNoTracking().SingleAsync(d => d.PublicationId == created.Id);
            return delivery.State is DeliveryState.Delivered or DeliveryState.Failed;
        }, "the post delivered to the PDS");
        delivery!.State.ShouldBe(DeliveryState.Delivered, delivery.LastError);

        var records = await xrpc.QueryAsync("com.atproto.repo.listRecords", [new("repo", "townnews.test"), new("collection", "app.bsky.feed.post")], null, default);
        var post = records["records"]!.AsArray().Single()!;
        post["uri"]!.GetValue<string>().ShouldBe(delivery.RemoteId);
        var value = post["value"]!;
        value["text"]!.GetValue<string>().ShouldBe("Bridge Street reopens on Monday 🎉 after the resurfacing.\n\nhttps://council.example/news/bridge-street");
        value["facets"]![0]!["features"]![0]!["uri"]!.GetValue<string>().ShouldBe("https://council.example/news/bridge-street");
        var image = value["embed"]!["images"]![0]!;
        image["alt"]!.GetValue<string>().ShouldBe("Bridge Street with fresh tarmac");
        image["image"]!["mimeType"]!.GetValue<string>().ShouldBe("image/png");
        var cid = image["image"]!["ref"]!["$link"]!.GetValue<string>();

        using var blob = await _http.GetAsync($"{pds.Url.TrimEnd('/')}/xrpc/com.atproto.sync.getBlob?did={Uri.EscapeDataString(press.Did)}&cid={cid}");
        blob.EnsureSuccessStatusCode();
        (await blob.Content.ReadAsByteArrayAsync()).ShouldBe(Newsroom.NewsroomTests.Png);
    }

    private async Task<long> AddBlueskyChannelAsync(TestOrganisation org, string appPassword, string handle = "council.test", bool listening = true)
    {
        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var secrets = scope.ServiceProvider.GetRequiredService<ConnectorSecrets>();
        var now = DateTime.UtcNow;
        var channel = new Channel { OrganisationId = org.Id, Kind = ChannelKind.Bluesky, Name = "Bluesky", Account = "@" + handle, CreatedAt = now };
        db.Channels.Add(channel);
        await db.SaveChangesAsync();
        db.ChannelConnections.Add(new ChannelConnection
        {
            OrganisationId = org.Id, ChannelId = channel.Id, IsEnabled = listening, UpdatedAt = now,
            SettingsJson = ConnectorContexts.WriteSettings(new Dictionary<string, string>
            {
                ["Mode"] = "pds", ["ServiceUrl"] = pds.Url, ["Handle"] = handle, ["PollSeconds"] = "0.2",
            }),
            ProtectedSecrets = secrets.Protect(new Dictionary<string, string> { ["AppPassword"] = appPassword }),
        });
        await db.SaveChangesAsync();
        _factory.Services.GetRequiredService<ConnectorSignal>().Ring();
        return channel.Id;
    }
}
