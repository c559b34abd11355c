namespace CivicDesk.Triage.Tests;

public sealed class PlaceTests
{
    [Theory]
    [InlineData("Pothole by GL50 1PQ", "GL50 1PQ")]
    [InlineData("pothole by gl501pq", "GL50 1PQ")]
    [InlineData("bins not collected at gl50  1pq", "GL50 1PQ")]
    [InlineData("Street light out, SW1A 1AA", "SW1A 1AA")]
    [InlineData("Dumped rubbish near M1 1AE today", "M1 1AE")]
    public void Place_FullPostcode_IsFoundWithNormalisedSpacing(string text, string expected)
    {
        var place = Triage.Of(text).Place;

        place.ShouldNotBeNull();
        place.Kind.ShouldBe("postcode");
        place.Text.ShouldBe(expected);
    }

    [Fact]
    public void Place_UnknownPostcodeArea_IsNotAPlace() =>
        Triage.Of("Pothole by QQ1 1AA").Place.ShouldBeNull();

    [Fact]
    public void Place_InvalidInwardLetters_FallBackToTheDistrict()
    {
        // C and I never appear in an inward code, so this is not a full postcode; GL50 on its own still is a district.
        var place = Triage.Of("Pothole by GL50 1CI").Place;

        place.ShouldNotBeNull();
        place.Kind.ShouldBe("outward_code");
        place.Text.ShouldBe("GL50");
    }

    [Fact]
    public void Place_OutwardCodeAlone_IsFound()
    {
        var place = Triage.Of("Flooding again somewhere in gl52").Place;

        place.ShouldNotBeNull();
        place.Kind.ShouldBe("outward_code");
        place.Text.ShouldBe("GL52");
    }

    [Theory]
    [InlineData("Queues on the A40 again")]
    [InlineData("Accident on the M5 northbound")]
    [InlineData("CO2 levels on this road are awful")]
    [InlineData("Order number XY12 arrived")]
    public void Place_RoadNumbersAndCodesThatAreNotPostcodes_AreIgnored(string text) =>
        Triage.Of(text).Place.ShouldBeNull();

    [Theory]
    [InlineData("Pothole outside 12 Dog Lane, nearly lost a wheel", "Dog Lane")]
    [InlineData("Street light out on Kingsmead Avenue", "Kingsmead Avenue")]
    [InlineData("Bins dumped at the corner of hewlett road", "hewlett road")]
    [InlineData("Graffiti on the wall opposite St. James Street", "St. James Street")]
    [InlineData("Fly-tipping near Old Bath Road", "Old Bath Road")]
    [InlineData("Drain blocked on the Dog Lane side", "Dog Lane")]
    public void Place_StreetAfterPreposition_IsFound(string text, string expected)
    {
        var place = Triage.Of(text).Place;

        place.ShouldNotBeNull();
        place.Kind.ShouldBe("street");
        place.Text.ShouldBe(expected);
    }

    [Theory]
    [InlineData("Pothole in the middle of the road")]
    [InlineData("Rubbish dumped in the car park")]
    [InlineData("Glass on my way to work")]
    [InlineData("Kids playing in the park")]
    [InlineData("Cars speeding along a busy road")]
    [InlineData("Dog Lane has a pothole")]
    public void Place_StreetWordsWithoutAName_AreNotStreets(string text) =>
        Triage.Of(text).Place.ShouldBeNull();

    [Fact]
    public void Place_PostcodeIsPreferredToStreet() =>
        Triage.Of("Pothole on Dog Lane, GL50 1PQ").Place!.Kind.ShouldBe("postcode");

    [Fact]
    public void Place_Geotag_IsUsedWhenTheTextNamesNoPlace()
    {
        var place = Triage.Of("Pothole here", 51.8979, -2.0713).Place;

        place.ShouldNotBeNull();
        place.Kind.ShouldBe("geotag");
        place.Latitude.ShouldBe(51.8979);
        place.Longitude.ShouldBe(-2.0713);
        place.Text.ShouldBe("51.8979, -2.0713");
    }

    [Fact]
    public void Place_TextPlace_IsPreferredToGeotag() =>
        Triage.Of("Pothole on Dog Lane", 51.8979, -2.0713).Place!.Kind.ShouldBe("street");

    [Theory]
    [InlineData(91.0, 0.0)]
    [InlineData(0.0, 181.0)]
    [InlineData(double.NaN, 0.0)]
    public void Place_GeotagOutOfRange_IsIgnored(double latitude, double longitude) =>
        Triage.Of("Pothole here", latitude, longitude).Place.ShouldBeNull();

    [Fact]
    public void Place_GeotagNeedsBothCoordinates() =>
        Triage.Of("Pothole here", 51.9, null).Place.ShouldBeNull();
}
