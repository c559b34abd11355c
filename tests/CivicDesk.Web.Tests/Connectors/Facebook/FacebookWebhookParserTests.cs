using CivicDesk.Web.Features.Connectors.Facebook;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Connectors.Facebook;

/// <summary>Every genuine webhook body from restfb (shared/data/payloads/facebook) through the parser.</summary>
public sealed class FacebookWebhookParserTests
{
    public static string PayloadDirectory() => SharedData.Folder("payloads/facebook/restfb-webhooks");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(PayloadDirectory(), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }

        return data;
    }

    [SharedDataFact("payloads/facebook/restfb-webhooks")]
    public void The_corpus_is_all_there() => Files().Count.ShouldBe(140);

    [SharedDataTheory("payloads/facebook/restfb-webhooks")]
    [MemberData(nameof(Files))]
    public void Every_payload_parses_and_every_field_comes_from_the_payload(string file)
    {
        var body = File.ReadAllText(Path.Combine(PayloadDirectory(), file));

        var hook = FacebookWebhookParser.Parse(body);

        hook.Malformed.ShouldBeEmpty();
        var values = Values(System.Text.Json.JsonDocument.Parse(body).RootElement).ToHashSet(StringComparer.Ordinal);
        foreach (var e in hook.Events)
        {
            values.ShouldContain(e.Item == "message" ? e.ExternalId.Split(':', 3)[2] : e.ExternalId);
            values.ShouldContain(e.PageId);
            if (e.Text is { Length: > 0 } text && !text.EndsWith("sent in Messenger]", StringComparison.Ordinal))
            {
                values.ShouldContain(text);
            }

            if (e.AuthorName is { } name)
            {
                values.ShouldContain(name);
            }

            e.At.Year.ShouldBeInRange(2015, 2030);
        }

        (hook.Events.Count + hook.Ignored).ShouldBeGreaterThan(0);
    }

    private static IEnumerable<string> Values(System.Text.Json.JsonElement e) => e.ValueKind switch
    {
        System.Text.Json.JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Values(p.Value)),
        System.Text.Json.JsonValueKind.Array => e.EnumerateArray().SelectMany(Values),
        System.Text.Json.JsonValueKind.String => [e.GetString()!],
        System.Text.Json.JsonValueKind.Number => [e.GetRawText()],
        _ => [],
    };

    [SharedDataFact("payloads/facebook/restfb-webhooks")]
    public void A_visitor_post_is_read_with_author_text_and_time()
    {
        var e = FacebookWebhookParser.Parse(File.ReadAllText(Path.Combine(PayloadDirectory(), "feed-post-add-25.json"))).Events.ShouldHaveSingleItem();
        (e.Verb, e.Item, e.ExternalId, e.Text, e.AuthorId, e.AuthorName, e.PageId).ShouldBe(
            (FacebookVerb.Add, "post", "1234567890321_7293787835232", "Let's check this", "8423678347823", "John Doe", "1234567890321"));
        e.At.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1454707020).UtcDateTime);   // no created_time: the entry's time
    }

    [SharedDataFact("payloads/facebook/restfb-webhooks")]
    public void Messenger_messages_edits_and_deletions_are_read_and_echoes_reads_and_deliveries_are_not()
    {
        string Read(string f) => File.ReadAllText(Path.Combine(PayloadDirectory(), f));
        var message = FacebookWebhookParser.Parse(Read("messaging-message-basic.json")).Events.ShouldHaveSingleItem();
        (message.Verb, message.ExternalId, message.Text, message.AuthorId).ShouldBe(
            (FacebookVerb.Add, "m:987654321432:mid.1457764197618:41d102a3e1ae206a38", "hello, world!", "987654321432"));
        message.At.ShouldBe(DateTimeOffset.FromUnixTimeMilliseconds(1457764197627).UtcDateTime);
        FacebookWebhookParser.MessengerRecipient(message.ExternalId).ShouldBe("987654321432");
        FacebookWebhookParser.MessengerRecipient("1234567890321_901097836652708").ShouldBeNull();

        var edit = FacebookWebhookParser.Parse(Read("messaging-message-edits.json")).Events.ShouldHaveSingleItem();
        (edit.Verb, edit.ExternalId, edit.Text).ShouldBe((FacebookVerb.Edit, "m:987654321432:mid.1457764197618:41d102a3e1ae206a38", "hello, world!"));
        FacebookWebhookParser.Parse(Read("messaging-message-isdeleted.json")).Events.ShouldHaveSingleItem().Verb.ShouldBe(FacebookVerb.Remove);

        foreach (var ignored in new[] { "messaging-message-basic-echo.json", "messaging-read-basic.json", "messaging-delivery-basic.json", "messaging-reaction-1.json", "feed-like-add-25.json", "feed-reaction-add.json", "feed-comment-hide.json" })
        {
            var hook = FacebookWebhookParser.Parse(Read(ignored));
            hook.Events.ShouldBeEmpty(ignored);
            hook.Ignored.ShouldBeGreaterThan(0, ignored);
        }
    }

    [SharedDataFact("payloads/facebook/restfb-webhooks")]
    public void Comment_edit_and_remove_carry_the_comment_id_and_the_pages_own_comments_are_skipped()
    {
        string Read(string f) => File.ReadAllText(Path.Combine(PayloadDirectory(), f));
        var removed = FacebookWebhookParser.Parse(Read("feed-comment-remove-25.json")).Events.ShouldHaveSingleItem();
        (removed.Verb, removed.ExternalId).ShouldBe((FacebookVerb.Remove, "905578656204626_905579239537901"));
        // In this sample the sender is the Page itself: an echo of our own reply.
        FacebookWebhookParser.Parse(Read("feed-comment-add-25.json")).Events.ShouldBeEmpty();
        var mention = FacebookWebhookParser.Parse(Read("mention-post-add-real.json")).Events.ShouldHaveSingleItem();
        (mention.ExternalId, mention.Text).ShouldBe(("1234567890321_98722536423179", "A test post message"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"object\":\"page\"}")]
    [InlineData("[1,2]")]
    public void A_body_that_is_not_a_webhook_is_refused(string body) =>
        Should.Throw<FacebookPayloadException>(() => FacebookWebhookParser.Parse(body));

    [Fact]
    public void A_broken_item_is_reported_and_the_others_in_the_body_still_count()
    {
        const string body = """
            {"object":"page","entry":[
              {"id":"1","time":1600000000,"messaging":[{"sender":{"id":"9"},"recipient":{"id":"1"},"timestamp":1600000000000,"message":{"text":"no mid"}}]},
              {"id":"1","time":1600000000,"messaging":[{"sender":{"id":"9"},"recipient":{"id":"1"},"timestamp":1600000000000,"message":{"mid":"m-ok","text":"fine"}}]},
              {"time":1600000000}
            ]}
            """;
        var hook = FacebookWebhookParser.Parse(body);
        hook.Events.ShouldHaveSingleItem().Text.ShouldBe("fine");
        hook.Malformed.Count.ShouldBe(2);
        hook.Malformed.ShouldAllBe(m => !m.Problem.Contains("no mid", StringComparison.Ordinal));
    }
}
