using System.Text;
using CivicDesk.Web.Features.Connectors.Bluesky;

namespace CivicDesk.Web.Tests.Connectors.Bluesky;

public sealed class BlueskyRichTextTests
{
    [Fact]
    public void Graphemes_not_utf16_units_are_counted()
    {
        var family = "👨‍👩‍👧‍👦"; // one grapheme, 11 UTF-16 units
        BlueskyRichText.GraphemeCount(family).ShouldBe(1);
        BlueskyRichText.LengthProblem(string.Concat(Enumerable.Repeat(family, 300))).ShouldBeNull();
        BlueskyRichText.LengthProblem(new string('a', 300)).ShouldBeNull();
    }

    [Fact]
    public void Over_300_graphemes_gives_a_sentence_staff_can_act_on()
    {
        var problem = BlueskyRichText.LengthProblem(new string('é', 301));
        problem.ShouldNotBeNull();
        problem.ShouldContain("300");
        problem.ShouldContain("301");
        problem.ShouldContain("by 1");
    }

    [Fact]
    public void Facets_index_utf8_bytes_of_mentions_and_links()
    {
        var text = "Merci @alice.test — voir https://example.org/a?b=1. Et @not_a_handle!";
        var facets = BlueskyRichText.Detect(text);
        facets.Count.ShouldBe(2);
        var bytes = Encoding.UTF8.GetBytes(text);
        var mention = facets.Single(f => f.IsMention);
        Encoding.UTF8.GetString(bytes[mention.ByteStart..mention.ByteEnd]).ShouldBe("@alice.test");
        mention.Value.ShouldBe("alice.test");
        var link = facets.Single(f => !f.IsMention);
        Encoding.UTF8.GetString(bytes[link.ByteStart..link.ByteEnd]).ShouldBe("https://example.org/a?b=1");
        link.ByteStart.ShouldBeGreaterThan(text.IndexOf("https", StringComparison.Ordinal)); // the dash is 3 bytes
    }

    [Fact]
    public void Mention_filter_needs_the_whole_handle()
    {
        var filter = new BlueskyFilter(["council.test"], ["did:plc:council"], []);
        filter.Matches("did:plc:a", new PostRecord { Text = "hi @council.test, bins?" }).ShouldBeTrue();
        filter.Matches("did:plc:a", new PostRecord { Text = "hi @COUNCIL.test" }).ShouldBeTrue();
        filter.Matches("did:plc:a", new PostRecord { Text = "hi @council.testing.example" }).ShouldBeFalse();
        filter.Matches("did:plc:a", new PostRecord { Text = "council.test without at" }).ShouldBeFalse();
        filter.Matches("did:plc:a", new PostRecord
        {
            Text = "hi @renamed.example",
            Facets = [new Facet { Features = [new FacetFeature { Type = "app.bsky.richtext.facet#mention", Did = "did:plc:council" }] }],
        }).ShouldBeTrue();
    }
}
