using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Connectors;

/// <summary>The sink's edit, delete and listening behaviour, and replies routed through the connector.</summary>
public sealed class ConnectorSinkTests(ConnectorFactory factory) : IClassFixture<ConnectorFactory>
{
    private async Task<(TestOrganisation Org, long ChannelId, IConnectorSink Sink)> SinkAsync(string? account = "@council.example", string? token = "test-token")
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var channelId = await factory.AddFakeChannelAsync(org, enabled: false, account: account, token: token);
        var context = await factory.Services.GetRequiredService<ConnectorContexts>().CreateAsync(channelId, CancellationToken.None);
        return (org, channelId, context!.Sink);
    }

    [Fact]
    public async Task An_edit_replaces_the_text_marks_it_edited_and_keeps_the_old_text_in_the_audit_trail()
    {
        var (org, channelId, sink) = await SinkAsync();
        var outcome = await sink.CommitAsync([new InboundPost("e1", "Bin not collected on Elm Street", "@amy", IsDirect: true)], checkpoint: null, CancellationToken.None);
        var editedAt = new DateTime(2026, 11, 22, 1, 2, 3, DateTimeKind.Utc);

        await sink.EditAsync("e1", "Bin not collected on Oak Street", editedAt, CancellationToken.None);
        await sink.EditAsync("unknown", "ignored", editedAt, CancellationToken.None);

        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var message = await db.Messages.SingleAsync(m => m.Id == outcome.Items[0].MessageId);
        message.Text.ShouldBe("Bin not collected on Oak Street");
        message.EditedAt.ShouldBe(editedAt);
        var audit = await db.AuditEvents.SingleAsync(a => a.Action == "message.edited" && a.TargetId == message.Id.ToString());
        audit.Before!.ShouldContain("Elm Street");
        audit.After!.ShouldContain("Oak Street");
        (await db.Messages.CountAsync(m => m.ChannelId == channelId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_deleted_post_is_hidden_from_queries_the_inbox_and_the_thread_and_its_conversation_closes()
    {
        var (org, channelId, sink) = await SinkAsync();
        var outcome = await sink.CommitAsync([new InboundPost("d1", "Zebra crossing lights broken near the school", "@bob", IsDirect: true)], null, CancellationToken.None);
        var conversationId = outcome.Items[0].ConversationId;
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");
        (await admin.GetStringAsync("/inbox")).ShouldContain("Zebra crossing");

        await sink.DeleteAsync("d1", DateTime.UtcNow, CancellationToken.None);
        await sink.DeleteAsync("d1", DateTime.UtcNow, CancellationToken.None);   // re-delivered deletion: no second change

        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            (await db.Messages.CountAsync(m => m.ChannelId == channelId)).ShouldBe(0);
            (await db.Messages.IgnoreQueryFilters().SingleAsync(m => m.ChannelId == channelId)).DeletedAt.ShouldNotBeNull();
            var conversation = await db.Conversations.SingleAsync(c => c.Id == conversationId);
            conversation.Status.ShouldBe(ConversationStatus.Closed);
            conversation.MessageCount.ShouldBe(0);
            conversation.Subject.ShouldNotContain("Zebra");
            (await db.AuditEvents.CountAsync(a => a.Action == "message.deleted")).ShouldBe(1);
        }

        (await admin.GetStringAsync("/inbox?status=Closed")).ShouldNotContain("Zebra crossing");
        (await admin.GetStringAsync($"/inbox/conversation/{conversationId}")).ShouldNotContain("Zebra crossing");
    }

    [Fact]
    public async Task Posts_are_kept_when_direct_mentioning_the_account_or_matching_a_search_and_record_the_search()
    {
        var (org, channelId, sink) = await SinkAsync(account: "@council.example");
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            db.ListeningSearches.Add(new ListeningSearch { OrganisationId = org.Id, Name = "Potholes", Terms = "pothole\n#potholes", CreatedAt = DateTime.UtcNow });
            db.ListeningSearches.Add(new ListeningSearch { OrganisationId = org.Id, Name = "Flooding in Ashford", Terms = "flood\nAshford", Match = SearchMatch.All, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        factory.Services.GetRequiredService<ListeningFilter>().Invalidate(org.Id);
        var outcome = await sink.CommitAsync(
        [
            new InboundPost("k1", "Huge pothole on the A28", "@a"),
            new InboundPost("k2", "Lovely weather today", "@b"),
            new InboundPost("k3", "Thanks @council.example for fixing the lights", "@c"),
            new InboundPost("k4", "A DM to the council", "@d", IsDirect: true),
            new InboundPost("k5", "flood warning in Ashford tonight", "@e"),
            new InboundPost("k6", "flood warning in Canterbury", "@f"),
            new InboundPost("k7", "Road closed #potholes", "@g"),
        ], null, CancellationToken.None);

        outcome.Accepted.ShouldBe(5);
        await using var check = factory.ScopeFor(org.Id);
        var stored = await check.ServiceProvider.GetRequiredService<CivicDeskDb>().Messages.Where(m => m.ChannelId == channelId)
            .ToDictionaryAsync(m => m.ExternalId, m => m.MatchedSearch);
        stored.Keys.Order().ShouldBe(["k1", "k3", "k4", "k5", "k7"]);
        stored["k1"].ShouldBe("Potholes");
        stored["k3"].ShouldBeNull();
        stored["k4"].ShouldBeNull();
        stored["k5"].ShouldBe("Flooding in Ashford");
        stored["k7"].ShouldBe("Potholes");

        var admin = await StaffClient.SignInAsync(factory, org, "Admin");
        var filtered = await admin.GetStringAsync("/inbox?search=Flooding%20in%20Ashford");
        filtered.ShouldContain("flood warning in Ashford");
        filtered.ShouldNotContain("Huge pothole");
    }

    [Fact]
    public async Task A_reply_goes_out_through_the_channels_connector_and_stores_its_network_id_and_url()
    {
        var (org, channelId, sink) = await SinkAsync();
        var outcome = await sink.CommitAsync([new InboundPost("r1", "Street light out on Mill Lane", "@cat", IsDirect: true)], null, CancellationToken.None);
        var conversationId = outcome.Items[0].ConversationId;
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");
        var page = $"/inbox/conversation/{conversationId}";
        var posted = await StaffClient.PostFormAsync(admin, page, page + "?handler=Reply", new Dictionary<string, string> { ["ReplyText"] = "Thanks, we have logged it." });
        ((int)posted.StatusCode).ShouldBeLessThan(400);

        await factory.Services.GetRequiredService<OutboundDispatcher>().DeliverDueAsync(CancellationToken.None);

        await using var scope = factory.ScopeFor(org.Id);
        var row = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().OutboundMessages.SingleAsync(o => o.ConversationId == conversationId);
        row.Status.ShouldBe(OutboundStatus.Sent);
        row.ExternalId.ShouldBe($"fake-{row.Id}");
        row.ExternalUrl.ShouldBe($"https://fake.example/post/fake-{row.Id}");
        var reply = factory.Fake.Streams[channelId].Replies.Single();
        reply.Text.ShouldBe("Thanks, we have logged it.");
        reply.ChannelAccount.ShouldBe("@council.example");
        var thread = await admin.GetStringAsync(page);
        thread.ShouldContain($"href=\"https://fake.example/post/fake-{row.Id}\"");
        thread.ShouldContain("View the posted reply");
    }

    [Fact]
    public async Task A_reply_that_used_up_its_retries_is_listed_as_failed_and_retry_queues_it_again()
    {
        var (org, _, sink) = await SinkAsync(token: null);
        var outcome = await sink.CommitAsync([new InboundPost("f1", "Graffiti on the bridge", "@dan", IsDirect: true)], null, CancellationToken.None);
        var conversationId = outcome.Items[0].ConversationId;
        var admin = await StaffClient.SignInAsync(factory, org, "Admin");
        var page = $"/inbox/conversation/{conversationId}";
        await StaffClient.PostFormAsync(admin, page, page + "?handler=Reply", new Dictionary<string, string> { ["ReplyText"] = "We will clean it." });
        await factory.Services.GetRequiredService<OutboundDispatcher>().DeliverDueAsync(CancellationToken.None);

        var lead = await StaffClient.SignInAsync(factory, org, "TeamLead");
        var list = await lead.GetStringAsync("/outbound/failed");
        list.ShouldContain(outcome.Items[0].ConversationReference);
        list.ShouldContain("no token");
        long outboundId;
        await using (var scope = factory.ScopeFor(org.Id))
        {
            outboundId = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().OutboundMessages.Where(o => o.ConversationId == conversationId).Select(o => o.Id).SingleAsync();
        }

        var retried = await StaffClient.PostFormAsync(lead, "/outbound/failed", "/outbound/failed?handler=Retry",
            new Dictionary<string, string> { ["outboundId"] = outboundId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        (await retried.Content.ReadAsStringAsync()).ShouldContain("The reply is queued to be sent again");
        await using var check = factory.ScopeFor(org.Id);
        var db = check.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.AuditEvents.CountAsync(a => a.Action == "reply.retry-requested")).ShouldBe(1);
        (await StaffClient.Anonymous(factory).GetAsync("/outbound/failed")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
        (await (await StaffClient.SignInAsync(factory, org, "Agent")).GetAsync("/outbound/failed")).Headers.Location!.ToString().ShouldContain("access-denied");
    }
}
