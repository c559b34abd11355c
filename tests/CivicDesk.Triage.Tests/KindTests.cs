namespace CivicDesk.Triage.Tests;

public sealed class KindTests
{
    [Theory]
    [InlineData("When will the bins be collected this week?", "question")]
    [InlineData("Does anyone know if the tip is open on Sunday", "question")]
    [InlineData("Thank you to the crew who cleared the fallen tree so quickly, well done!", "compliment")]
    [InlineData("Brilliant work by the team at the park", "compliment")]
    [InlineData("Is it true the library is closing?", "rumour")]
    [InlineData("Apparently the council are selling the playing field", "rumour")]
    [InlineData("I heard the bridge is shut for a year", "rumour")]
    [InlineData("Please fix the pothole on Dog Lane", "service_request")]
    [InlineData("Can you send someone to collect the dumped sofa", "service_request")]
    [InlineData("I'd like to report a broken street light", "service_request")]
    [InlineData("Bins still not collected, nobody has come for three weeks. Disgrace.", "complaint")]
    [InlineData("The council is useless, this pothole has been there for months", "complaint")]
    public void Kind_CueWords_GiveTheirKind(string text, string expected)
    {
        var kind = Triage.Of(text).Kind;

        kind.Value.ShouldBe(expected);
        kind.Evidence.ShouldNotBeEmpty();
    }

    [Fact]
    public void Kind_QuestionMark_IsEvidence() =>
        Triage.Of("Is the recycling centre open today?").Kind.Features().ShouldContain("?");

    [Fact]
    public void Kind_RhetoricalQuestionFullOfComplaint_IsComplaint() =>
        Triage.Of("Why has nobody fixed this? Still waiting after 3 months, absolutely disgraceful").Kind.Value.ShouldBe("complaint");

    [Fact]
    public void Kind_ThankYouAfterARequest_IsPolitenessNotPraise() =>
        Triage.Of("Please remove the fly-tipped sofa from the verge. Thank you").Kind.Value.ShouldBe("service_request");

    [Fact]
    public void Kind_BareProblemReport_IsAWeakServiceRequest()
    {
        var kind = Triage.Of("Pothole on Dog Lane").Kind;

        kind.Value.ShouldBe("service_request");
        kind.Confidence.ShouldBeLessThan(0.5);
    }

    [Fact]
    public void Kind_NegativeWordsAboutAService_AreAComplaint() =>
        Triage.Of("Terrible state of the road surface, absolutely shocking").Kind.Value.ShouldBe("complaint");

    [Fact]
    public void Kind_NothingMatches_IsOtherWithFallbackConfidence()
    {
        var kind = Triage.Of("Saw a heron by the river").Kind;

        kind.Value.ShouldBe("other");
        kind.Confidence.ShouldBe(KeywordTriageEngine.FallbackConfidence);
        kind.Evidence.ShouldBeEmpty();
    }
}
