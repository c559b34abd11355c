namespace CivicDesk.Triage.Tests.Places;

public sealed class StreetExtractionTests
{
    [Theory]
    [InlineData("Pothole by Hewlett Rd", "Hewlett Rd")]
    [InlineData("Bins left on High St again", "High St")]
    [InlineData("Light out near Kew Ln", "Kew Ln")]
    [InlineData("Overflowing bin on Eldon Ave", "Eldon Ave")]
    [InlineData("Graffiti outside Clarence Square", "Clarence Square")]
    [InlineData("Flooding at the junction of Bath Road and Suffolk Parade", "Bath Road")]
    [InlineData("Sign down opposite Pittville Court", "Pittville Court")]
    [InlineData("Car dumped by Tivoli Mews", "Tivoli Mews")]
    public void FindStreet_StreetTypesAndAbbreviations_AreFound(string text, string expected) =>
        PlaceFinder.FindStreet(NormalisedText.Create(text))!.Text.ShouldBe(expected);

    [Theory]
    [InlineData("Car partially blocking road near the school")]
    [InlineData("The newly resurfaced road is breaking up already")]
    [InlineData("Cars cross the road at speed")]
    [InlineData("Pothole in the right filter lane")]
    [InlineData("It is roughly half way along")]
    [InlineData("Big hole .... sinclair road")]
    public void FindStreet_DescriptionsOfARoad_AreNotStreets(string text) =>
        PlaceFinder.FindStreet(NormalisedText.Create(text)).ShouldBeNull();

    [Fact]
    public void FindStreets_JunctionOfTwoStreets_FindsBoth()
    {
        var streets = PlaceFinder.FindStreets(NormalisedText.Create("Lights broken at the junction of Bath Road and Suffolk Parade, and again on Bath Rd"));

        streets.Select(s => s.Text).ShouldBe(["Bath Road", "Suffolk Parade"]);
    }

    [Fact]
    public void FindPostcodes_SeveralInOneText_AreAllFoundOnce() =>
        PlaceFinder.FindPostcodes("From GL52 5DT to gl52 5er, then GL525DT again").Select(p => p.Text).ShouldBe(["GL52 5DT", "GL52 5ER"]);

    [Fact]
    public void Find_GeotagAndStreet_KeepsTheStreetWithTheGeotagsPoint()
    {
        var place = PlaceFinder.Find(NormalisedText.Create("Pothole on Dog Lane"), 51.84, -2.11);

        place.ShouldNotBeNull();
        place.Kind.ShouldBe("street");
        place.Text.ShouldBe("Dog Lane");
        place.Latitude.ShouldBe(51.84);
        place.Longitude.ShouldBe(-2.11);
    }

    [Fact]
    public void Find_StreetWithoutGeotag_HasNoPoint() =>
        PlaceFinder.Find(NormalisedText.Create("Pothole on Dog Lane"), null, null)!.Latitude.ShouldBeNull();
}
