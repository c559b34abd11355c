using System.Text;
using System.Text.Json;
using CivicDesk.Web.Features.Connectors.Bluesky;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Connectors.Bluesky;

public sealed class JetstreamParserTests
{
    private static string[] Lines(string file) => File.ReadAllLines(BlueskyPayloads.PathOf(file)).Where(l => l.Length > 0).ToArray();

    [SharedDataTheory("payloads/bluesky")]
    [InlineData("jetstream_golden_v1.jsonl", 10)]
    [InlineData("jetstream_expected_v1.jsonl", 152)]
    public void Every_event_parses_and_its_envelope_matches_the_payload(string file, int count)
    {
        var lines = Lines(file);
        lines.Length.ShouldBe(count);
        foreach (var line in lines)
        {
            JetstreamParser.TryParse(Encoding.UTF8.GetBytes(line), null, out var evt, out var problem).ShouldBeTrue(problem);
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            evt!.Did.ShouldBe(root.GetProperty("did").GetString());
            evt.TimeUs.ShouldBe(root.GetProperty("time_us").GetInt64());
            evt.Kind.ToString().ToLowerInvariant().ShouldBe(root.GetProperty("kind").GetString());
            if (root.TryGetProperty("commit", out var commit))
            {
                evt.Collection.ShouldBe(commit.GetProperty("collection").GetString());
                evt.RecordKey.ShouldBe(commit.GetProperty("rkey").GetString());
                evt.Operation.ToString().ToLowerInvariant().ShouldBe(commit.GetProperty("operation").GetString());
                evt.Cid.ShouldBe(commit.TryGetProperty("cid", out var cid) ? cid.GetString() : null);
                var isPostWithRecord = evt.IsPost && evt.Operation != CommitOperation.Delete;
                (evt.Post is not null).ShouldBe(isPostWithRecord);
                if (isPostWithRecord)
                {
                    var record = commit.GetProperty("record");
                    evt.Post!.Text.ShouldBe(record.GetProperty("text").GetString());
                    evt.Post.CreatedAt.ShouldBe(record.GetProperty("createdAt").GetString());
                    evt.Post.Reply?.Parent?.Uri.ShouldBe(record.TryGetProperty("reply", out var reply) ? reply.GetProperty("parent").GetProperty("uri").GetString() : null);
                    (evt.Post.Langs?.Count ?? 0).ShouldBe(record.TryGetProperty("langs", out var langs) ? langs.GetArrayLength() : 0);
                    (evt.Post.Facets?.Count ?? 0).ShouldBe(record.TryGetProperty("facets", out var facets) ? facets.GetArrayLength() : 0);
                    evt.Post.Embed?.Type.ShouldBe(record.TryGetProperty("embed", out var embed) ? embed.GetProperty("$type").GetString() : null);
                }
            }
        }
    }

    /// <summary>Fuzzer reproducer (bench: fuzz --target bluesky): a time_us too large for 64 bits was a FormatException.</summary>
    [Theory]
    [InlineData("1779719001e9999157119")]
    [InlineData("99999999999999999999")]
    [InlineData("1.5")]
    public void TryParse_TimeUsThatIsNotA64BitInteger_IsRefusedWithAReason(string timeUs)
    {
        var json = "{\"did\":\"did:plc:q235v55g5unth4zjjdpacfdr\",\"time_us\":" + timeUs + ",\"kind\":\"identity\"}";

        JetstreamParser.TryParse(Encoding.UTF8.GetBytes(json), null, out var evt, out var problem).ShouldBeFalse();

        evt.ShouldBeNull();
        problem.ShouldContain("time_us");
    }

    [SharedDataFact("payloads/bluesky")]
    public void Corpus_has_the_kinds_the_manifest_counts()
    {
        var events = Lines("jetstream_expected_v1.jsonl").Select(l => JetstreamParser.TryParse(Encoding.UTF8.GetBytes(l), null, out var e, out _) ? e! : null).ToList();
        events.ShouldAllBe(e => e != null);
        events.Count(e => e!.Kind == JetstreamKind.Commit && e.Operation == CommitOperation.Create).ShouldBe(144);
        events.Count(e => e!.Operation == CommitOperation.Update).ShouldBe(2);
        events.Count(e => e!.Operation == CommitOperation.Delete).ShouldBe(4);
        events.Count(e => e!.Kind == JetstreamKind.Identity).ShouldBe(1);
        events.Count(e => e!.Kind == JetstreamKind.Account).ShouldBe(1);
        events.Count(e => e!.IsPost && e.Operation == CommitOperation.Create).ShouldBe(17);
    }

    [SharedDataFact("payloads/bluesky")]
    public void Golden_reply_post_maps_to_an_inbound_post_with_its_parent()
    {
        var line = Lines("jetstream_golden_v1.jsonl")[1];
        JetstreamParser.TryParse(Encoding.UTF8.GetBytes(line), null, out var e, out _).ShouldBeTrue();
        var post = BlueskyPosts.ToInbound(e!.Did, e.RecordKey!, e.Post!, e.Time);
        post.ExternalId.ShouldBe("at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223");
        post.Text.ShouldBe("Try RSV for a good time !!");
        post.InReplyTo.ShouldBe("at://did:plc:j76trmiofvaxxpvx2vnb2vwf/app.bsky.feed.post/3mmojbrjwbs26");
        post.Language.ShouldBe("en");
        post.AuthorHandle.ShouldBe("did:plc:q235v55g5unth4zjjdpacfdr");
        post.CreatedAt.ShouldBe(new DateTime(2026, 5, 25, 14, 23, 28, 757, DateTimeKind.Utc));
        post.CreatedAt!.Value.Kind.ShouldBe(DateTimeKind.Utc);
    }

