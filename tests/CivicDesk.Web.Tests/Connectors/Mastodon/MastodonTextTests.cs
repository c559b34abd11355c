using CivicDesk.Web.Features.Connectors.Mastodon;
using CivicDesk.Web.Features.Outbound;

namespace CivicDesk.Web.Tests.Connectors.Mastodon;

public sealed class MastodonTextTests
{
    [Theory]
    [InlineData("<p>one</p><p>two</p>", "one\n\ntwo")]
    [InlineData("<p>line<br>break<br />again</p>", "line\nbreak\nagain")]
    [InlineData("<p>Tom &amp; Jerry &lt;3 &#39;quoted&#39; &quot;x&quot;</p>", "Tom & Jerry <3 'quoted' \"x\"")]
    [InlineData("<span class=\"h-card\"><a class=\"u-url mention\" href=\"https://x.test/@bin\">@<span>bin</span></a></span> full", "@bin full")]
    [InlineData("<p><a href=\"https://x.test/a/b\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">x.test/a</span><span class=\"invisible\">/b</span></a></p>", "https://x.test/a/b")]
    [InlineData("plain text, no tags", "plain text, no tags")]
    [InlineData("a < b and no end", "a < b and no end")]
    [InlineData("", "")]
    public void Html_becomes_plain_text_with_line_breaks(string html, string text) => MastodonHtml.ToText(html).ShouldBe(text);

    [Fact]
    public void Length_counts_urls_as_23_and_mentions_by_local_part()
    {
        MastodonText.Length("hello").ShouldBe(5);
        MastodonText.Length("see https://www.example.gov.uk/a/very/long/path/that/goes/on/and/on").ShouldBe(4 + 23);
        MastodonText.Length("@alice@social.example.org hi").ShouldBe("@alice hi".Length);
        MastodonText.Length("👍🏽 ok").ShouldBe(4);
    }

    [Theory]
    [InlineData("public", "public", "public")]
    [InlineData("unlisted", "public", "unlisted")]
    [InlineData("private", "public", "private")]
    [InlineData("direct", "public", "direct")]
    [InlineData("public", "unlisted", "unlisted")]
    [InlineData("private", "unlisted", "private")]
    [InlineData("direct", "private", "direct")]
    [InlineData("local_only_from_a_fork", "public", "direct")]
    public void Reply_visibility_is_the_citizens_or_stricter(string citizen, string leastPrivate, string expected) =>
        MastodonReplies.Visibility(citizen, leastPrivate).ShouldBe(expected);

    [Fact]
    public void Reply_is_addressed_to_the_citizen_once()
    {
        MastodonReplies.Address("Thanks, we've logged it.", "freon@letsalllovela.in").ShouldBe("@freon@letsalllovela.in Thanks, we've logged it.");
        MastodonReplies.Address("@freon@letsalllovela.in Thanks", "freon@letsalllovela.in").ShouldBe("@freon@letsalllovela.in Thanks");
    }

    [Fact]
    public void Idempotency_key_is_stable_per_outbound_reply()
    {
        var reply = new OutboundReply(42, 3, 7, Web.Domain.ChannelKind.Mastodon, "council", "text", "1", "CD-1");
        MastodonReplies.IdempotencyKey(reply).ShouldBe(MastodonReplies.IdempotencyKey(reply with { Text = "changed" }));
        MastodonReplies.IdempotencyKey(reply).ShouldNotBe(MastodonReplies.IdempotencyKey(reply with { OutboundId = 43 }));
    }
}

public sealed class ServerSentEventReaderTests
{
    [Fact]
    public async Task Reads_events_comments_multiline_data_and_ids_with_any_line_ending()
    {
        const string stream = ":thump\r\nevent: update\r\nid: 1\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n:thump\revent: delete\rdata: 99\r\rdata:no space\n\n";
        var reader = new ServerSentEventReader(new StringReader(stream));

        var events = await Collect(reader);

        events.ShouldBe([
            new ServerSentEvent("update", "{\"a\":\n1}", "1"),
            new ServerSentEvent("delete", "99", "1"),
            new ServerSentEvent("message", "no space", "1"),
        ]);
        reader.LastEventId.ShouldBe("1");
    }

    [Fact]
    public async Task An_event_cut_off_by_the_end_of_the_stream_is_dropped_and_its_id_not_adopted()
    {
        var reader = new ServerSentEventReader(new StringReader("id: 7\nevent: update\ndata: {}\n\nid: 8\nevent: update\ndata: {\"id\":"));

        var events = await Collect(reader);

        events.Select(e => e.Id).ShouldBe(["7"]);
        reader.LastEventId.ShouldBe("7");
    }

    private static async Task<List<ServerSentEvent>> Collect(ServerSentEventReader reader)
    {
        var events = new List<ServerSentEvent>();
        await foreach (var e in reader.ReadAllAsync(CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }
}
