using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Tests.Platform;

public sealed class HashtagsTests
{
    [Theory]
    [InlineData("Bins not collected #Bins again #bins", "bins")]
    [InlineData("#Flooding on Mill Lane, #roads.", "flooding|roads")]
    [InlineData("Gritters out #Snow2026!", "snow2026")]
    [InlineData("#ÉcoleFermée today", "écolefermée")]
    [InlineData("under_score #road_works", "road_works")]
    [InlineData("full-width ＃Bins", "bins")]
    [InlineData("no tags here", "")]
    [InlineData("#123 and #2026 are numbers", "")]
    [InlineData("a#b and page.html#top and https://x.test/#frag and &#39;quote", "")]
    [InlineData("#tag#more and #tag@x", "")]
    [InlineData("", "")]
    public void Reads_tags_as_the_networks_do(string text, string expected) =>
        string.Join('|', Hashtags.Extract(text)).ShouldBe(expected);

    [Fact]
    public void A_post_stuffed_with_tags_counts_at_most_ten_and_no_overlong_tag()
    {
        var text = string.Join(' ', Enumerable.Range(0, 50).Select(i => $"#tag{i}x")) + " #" + new string('a', 65);
        var tags = Hashtags.Extract(text);
        tags.Count.ShouldBe(Hashtags.MaxPerPost);
        tags.ShouldAllBe(t => t.Length <= Hashtags.MaxLength);
        Hashtags.Extract("#" + new string('a', 65)).ShouldBeEmpty();
        Hashtags.Extract("#" + new string('a', 64)).ShouldHaveSingleItem();
    }
}
