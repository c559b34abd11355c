using System.Net;
using System.Text.Json;
using CivicDesk.Triage;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CivicDesk.Web.Tests.Ingestion.IngestClient;

namespace CivicDesk.Web.Tests.Ingestion;

public sealed class IngestApiTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public IngestApiTests(CivicDeskFactory factory) => _factory = factory;

    [Fact]
    public async Task Accepted_batch_stores_messages_conversations_triage_routing_and_raw_payload()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        const string text = "Streetlight out on Dog Lane again, it's pitch black at night";
        // Verbatim means verbatim: odd spacing, field order and an unknown field all survive.
        var first = """{ "text" : "Streetlight out on Dog Lane again, it's pitch black at night",  "externalId":"t-1","authorHandle":"@amy", "authorName": "Amy", "lat": 51.9, "lon": -2.07, "language": "en", "createdAt": "2026-03-01T09:30:00+01:00", "inReplyTo": "x-0", "attachments": [{"url": "https://example.org/p.jpg", "contentType": "image/jpeg", "fileName": "p.jpg"}], "vendorField": {"a": [1, 2]} }""";
        var second = """{"externalId": "t-2", "text": "Bins not collected on Elm Road", "authorHandle": "@bob"}""";
        var client = _factory.CreateClient();

        using var response = await PostRawAsync(client, org.ApiKey, $$"""{"messages": [{{first}}, {{second}}]}""");
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var answer = JsonSerializer.Deserialize<IngestResponse>(body, Json)!;
        answer.Accepted.ShouldBe(2);
        answer.AlreadyKnown.ShouldBe(0);
        answer.Items.Select(i => i.ExternalId).ShouldBe(["t-1", "t-2"]);
        answer.Items.ShouldAllBe(i => !i.Duplicate && i.MessageId > 0 && i.ConversationId > 0 && i.Reference.StartsWith("CD-"));
        answer.Items[0].ConversationId.ShouldNotBe(answer.Items[1].ConversationId);
        using (var json = JsonDocument.Parse(body))
        {
            // The wire names are part of the contract.
            json.RootElement.GetProperty("items")[0].EnumerateObject().Select(p => p.Name)
                .ShouldBe(["externalId", "messageId", "conversationId", "reference", "duplicate"]);
        }

        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var message = await db.Messages.SingleAsync(m => m.ExternalId == "t-1");
        message.Id.ShouldBe(answer.Items[0].MessageId);
        message.ChannelId.ShouldBe(org.ApiChannelId);
        message.Direction.ShouldBe(MessageDirection.Inbound);
        message.Text.ShouldBe(text);
        message.AuthorHandle.ShouldBe("@amy");
        message.AuthorName.ShouldBe("Amy");
        message.Latitude.ShouldBe(51.9);
        message.Longitude.ShouldBe(-2.07);
        message.Language.ShouldBe("en");
        message.InReplyTo.ShouldBe("x-0");
        message.CreatedAt.ShouldBe(new DateTime(2026, 3, 1, 8, 30, 0, DateTimeKind.Utc));
        message.RawPayload.ShouldBe(first);
        message.AttachmentsJson.ShouldNotBeNull().ShouldContain("https://example.org/p.jpg");

        var triage = _factory.Services.GetRequiredService<ITriageEngine>().Triage(new TriageInput(text, 51.9, -2.07));
        message.Kind.ShouldBe(triage.Kind.Value);
        message.Category.ShouldBe(triage.Category.Value);
        message.Sentiment.ShouldBe(triage.Sentiment.Value);
        message.IsUrgent.ShouldBe(triage.Urgency.IsUrgent);
        // Labels and scores are stored compactly; explanations are not (recomputed when a person opens the message).
        message.TriageScores.ShouldNotBeNull().ShouldStartWith($"kind={triage.Kind.Value}:");
        message.TriageScores.ShouldContain($"category={triage.Category.Value}:");
        message.TriageScores.Length.ShouldBeLessThan(200);

        var routing = await _factory.Services.GetRequiredService<RoutingService>().RouteAsync(org.Id, new RoutingInput(text, ChannelKind.Api,
            triage.Kind.Value, triage.Category.Value, triage.Sentiment.Value, triage.Urgency.IsUrgent, triage.Place?.Text), default);
        message.RoutedTeamId.ShouldBe(routing.TeamId);
        message.RoutingReason.ShouldBe(routing.Reason);

        var conversation = await db.Conversations.SingleAsync(c => c.Id == message.ConversationId);
        conversation.Reference.ShouldBe(answer.Items[0].Reference);
        conversation.CitizenHandle.ShouldBe("@amy");
        conversation.CitizenName.ShouldBe("Amy");
        conversation.Subject.ShouldBe(text);
        conversation.Status.ShouldBe(ConversationStatus.New);
        conversation.MessageCount.ShouldBe(1);
        conversation.AssignedTeamId.ShouldBe(routing.TeamId);
        conversation.RoutingReason.ShouldBe(routing.Reason);
        conversation.Kind.ShouldBe(triage.Kind.Value);
        conversation.Priority.ShouldBe(triage.Urgency.IsUrgent ? Priority.Urgent : routing.Priority ?? Priority.Normal);

        var audit = await db.AuditEvents.Where(a => a.Action == "conversation.created").OrderBy(a => a.Sequence).ToListAsync();
        audit.Count.ShouldBe(2);
        audit[0].ActorName.ShouldBe("system");
        audit[0].TargetType.ShouldBe("Conversation");
        audit.Select(a => a.TargetId).ShouldBe(answer.Items.Select(i => i.ConversationId.ToString(System.Globalization.CultureInfo.InvariantCulture)), ignoreOrder: true);
        audit[0].After.ShouldNotBeNull().ShouldContain(routing.Reason);
        (await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(org.Id, default)).IsIntact.ShouldBeTrue();
    }

    [Fact]
    public async Task Text_is_normalised_before_it_is_stored()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        // Decomposed é (e + combining acute), a NUL, a bell, CRLF and surrounding space.
        var raw = "  Cafe\u0301 bins\u0000 overflowing\u0007\r\nsecond line\t ok  ";

        var answer = await AcceptAsync(_factory.CreateClient(), org.ApiKey, [Message("n-1", raw, "  @dee  ")]);

        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var message = await db.Messages.SingleAsync(m => m.Id == answer.Items[0].MessageId);
        message.Text.ShouldBe("Caf\u00e9 bins overflowing\nsecond line  ok");
        message.AuthorHandle.ShouldBe("@dee");
        (await db.Conversations.SingleAsync()).Subject.ShouldBe("Caf\u00e9 bins overflowing");
    }

    [Fact]
    public async Task Sending_the_same_batch_again_reports_already_known_and_stores_nothing_new()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = _factory.CreateClient();
        object[] batch = [Message("r-1", author: "@a"), Message("r-2", author: "@b"), Message("r-3", author: "@c")];
        var first = await AcceptAsync(client, org.ApiKey, batch);

        var again = await AcceptAsync(client, org.ApiKey, batch);

        again.Accepted.ShouldBe(0);
        again.AlreadyKnown.ShouldBe(3);
        again.Items.ShouldAllBe(i => i.Duplicate);
        again.Items.Select(i => (i.MessageId, i.ConversationId, i.Reference)).ShouldBe(first.Items.Select(i => (i.MessageId, i.ConversationId, i.Reference)));
        (await CountMessagesAsync(_factory, org.Id)).ShouldBe(3);
        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.Conversations.CountAsync()).ShouldBe(3);
        (await db.Conversations.SumAsync(c => c.MessageCount)).ShouldBe(3);
        (await db.AuditEvents.CountAsync(a => a.Action == "conversation.created")).ShouldBe(3);
    }

    [Fact]
    public async Task A_duplicate_external_id_inside_one_batch_is_stored_once()
    {
        var org = await TestOrganisation.CreateAsync(_factory);

        var answer = await AcceptAsync(_factory.CreateClient(), org.ApiKey,
            [Message("d-1", "First copy"), Message("d-2", "Other"), Message("d-1", "Second copy of the same post")]);

        answer.Accepted.ShouldBe(2);
        answer.AlreadyKnown.ShouldBe(1);
        answer.Items[2].Duplicate.ShouldBeTrue();
        answer.Items[2].MessageId.ShouldBe(answer.Items[0].MessageId);
        answer.Items[2].Reference.ShouldBe(answer.Items[0].Reference);
        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.Messages.Where(m => m.ExternalId == "d-1").Select(m => m.Text).ToListAsync()).ShouldBe(["First copy"]);
        (await db.Conversations.SingleAsync()).MessageCount.ShouldBe(2);
    }

    [Fact]
    public async Task The_same_batch_from_several_clients_at_once_is_stored_exactly_once()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var batch = Enumerable.Range(0, 50).Select(i => (object)Message($"c-{i}", $"Report number {i}", $"@citizen{i % 7}")).ToArray();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => AcceptAsync(_factory.CreateClient(), org.ApiKey, batch)));

        answers.Sum(a => a.Accepted).ShouldBe(50);
        answers.Sum(a => a.AlreadyKnown).ShouldBe(50 * 7);
        foreach (var answer in answers)
        {
            answer.Items.Select(i => i.MessageId).ShouldBe(answers[0].Items.Select(i => i.MessageId));
        }

        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.Messages.CountAsync()).ShouldBe(50);
        (await db.Conversations.CountAsync()).ShouldBe(7);
        (await db.Conversations.SumAsync(c => c.MessageCount)).ShouldBe(50);
        (await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(org.Id, default)).EventsChecked.ShouldBeGreaterThanOrEqualTo(7);
    }

    [Fact]
    public async Task A_citizens_posts_thread_into_one_conversation_that_reopens_when_resolved_and_not_when_closed()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = _factory.CreateClient();

        var first = await AcceptAsync(client, org.ApiKey,
            [Message("h-1", "Fly-tipping on Mill Lane\nthree mattresses", "@eve"), Message("h-2", "Photo to follow", "@eve"), Message("h-3", "Unrelated", "@fred")]);
        first.Items[0].ConversationId.ShouldBe(first.Items[1].ConversationId);
        first.Items[2].ConversationId.ShouldNotBe(first.Items[0].ConversationId);
        var conversationId = first.Items[0].ConversationId;

        await SetStatusAsync(org.Id, conversationId, ConversationStatus.Resolved);
        var second = await AcceptAsync(client, org.ApiKey, [Message("h-4", "Still there a week later", "@eve")]);
        second.Items[0].ConversationId.ShouldBe(conversationId);
        second.Items[0].Reference.ShouldBe(first.Items[0].Reference);

        await SetStatusAsync(org.Id, conversationId, ConversationStatus.WaitingOnCitizen);
        await AcceptAsync(client, org.ApiKey, [Message("h-5", "Here is the photo", "@eve")]);

        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var conversation = await db.Conversations.SingleAsync(c => c.Id == conversationId);
            conversation.Status.ShouldBe(ConversationStatus.Open);
            conversation.ResolvedAt.ShouldBeNull();
            conversation.MessageCount.ShouldBe(4);
            conversation.Subject.ShouldBe("Fly-tipping on Mill Lane");
            conversation.LastMessageAt.ShouldBe(await db.Messages.Where(m => m.ConversationId == conversationId).MaxAsync(m => m.ReceivedAt));
            (await db.AuditEvents.CountAsync(a => a.Action == "conversation.created")).ShouldBe(2);
        }

        await SetStatusAsync(org.Id, conversationId, ConversationStatus.Closed);
        var third = await AcceptAsync(client, org.ApiKey, [Message("h-6", "Now it is back again", "@eve")]);
        third.Items[0].ConversationId.ShouldNotBe(conversationId);
        third.Items[0].Reference.ShouldNotBe(first.Items[0].Reference);
    }

    [Fact]
    public async Task Of_two_open_conversations_a_post_goes_to_the_one_with_the_latest_message_even_when_that_changes_between_batches()
    {
        // The SQLite writer answers "which conversation" from memory for citizens it wrote to since anybody else
        // committed, but only for a citizen with one open conversation: with two, the answer depends on their latest
        // message times, which a post can move backwards (here the later one is set in the future by hand).
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = _factory.CreateClient();
        var older = (await AcceptAsync(client, org.ApiKey, [Message("tw-1", "Bins not collected on Elm Road", "@twin")])).Items[0].ConversationId;
        await SetStatusAsync(org.Id, older, ConversationStatus.Closed);
        var newer = (await AcceptAsync(client, org.ApiKey, [Message("tw-2", "Streetlight out on Dog Lane", "@twin")])).Items[0].ConversationId;
        newer.ShouldNotBe(older);
        await SetStatusAsync(org.Id, older, ConversationStatus.Open);
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var now = DateTime.UtcNow;
            await db.Conversations.Where(c => c.Id == older).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastMessageAt, now.AddHours(1)));
            await db.Conversations.Where(c => c.Id == newer).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastMessageAt, now.AddHours(2)));
        }

        // Straight after each other, so that nobody else commits in between.
        var first = await AcceptAsync(client, org.ApiKey, [Message("tw-3", "Still dark at night", "@twin")]);
        var second = await AcceptAsync(client, org.ApiKey, [Message("tw-4", "And the bins too", "@twin")]);

        first.Items[0].ConversationId.ShouldBe(newer);
        second.Items[0].ConversationId.ShouldBe(older, "the first post moved the newer conversation's latest message time back to now");
    }

    [Fact]
    public async Task Labels_follow_the_latest_post_over_batches_straight_after_each_other()
    {
        // Consecutive batches of one citizen: the writer leaves an unchanged label out of its UPDATE, judged against
        // what it remembers of the conversation, which must be what it last wrote. Labels are checked after every
        // batch through a second app connection (reading does not count as someone else committing).
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = _factory.CreateClient();
        string[] texts = ["Bins not collected on Elm Road again, third week running", "Thank you so much for fixing the streetlight, brilliant work",
            "Bins not collected on Elm Road again, third week running!", "Thank you so much for fixing the streetlight, brilliant work!"];
        var categories = new HashSet<string?>();
        for (var i = 0; i < texts.Length; i++)
        {
            var id = (await AcceptAsync(client, org.ApiKey, [Message($"lb-{i}", texts[i], "@labels")])).Items[0].ConversationId;
            await using var scope = _factory.ScopeFor(org.Id);
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var latest = await db.Messages.Where(m => m.ConversationId == id).OrderBy(m => m.Id).LastAsync();
            latest.ExternalId.ShouldBe($"lb-{i}");
            categories.Add(latest.Category);
            var conversation = await db.Conversations.AsNoTracking().SingleAsync(c => c.Id == id);
            (conversation.Kind, conversation.Category, conversation.Sentiment).ShouldBe((latest.Kind, latest.Category, latest.Sentiment), $"after post {i}");
        }

        categories.Count.ShouldBeGreaterThan(1, "the test needs posts whose labels differ");
    }

    [Fact]
    public async Task A_conversation_changed_by_someone_else_between_two_batches_is_read_again()
    {
        // Batches of the same citizens straight after each other, with a person's change in between each time:
        // what the writer remembers from its own last transaction must give way to what the database now says.
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = _factory.CreateClient();
        var id = (await AcceptAsync(client, org.ApiKey, [Message("ch-0", "Bins not collected on Elm Road", "@again")])).Items[0].ConversationId;
        for (var round = 1; round <= 3; round++)
        {
            await AcceptAsync(client, org.ApiKey, [Message($"ch-{round}a", "Still not collected", "@again")]);
            await SetStatusAsync(org.Id, id, ConversationStatus.WaitingOnCitizen);
            var answer = await AcceptAsync(client, org.ApiKey, [Message($"ch-{round}b", "Here is the photo", "@again")]);
            answer.Items[0].ConversationId.ShouldBe(id);
            await using var scope = _factory.ScopeFor(org.Id);
            (await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Conversations.SingleAsync(c => c.Id == id)).Status.ShouldBe(ConversationStatus.Open);
        }

        await SetStatusAsync(org.Id, id, ConversationStatus.Closed);
        (await AcceptAsync(client, org.ApiKey, [Message("ch-4", "It is back", "@again")])).Items[0].ConversationId.ShouldNotBe(id);
    }

    [Fact]
    public async Task The_writer_hands_its_SQLite_connection_back_with_automatic_checkpoints_on()
    {
        // The persist writer turns SQLite's automatic WAL checkpoints off for its own commits (SqliteCheckpointer runs
        // them in the background); its connection goes back to the pool that EF shares, which must find the default.
        var org = await TestOrganisation.CreateAsync(_factory);
        var connections = _factory.Services.GetRequiredService<DbConnectionFactory>();
        await AcceptAsync(_factory.CreateClient(), org.ApiKey, [Message("wal-1", "Bins not collected on Elm Road", "@wal")]);
        if (connections.Provider != DatabaseProvider.Sqlite)
        {
            return; // PostgreSQL has no such setting
        }

        var open = new List<System.Data.Common.DbConnection>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var connection = await connections.OpenAsync(CancellationToken.None);
                open.Add(connection);
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_autocheckpoint;";
                Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(1000);
            }
        }
        finally
        {
            foreach (var connection in open)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_mixed_batch_leaves_each_conversation_as_its_state_and_posts_say()
    {
        // On SQLite the persist stage updates a conversation that stays as it was with a narrower statement (counters
        // and labels only, sparing the status and priority indexes) and uses the full one when a post reopens it or
        // makes it urgent, choosing by the status it read in the same transaction. One batch mixing every case, with
        // repeated authors, must end exactly as the rules say.
        var org = await TestOrganisation.CreateAsync(_factory);
        var client = _factory.CreateClient();
        var setup = await AcceptAsync(client, org.ApiKey,
        [
            Message("mx-1", "Bins not collected on Elm Road", "@open"), Message("mx-2", "Streetlight out on Dog Lane", "@resolved"),
            Message("mx-3", "Graffiti on the bridge", "@waiting"), Message("mx-4", "Pothole on Mill Road", "@urgent"),
            Message("mx-5", "Broken bench in the park", "@closed"),
        ]);
        var (open, resolved, waiting, urgent, closed) = (setup.Items[0].ConversationId, setup.Items[1].ConversationId, setup.Items[2].ConversationId,
            setup.Items[3].ConversationId, setup.Items[4].ConversationId);
        await SetStatusAsync(org.Id, resolved, ConversationStatus.Resolved);
        await SetStatusAsync(org.Id, waiting, ConversationStatus.WaitingOnCitizen);
        await SetStatusAsync(org.Id, closed, ConversationStatus.Closed);
        List<Conversation> before;
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            before = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Conversations.AsNoTracking().ToListAsync();
        }

        var batch = await AcceptAsync(client, org.ApiKey,
        [
            Message("mx-6", "Still not collected", "@open"), Message("mx-7", "Still dark at night", "@resolved"),
            Message("mx-8", "Here is the photo of it", "@waiting"),
            Message("mx-9", "I can smell gas in the street outside 12 Church Road, it is getting stronger", "@urgent"),
            Message("mx-10", "The bench is broken again", "@closed"), Message("mx-11", "Dog fouling by the school gate", "@newcomer"),
            Message("mx-12", "And again today, the whole street", "@open"), Message("mx-13", "Also a second bench", "@closed"),
        ]);

        var to = batch.Items.Select(i => i.ConversationId).ToArray();
        (to[0], to[6], to[1], to[2], to[3]).ShouldBe((open, open, resolved, waiting, urgent));
        to[4].ShouldBe(to[7]);
        to[4].ShouldNotBe(closed);
        new[] { to[4], to[5] }.ShouldAllBe(id => !before.Select(c => c.Id).Contains(id));

        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var messages = await db.Messages.AsNoTracking().ToListAsync();
            messages.Single(m => m.ExternalId == "mx-9").IsUrgent.ShouldBeTrue("the test needs one urgent post");
            messages.Where(m => m.ExternalId != "mx-9").ShouldAllBe(m => !m.IsUrgent, "and the others not urgent");
            var after = await db.Conversations.AsNoTracking().ToDictionaryAsync(c => c.Id);
            foreach (var (id, c) in after)
            {
                var mine = messages.Where(m => m.ConversationId == id).OrderBy(m => m.Id).ToList();
                c.MessageCount.ShouldBe(mine.Count);
                c.LastMessageAt.ShouldBe(mine.Max(m => m.ReceivedAt));
                // Labels follow the latest post that has one (the SQLite statement leaves a label out when it is unchanged).
                c.Kind.ShouldBe(mine.LastOrDefault(m => m.Kind is not null)?.Kind);
                c.Category.ShouldBe(mine.LastOrDefault(m => m.Category is not null)?.Category);
                c.Sentiment.ShouldBe(mine.LastOrDefault(m => m.Sentiment is not null)?.Sentiment);
                c.IsUrgent.ShouldBe(mine.Any(m => m.IsUrgent));
            }

            var was = before.ToDictionary(c => c.Id);
            after[open].Status.ShouldBe(was[open].Status);
            after[open].Priority.ShouldBe(was[open].Priority);
            after[open].MessageCount.ShouldBe(3);
            (after[resolved].Status, after[resolved].ResolvedAt).ShouldBe((ConversationStatus.Open, null));
            after[waiting].Status.ShouldBe(ConversationStatus.Open);
            (after[urgent].Priority, after[urgent].Status).ShouldBe((Priority.Urgent, was[urgent].Status));
            (after[closed].Status, after[closed].MessageCount).ShouldBe((ConversationStatus.Closed, 1));
            after[to[4]].MessageCount.ShouldBe(2);
            after[to[5]].MessageCount.ShouldBe(1);
        }
    }

    [Fact]
    public async Task The_key_decides_the_organisation_and_channel_whatever_the_body_says()
    {
        var mine = await TestOrganisation.CreateAsync(_factory);
        var theirs = await TestOrganisation.CreateAsync(_factory);
        var message = Message("x-1", "Trying to write elsewhere");
        message["organisationId"] = theirs.Id;
        message["channelId"] = theirs.ApiChannelId;

        var answer = await AcceptAsync(_factory.CreateClient(), mine.ApiKey, [message]);

        (await CountMessagesAsync(_factory, theirs.Id)).ShouldBe(0);
        await using var scope = _factory.ScopeFor(mine.Id);
        var stored = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Messages.SingleAsync(m => m.Id == answer.Items[0].MessageId);
        stored.OrganisationId.ShouldBe(mine.Id);
        stored.ChannelId.ShouldBe(mine.ApiChannelId);
    }

    [Fact]
    public async Task The_same_external_id_on_two_organisations_channels_is_two_messages()
    {
        var one = await TestOrganisation.CreateAsync(_factory);
        var two = await TestOrganisation.CreateAsync(_factory);
        var client = _factory.CreateClient();

        (await AcceptAsync(client, one.ApiKey, [Message("shared-1")])).Accepted.ShouldBe(1);
        (await AcceptAsync(client, two.ApiKey, [Message("shared-1")])).Accepted.ShouldBe(1);
    }

    [Fact]
    public async Task An_inactive_channels_key_is_refused()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await using (var scope = _factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            await db.Channels.Where(c => c.Id == org.ApiChannelId).ExecuteUpdateAsync(s => s.SetProperty(c => c.IsActive, false));
        }

        using var response = await PostAsync(_factory.CreateClient(), org.ApiKey, [Message("i-1")]);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).ShouldContain("switched off");
        (await CountMessagesAsync(_factory, org.Id)).ShouldBe(0);
    }

    [Fact]
    public async Task A_batch_of_a_thousand_is_accepted()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var batch = Enumerable.Range(0, 1_000).Select(i => (object)Message($"big-{i}", $"Report {i}: overflowing bin on High Street", $"@resident{i % 300}")).ToArray();

        var answer = await AcceptAsync(_factory.CreateClient(), org.ApiKey, batch);

        answer.Accepted.ShouldBe(1_000);
        (await CountMessagesAsync(_factory, org.Id)).ShouldBe(1_000);
        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        (await db.Conversations.CountAsync()).ShouldBe(300);
        (await db.Conversations.SumAsync(c => c.MessageCount)).ShouldBe(1_000);
        (await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(org.Id, default)).IsIntact.ShouldBeTrue();
    }

    [Fact]
    public async Task The_inbox_is_told_when_new_messages_arrive_and_not_for_duplicates()
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        var inbox = _factory.Services.GetRequiredService<InboxNotifications>();
        var client = _factory.CreateClient();
        var before = inbox.VersionOf(org.Id);
        var waiting = inbox.WaitForChangeAsync(org.Id, before, CancellationToken.None);

        await AcceptAsync(client, org.ApiKey, [Message("v-1")]);

        (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe(before + 1);
        await AcceptAsync(client, org.ApiKey, [Message("v-1")]);
        inbox.VersionOf(org.Id).ShouldBe(before + 1);
    }

    private async Task SetStatusAsync(long organisationId, long conversationId, ConversationStatus status)
    {
        await using var scope = _factory.ScopeFor(organisationId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        await db.Conversations.Where(c => c.Id == conversationId).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.Status, status)
            .SetProperty(c => c.ResolvedAt, status is ConversationStatus.Resolved or ConversationStatus.Closed ? DateTime.UtcNow : null));
    }
}