    [SharedDataFact("payloads/bluesky")]
    public void Embeds_become_attachments_with_alt_text_and_link_cards()
    {
        var events = Lines("jetstream_expected_v1.jsonl")
            .Select(l => { JetstreamParser.TryParse(Encoding.UTF8.GetBytes(l), null, out var e, out _); return e!; })
            .Where(e => e.Post is not null).ToDictionary(e => e.RecordKey!);

        var external = BlueskyPosts.ToInbound(events["3mptbyoeyc22k"].Did, "3mptbyoeyc22k", events["3mptbyoeyc22k"].Post!, DateTime.UnixEpoch);
        var card = external.Attachments.ShouldHaveSingleItem();
        card.Url.ShouldBe("https://www.youtube.com/watch?v=V5lDo-jw8mA");
        card.FileName.ShouldBe("What does America's 250th anniversary mean to Native Americans?");

        var images = events["3mptbxs3hq22j"];
        var withImages = BlueskyPosts.ToInbound(images.Did, "3mptbxs3hq22j", images.Post!, DateTime.UnixEpoch);
        withImages.Attachments.ShouldNotBeNull();
        withImages.Attachments.Count.ShouldBe(images.Post!.Embed!.Images!.Count);
        withImages.Attachments.ShouldAllBe(a => a.ContentType.StartsWith("image/") && a.Url!.StartsWith("https://cdn.bsky.app/img/feed_fullsize/plain/" + images.Did));
        withImages.Language.ShouldBe("ru");
    }

    [SharedDataFact("payloads/bluesky")]
    public void Post_records_file_matches_the_posts_in_the_stream()
    {
        var records = Lines("app.bsky.feed.post_records_from_jetstream.jsonl")
            .Select(l => JsonSerializer.Deserialize(l, BlueskyJsonContext.Default.PostRecord)!).ToList();
        var streamed = Lines("jetstream_expected_v1.jsonl")
            .Select(l => { JetstreamParser.TryParse(Encoding.UTF8.GetBytes(l), null, out var e, out _); return e!; })
            .Where(e => e.Post is not null).Select(e => e.Post!).ToList();
        records.Count.ShouldBe(17);
        records.Select(r => r.Text).ShouldBe(streamed.Select(p => p.Text));
        records.Select(r => r.CreatedAt).ShouldBe(streamed.Select(p => p.CreatedAt));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"did\":\"did:plc:x\",\"kind\":\"commit\"}")]
    [InlineData("{\"did\":\"did:plc:x\",\"time_us\":\"soon\",\"kind\":\"commit\"}")]
    [InlineData("{\"did\":\"did:plc:x\",\"time_us\":1,\"kind\":\"commit\",\"commit\":{\"operation\":\"create\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"a\"}}")]
    [InlineData("{\"did\":\"did:plc:x\",\"time_us\":1,\"kind\":\"commit\",\"commit\":{\"operation\":\"create\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"a\",\"record\":{\"text\":5}}}")]
    public void Malformed_events_are_reported_not_thrown(string json)
    {
        JetstreamParser.TryParse(Encoding.UTF8.GetBytes(json), null, out var evt, out var problem).ShouldBeFalse();
        evt.ShouldBeNull();
        problem.ShouldNotBeNullOrEmpty();
        problem.ShouldNotContain("did:plc:x");
    }

    [SharedDataFact("payloads/bluesky")]
    public void Every_truncation_of_every_event_is_rejected_or_parsed_never_thrown()
    {
        foreach (var line in Lines("jetstream_golden_v1.jsonl"))
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            for (var cut = 0; cut < bytes.Length; cut++)
            {
                JetstreamParser.TryParse(bytes.AsSpan(0, cut), null, out _, out _).ShouldBeFalse();
            }
        }
    }

    [SharedDataFact("payloads/bluesky")]
    public void Filter_drops_posts_that_neither_mention_nor_match_before_reading_the_record()
    {
        var filter = new BlueskyFilter(["council.test"], [], ["youtube", "#HowToTellAiToShutUp"]);
        var kept = Lines("jetstream_expected_v1.jsonl")
            .Select(l => { JetstreamParser.TryParse(Encoding.UTF8.GetBytes(l), filter, out var e, out _); return e!; })
            .Where(e => e.IsPost && e.Operation == CommitOperation.Create).ToList();
        kept.Count.ShouldBe(17);
        kept.Where(e => e.Post is not null).Select(e => e.RecordKey).OrderBy(k => k, StringComparer.Ordinal)
            .ShouldBe(["3mptbyoeyc22k", "3mptbypfywk2v"]);
        kept.Count(e => e.Dropped).ShouldBe(15);
    }
}
