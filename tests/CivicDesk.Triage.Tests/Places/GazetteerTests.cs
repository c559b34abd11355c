using CivicDesk.Triage.Places;

namespace CivicDesk.Triage.Tests.Places;

public sealed class GazetteerTests
{
    private static readonly Gazetteer Streets = new(
    [
        new GazetteerEntry("Hewlett Road", "Cheltenham", 51.9000, -2.0600),
        new GazetteerEntry("St. James' Street", "Cheltenham", 51.8990, -2.0700),
        new GazetteerEntry("Old Bath Road", "Cheltenham", 51.8850, -2.0650),
        new GazetteerEntry("Bath Road", "Cheltenham", 51.8900, -2.0750),
        new GazetteerEntry("Church Road", "Leckhampton", 51.8700, -2.0800),
        new GazetteerEntry("Church Road", "Bishop's Cleeve", 51.9500, -2.0600),
    ]);

    [Theory]
    [InlineData("Hewlett Road")]
    [InlineData("hewlett rd")]
    [InlineData("HEWLETT RD.")]
    [InlineData("  Hewlett   Road ")]
    public void Lookup_SpellingsOfOneStreet_FindIt(string name) =>
        Streets.Lookup(name)!.Name.ShouldBe("Hewlett Road");

    [Theory]
    [InlineData("St James Street")]
    [InlineData("Saint James St")]
    [InlineData("st. james's street")]
    public void Lookup_SaintAndStreetAbbreviations_FoldTogether(string name) =>
        Streets.Lookup(name).ShouldNotBeNull();

    [Fact]
    public void Lookup_SameNameInTwoPlaces_UsesTheLocality()
    {
        Streets.Lookup("Church Road", "Bishop's Cleeve")!.Latitude.ShouldBe(51.95);
        Streets.Lookup("Church Rd", "leckhampton")!.Latitude.ShouldBe(51.87);
    }

    [Fact]
    public void Lookup_UnknownStreet_IsNull() => Streets.Lookup("Nowhere Lane").ShouldBeNull();

    [Fact]
    public void FindIn_StreetWithoutPreposition_IsFound()
    {
        var match = Streets.FindIn(NormalisedText.Create("Hewlett Rd has a pothole the size of a bath"));

        match.ShouldNotBeNull();
        match.Entry.Name.ShouldBe("Hewlett Road");
        match.Text.ShouldBe("Hewlett Rd");
        match.Candidates.ShouldBe(1);
    }

    [Fact]
    public void FindIn_LongerNameWins() =>
        Streets.FindIn(NormalisedText.Create("Flooding on Old Bath Road"))!.Entry.Name.ShouldBe("Old Bath Road");

    [Fact]
    public void FindIn_LocalityNamedInTheText_ChoosesAmongSameNames()
    {
        var match = Streets.FindIn(NormalisedText.Create("Drain blocked on Church Road, Leckhampton"));

        match!.Entry.Locality.ShouldBe("Leckhampton");
        match.Candidates.ShouldBe(2);
    }

    [Fact]
    public void FindIn_NoKnownStreet_IsNull() =>
        Streets.FindIn(NormalisedText.Create("Pothole on Nowhere Lane")).ShouldBeNull();

    [Fact]
    public void Build_PointsOfOneStreet_AreAveraged()
    {
        var built = Gazetteer.Build([("Dog Lane", "Witcombe", 51.0, -2.0), ("dog lane", "witcombe", 52.0, -3.0), ("Dog Lane", "Elsewhere", 50.0, -1.0)]);

        built.Count.ShouldBe(2);
        var witcombe = built.Lookup("Dog Lane", "Witcombe")!;
        witcombe.Latitude.ShouldBe(51.5);
        witcombe.Longitude.ShouldBe(-2.5);
        witcombe.Weight.ShouldBe(2);
    }

    [Fact]
    public void Search_MatchesNameOrLocality()
    {
        Streets.Search("bath", 10).Select(e => e.Name).ShouldBe(["Bath Road", "Old Bath Road"]);
        Streets.Search("leckhampton", 10).Single().Name.ShouldBe("Church Road");
    }

    [Theory]
    [InlineData("6, Great Western Terrace, Alstone, Cheltenham", "Great Western Terrace", "Alstone")]
    [InlineData("14 Bibury Road, Cheltenham", "Bibury Road", "Cheltenham")]
    [InlineData("1-2a Crescent Terrace, Cheltenham", "Crescent Terrace", "Cheltenham")]
    [InlineData("Millham Road, Bishop's Cleeve", "Millham Road", "Bishop's Cleeve")]
    [InlineData("Grangefield Approach", "Grangefield Approach", null)]
    public void SplitAddress_FindsStreetAndLocality(string address, string street, string? locality) =>
        StreetNames.SplitAddress(address).ShouldBe((street, locality));

    [Theory]
    [InlineData("A40, Hatherley, Cheltenham")]
    [InlineData("Gloucester")]
    [InlineData(null)]
    public void SplitAddress_NoStreet_IsNull(string? address) => StreetNames.SplitAddress(address).ShouldBeNull();

    [Fact]
    public void DistanceMetres_OneHundredthOfADegreeOfLatitude_IsAbout1112Metres() =>
        Geo.DistanceMetres(51.90, -2.07, 51.91, -2.07).ShouldBe(1112, 1);
}
