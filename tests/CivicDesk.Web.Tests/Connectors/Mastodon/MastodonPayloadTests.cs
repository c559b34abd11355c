using System.Globalization;
using System.Text.Json;
using CivicDesk.Web.Features.Connectors.Mastodon;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Connectors.Mastodon;

/// <summary>Every genuine Mastodon payload in shared/data/payloads/mastodon, parsed and checked field by field against the JSON itself.</summary>
public sealed class MastodonPayloadTests
{
    private static string Folder => Payloads.Folder("mastodon");

    public static TheoryData<string> EntityFiles() => [.. Directory.GetFiles(Folder, "entity_*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [SharedDataTheory("payloads/mastodon")]
    [MemberData(nameof(EntityFiles))]
    public void Entity_example_parses_with_its_fields(string file)
    {
        var json = File.ReadAllText(Path.Combine(Folder, file));
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        switch (file.Split('_')[1])
        {
            case "Status":
                AssertStatus(MastodonEvents.ReadStatus(json), root);
                break;
            case "Account":
                var account = JsonSerializer.Deserialize(json, MastodonJson.Default.MastodonAccount)!;
                account.Id.ShouldBe(root.GetProperty("id").GetString());
                account.Acct.ShouldBe(root.GetProperty("acct").GetString());
                account.Username.ShouldBe(root.TryGetProperty("username", out var username) ? username.GetString() : null);
                account.DisplayName.ShouldBe(root.TryGetProperty("display_name", out var name) ? name.GetString() : null);
                break;
            case "MediaAttachment":
                var media = JsonSerializer.Deserialize(json, MastodonJson.Default.MastodonMediaAttachment)!;
                media.Id.ShouldBe(root.GetProperty("id").GetString());
                media.Type.ShouldBe(root.GetProperty("type").GetString());
                media.Url.ShouldBe(root.GetProperty("url").GetString());
                media.Description.ShouldBe(root.GetProperty("description").GetString());
                break;
            case "PreviewCard":
                var card = JsonSerializer.Deserialize(json, MastodonJson.Default.MastodonPreviewCard)!;
                card.Url.ShouldBe(root.GetProperty("url").GetString());
                card.Title.ShouldBe(root.GetProperty("title").GetString());
                card.Type.ShouldBe(root.GetProperty("type").GetString());
                break;
            case "Tag":
                var tag = JsonSerializer.Deserialize(json, MastodonJson.Default.MastodonTag)!;
                tag.Name.ShouldBe(root.GetProperty("name").GetString());
                tag.Url.ShouldBe(root.GetProperty("url").GetString());
                break;
            default:
                throw new InvalidOperationException("An entity file this test does not know: " + file);
        }
    }

    [SharedDataFact("payloads/mastodon")]
    public void Status_example_becomes_a_post_with_plain_text_and_the_full_link()
    {
        var status = MastodonEvents.ReadStatus(Payloads.Read("mastodon", "entity_Status_example.json"));

        var post = MastodonEvents.ToInboundPost(status, "{}");

        post.ExternalId.ShouldBe("103270115826048975");
        post.AuthorHandle.ShouldBe("@Gargron");
        post.AuthorName.ShouldBe("Eugen");
        post.Language.ShouldBe("en");
        post.CreatedAt.ShouldBe(new DateTime(2019, 12, 8, 3, 48, 33, 901, DateTimeKind.Utc));
        post.CreatedAt!.Value.Kind.ShouldBe(DateTimeKind.Utc);
        post.InReplyTo.ShouldBeNull();
        post.Text.ShouldBe("\"I lost my inheritance with one wrong digit on my sort code\"\n\n"
            + "https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code");
        status.Card!.Title.ShouldStartWith("‘I lost my £193,000 inheritance");
    }

    [SharedDataFact("payloads/mastodon")]
    public void Sse_examples_are_a_valid_stream_and_every_event_parses()
    {
        var events = ReadSse();

        events.Count.ShouldBe(18);
        events.GroupBy(e => e.Event).ToDictionary(g => g.Key, g => g.Count()).ShouldBe(new Dictionary<string, int>
        {
            ["update"] = 4, ["notification"] = 1, ["filters_changed"] = 1, ["announcement"] = 1, ["announcement.reaction"] = 1,
            ["announcement.delete"] = 1, ["status.update"] = 5, ["delete"] = 3, ["conversation"] = 1,
        }, ignoreOrder: true);

        foreach (var sse in events)
        {
            var parsed = MastodonEvents.Parse(sse.Event, sse.Data);
            switch (sse.Event)
            {
                case "update":
                    var post = parsed.ShouldBeOfType<MastodonPostEvent>();
                    AssertStatus(post.Status, JsonDocument.Parse(sse.Data).RootElement);
                    post.RawJson.ShouldBe(sse.Data);
                    post.NotificationId.ShouldBeNull();
                    break;
                case "status.update":
                    var edit = parsed.ShouldBeOfType<MastodonEditEvent>();
                    AssertStatus(edit.Status, JsonDocument.Parse(sse.Data).RootElement);
                    break;
                case "notification":
                    var mention = parsed.ShouldBeOfType<MastodonPostEvent>();
                    var root = JsonDocument.Parse(sse.Data).RootElement;
                    mention.NotificationId.ShouldBe(root.GetProperty("id").GetString());
                    AssertStatus(mention.Status, root.GetProperty("status"));
                    JsonDocument.Parse(mention.RawJson).RootElement.GetProperty("id").GetString().ShouldBe("108914343542683797");
                    break;
                case "delete":
                    parsed.ShouldBeOfType<MastodonDeleteEvent>().StatusId.ShouldBe(sse.Data);
                    break;
                default:
                    parsed.ShouldBeOfType<MastodonIgnoredEvent>().Event.ShouldBe(sse.Event);
                    break;
            }
        }
    }

    [SharedDataFact("payloads/mastodon")]
    public void Conversation_event_carries_a_readable_last_status()
    {
        var sse = ReadSse().Single(e => e.Event == "conversation");
        var conversation = JsonSerializer.Deserialize(sse.Data, MastodonJson.Default.MastodonConversation)!;
        var root = JsonDocument.Parse(sse.Data).RootElement;

        conversation.Id.ShouldBe(root.GetProperty("id").GetString());
        conversation.Accounts!.Select(a => a.Acct).ShouldBe(root.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("acct").GetString()));
        AssertStatus(conversation.LastStatus!, root.GetProperty("last_status"));
    }

    [SharedDataFact("payloads/mastodon")]
    public void Sse_examples_text_hashtags_mentions_and_edits_read_as_people_see_them()
    {
        var events = ReadSse();
        var first = MastodonEvents.ToInboundPost(((MastodonPostEvent)MastodonEvents.Parse("update", events[0].Data)).Status, null);
        first.Text.ShouldBe("@disarray glad i was able to help");
        first.AuthorHandle.ShouldBe("@freon@letsalllovela.in");
        first.InReplyTo.ShouldBe("108914298452377720");
        first.Language.ShouldBeNull();

        var edits = events.Where(e => e.Event == "status.update").Select(e => ((MastodonEditEvent)MastodonEvents.Parse(e.Event, e.Data)).Status).ToList();
        edits.Select(MastodonEvents.PostText).ShouldContain("#test but edited");
        edits.Select(MastodonEvents.PostText).ShouldContain("By default, in Feedly it just shows a thumbnail of the images in a post, though. "
            + "And NetNewsWire doesn't show any image, boo! Gotta find an RSS reader that'll show a full sized image automatically without requiring a clickthrough... "
            + "any suggestions would be very welcome, thanks!");
        var music = edits.Single(s => s.Id == "109348684737626801");
        music.Tags!.Select(t => t.Name).ShouldBe(["MUSICTUESDAY", "piano", "neoclassical", "jazz"]);
        MastodonEvents.PostText(music).ShouldStartWith("#musicTuesday");
    }

    [SharedDataFact("payloads/mastodon")]
    public void WebSocket_examples_parse_with_the_payload_string_decoded()
    {
        var lines = File.ReadAllLines(Path.Combine(Folder, "streaming_websocket_examples.jsonl")).Where(l => l.Length > 0).ToList();
        lines.Count.ShouldBe(3);

        var update = MastodonEvents.ParseWebSocket(lines[0]).ShouldBeOfType<MastodonPostEvent>();
        var payload = JsonDocument.Parse(JsonDocument.Parse(lines[0]).RootElement.GetProperty("payload").GetString()!).RootElement;
        AssertStatus(update.Status, payload);
        update.Status.Id.ShouldBe("108913983692647032");

        MastodonEvents.ParseWebSocket(lines[1]).ShouldBeOfType<MastodonDeleteEvent>().StatusId.ShouldBe("106692867363994015");
        MastodonEvents.ParseWebSocket(lines[2]).ShouldBeOfType<MastodonIgnoredEvent>().Event.ShouldBe("filters_changed");
    }

    [Theory]
    [InlineData("update", "{\"id\":\"1\",\"created_at\":\"2022-08-30T23:05:46.839Z\",\"content\":\"<p>cut")]
    [InlineData("update", "{\"id\":\"1\",\"created_at\":\"2022-08-30T23:05:46.839Z\",\"content\":\"no account\"}")]
    [InlineData("update", "{\"created_at\":\"2022-08-30T23:05:46.839Z\",\"account\":{\"id\":\"1\",\"username\":\"a\",\"acct\":\"a\"}}")]
    [InlineData("update", "[]")]
    [InlineData("notification", "{\"id\":\"5\",\"type\":\"mention\",\"created_at\":\"2022-08-30T23:05:46.839Z\"}")]
    [InlineData("delete", "")]
    [InlineData("delete", "{\"id\":1}")]
    public void Malformed_payloads_raise_a_payload_error_without_their_text(string eventName, string data)
    {
        var error = Should.Throw<MastodonPayloadException>(() => MastodonEvents.Parse(eventName, data));
        error.Message.ShouldNotContain("cut");
        error.Message.ShouldNotContain("no account");
    }

    public static List<ServerSentEvent> ReadSse()
    {
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Folder, "streaming_sse_examples.txt")) + "\n\n");
        var sse = new ServerSentEventReader(reader);
        var list = new List<ServerSentEvent>();
        var enumerator = sse.ReadAllAsync(CancellationToken.None).GetAsyncEnumerator();
        while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
        {
            list.Add(enumerator.Current);
        }

        return list;
    }

    private static void AssertStatus(MastodonStatus status, JsonElement json)
    {
        status.Id.ShouldBe(json.GetProperty("id").GetString());
        status.CreatedAt.ShouldBe(DateTime.Parse(json.GetProperty("created_at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
        status.Visibility.ShouldBe(json.GetProperty("visibility").GetString());
        status.Language.ShouldBe(json.GetProperty("language").GetString());
        status.InReplyToId.ShouldBe(json.GetProperty("in_reply_to_id").GetString());
        status.Url.ShouldBe(json.GetProperty("url").GetString());
        status.Content.ShouldBe(json.GetProperty("content").GetString());
        status.Account.Acct.ShouldBe(json.GetProperty("account").GetProperty("acct").GetString());
        status.Account.DisplayName.ShouldBe(json.GetProperty("account").GetProperty("display_name").GetString());
        if (json.TryGetProperty("edited_at", out var edited) && edited.ValueKind == JsonValueKind.String)
        {
            status.EditedAt.ShouldBe(DateTime.Parse(edited.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
        }
        else
        {
            status.EditedAt.ShouldBeNull();
        }

        status.Mentions!.Select(m => m.Acct).ShouldBe(json.GetProperty("mentions").EnumerateArray().Select(m => m.GetProperty("acct").GetString()));
        status.Tags!.Select(t => t.Name).ShouldBe(json.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        status.MediaAttachments!.Select(m => m.Description).ShouldBe(json.GetProperty("media_attachments").EnumerateArray()
            .Select(m => m.TryGetProperty("description", out var d) ? d.GetString() : null));
    }
}
