namespace CivicDesk.Triage.Tests;

public sealed class UrgencyTests
{
    [Fact]
    public void Urgency_GasSmell_IsUrgentWithPhrase()
    {
        var urgency = Triage.Of("There is a strong gas smell outside the flats on Dog Lane").Urgency;

        urgency.IsUrgent.ShouldBeTrue();
        urgency.Reason.ShouldBe("gas leak");
        urgency.MatchedPhrase.ShouldBe("gas smell");
    }

    [Theory]
    [InlineData("I can smell gas near the school", "gas leak", "smell gas")]
    [InlineData("Car on fire in the lay-by!", "fire", "on fire")]
    [InlineData("Exposed wires hanging out of the lamp post", "exposed electric cables", "Exposed wires")]
    [InlineData("A tree has fallen down and is blocking the road", "fallen tree blocking the road", "tree has fallen down and is blocking")]
    [InlineData("Water is flooding into our house from the blocked drain", "flooding into homes", "flooding into our house")]
    [InlineData("A child has been left alone in a locked car", "child at risk", "child has been left alone")]
    [InlineData("My neighbour tripped on the broken slab and was injured", "someone injured", "injured")]
    [InlineData("The garden wall has collapsed onto the pavement", "collapse", "collapsed")]
    [InlineData("A man was threatening people with a knife by the bus station", "threat of violence", "threatening")]
    [InlineData("This pothole is really dangerous", "danger to people", "dangerous")]
    public void Urgency_SafetyWords_AreUrgentWithReasonAndPhrase(string text, string reason, string phrase)
    {
        var urgency = Triage.Of(text).Urgency;

        urgency.IsUrgent.ShouldBeTrue();
        urgency.Reason.ShouldBe(reason);
        urgency.MatchedPhrase.ShouldBe(phrase);
    }

    [Theory]
    [InlineData("My gas bill went up again")]
    [InlineData("Pothole on the road outside the fire station")]
    [InlineData("The fire exit sign by the library is faded")]
    [InlineData("The road floods every time it rains")]
    [InlineData("The tree in the park has fallen in the field")]
    [InlineData("The wire fence by the path is broken")]
    [InlineData("The crossing is not dangerous, just slow")]
    [InlineData("Nobody was injured but the bollard is bent")]
    [InlineData("Can the bins be emptied please")]
    [InlineData("")]
    public void Urgency_HarmlessMentions_AreNotUrgent(string text)
    {
        var urgency = Triage.Of(text).Urgency;

        urgency.IsUrgent.ShouldBeFalse();
        urgency.Reason.ShouldBeNull();
        urgency.MatchedPhrase.ShouldBeNull();
    }

    [Fact]
    public void Urgency_SeveralDangers_ExplainsTheMostSeriousFirst() =>
        Triage.Of("Dangerous pothole, and now I can smell gas escaping").Urgency.Reason.ShouldBe("gas leak");
}
