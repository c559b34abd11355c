using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Connectors.Rss;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Connectors.Rss;

/// <summary>The RSS connector run by the real connector host into the real ingest pipeline and database.</summary>
public sealed class RssEndToEndTests(ConnectorFactory factory) : IClassFixture<ConnectorFactory>
{
    [Fact]
    public async Task Feed_items_are_stored_through_the_pipeline_exactly_once_across_a_restart()
    {
        await using var server = await FeedServer.StartAsync();
        server.Serve("/news.xml", "<rss version=\"2.0\"><channel><title>Echo</title>" +
            "<item><guid>e2e-1</guid><title>Pothole on Hewlett Road</title></item>" +
            "<item><guid>e2e-2</guid><title>Bins not collected on Dog Lane</title></item></channel></rss>");
        var org = await TestOrganisation.CreateAsync(factory);
        long channelId;
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var channel = new Channel { OrganisationId = org.Id, Kind = ChannelKind.Rss, Name = "Local news", CreatedAt = DateTime.UtcNow };
            db.Channels.Add(channel);
            await db.SaveChangesAsync();
            db.ChannelConnections.Add(new ChannelConnection
            {
                OrganisationId = org.Id, ChannelId = channel.Id, IsEnabled = true, UpdatedAt = DateTime.UtcNow,
                SettingsJson = ConnectorContexts.WriteSettings(new Dictionary<string, string> { [RssConnector.FeedsSetting] = server.Url("/news.xml") }),
            });
            await db.SaveChangesAsync();
            channelId = channel.Id;
        }

        factory.Services.GetRequiredService<ConnectorSignal>().Ring();
        await Eventually.TrueAsync(async () => (await factory.StoredExternalIdsAsync(channelId)).Count == 2, "both feed items stored");
        await Eventually.TrueAsync(async () => (await factory.CheckpointAsync(channelId)) is not null, "the checkpoint");

        // A restart reads the committed checkpoint: the feed answers 304 and nothing is stored again.
        var connector = factory.Services.GetRequiredService<RssConnector>();
        var contexts = factory.Services.GetRequiredService<ConnectorContexts>();
        var restarted = (await contexts.CreateAsync(channelId, CancellationToken.None))!;
        (await connector.PollDueAsync(restarted, RssCheckpoint.Read(restarted.Checkpoint), force: true, CancellationToken.None)).ShouldBe(0);
        server.Requests.Last().Status.ShouldBe(304);

        // A crash after the commit but before the checkpoint (no checkpoint at all): read again, stored once.
        await connector.PollDueAsync(restarted, new RssCheckpoint(), force: true, CancellationToken.None);

        (await factory.StoredExternalIdsAsync(channelId)).ShouldBe(["e2e-1", "e2e-2"]);
    }
}
