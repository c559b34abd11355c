namespace CivicDesk.Triage.Tests;

public sealed class SentimentTests
{
    [Theory]
    [InlineData("The new crossing is brilliant, really helpful", "positive")]
    [InlineData("Terrible, the pavement is a disgrace", "negative")]
    [InlineData("The bin lorry comes on Tuesdays", "neutral")]
    public void Sentiment_LexiconWords_GiveTheirPolarity(string text, string expected) =>
        Triage.Of(text).Sentiment.Value.ShouldBe(expected);

    [Fact]
    public void Sentiment_NotGood_IsNegativeWithTheNegatedPhraseAsEvidence()
    {
        var sentiment = Triage.Of("The repair is not good").Sentiment;

        sentiment.Value.ShouldBe("negative");
        sentiment.Features().ShouldContain("not good");
    }

    [Fact]
    public void Sentiment_NeverBeenFixed_IsNegative() =>
        Triage.Of("It has never been fixed").Sentiment.Value.ShouldBe("negative");

    [Fact]
    public void Sentiment_NotBad_IsPositive() =>
        Triage.Of("Service was not bad at all").Sentiment.Value.ShouldBe("positive");

    [Fact]
    public void Sentiment_NegationStopsAtTheEndOfASentence() =>
        Triage.Of("Not me. Great work from the team").Sentiment.Value.ShouldBe("positive");

    [Fact]
    public void Sentiment_NegatedWord_IsWeakerThanItsOpposite()
    {
        var notGood = Triage.Of("not good").Sentiment;
        var bad = Triage.Of("bad").Sentiment;

        notGood.Evidence.Single().Weight.ShouldBeLessThan(bad.Evidence.Single().Weight);
    }

    [Fact]
    public void Sentiment_NoCues_IsNeutralWithFallbackConfidence()
    {
        var sentiment = Triage.Of("The bin lorry comes on Tuesdays").Sentiment;

        sentiment.Confidence.ShouldBe(KeywordTriageEngine.FallbackConfidence);
        sentiment.Evidence.ShouldBeEmpty();
    }

    [Fact]
    public void Sentiment_PoliteThanksOnAComplaint_StaysNegative() =>
        Triage.Of("The road is a disgrace and dangerous. Thanks").Sentiment.Value.ShouldBe("negative");
}
