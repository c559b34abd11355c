using CivicDesk.Web.Features.Inbox;

namespace CivicDesk.Web.Tests.Inbox;

public sealed class MentionsTests
{
    private static readonly MentionCandidate[] Staff =
    [
        new("jo", "jo@council.test", "Jo"),
        new("jo-bloggs", "jo.bloggs@council.test", "Jo Bloggs"),
        new("sam", "sam.smith@council.test", "Sam Smith"),
    ];

    [Theory]
    [InlineData("Can @sam.smith look at this?", new[] { "sam" })]
    [InlineData("Over to @Sam Smith, thanks", new[] { "sam" })]
    [InlineData("@jo.bloggs and @jo please", new[] { "jo-bloggs", "jo" })]
    [InlineData("@Jo Bloggs: urgent", new[] { "jo-bloggs" })]
    [InlineData("Ask @jo.", new[] { "jo" })]
    [InlineData("email jo@council.test instead", new string[0])]
    [InlineData("@joanna is not Jo", new string[0])]
    [InlineData("@sam.smith @sam.smith twice", new[] { "sam" })]
    public void Finds_mentions_by_email_local_part_or_display_name(string text, string[] expected) =>
        Mentions.Find(text, Staff).ShouldBe(expected);
}
