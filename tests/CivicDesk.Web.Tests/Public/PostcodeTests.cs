using CivicDesk.Web.Features.Public;

namespace CivicDesk.Web.Tests.Public;

public sealed class PostcodeTests
{
    [Theory]
    [InlineData("gl501pq", "GL50 1PQ")]
    [InlineData("GL50 1PQ", "GL50 1PQ")]
    [InlineData("  sw1a   1aa ", "SW1A 1AA")]
    [InlineData("M1 1AE", "M1 1AE")]
    [InlineData("B338TH", "B33 8TH")]
    [InlineData("CR2 6XH", "CR2 6XH")]
    [InlineData("W1A 0AX", "W1A 0AX")]
    [InlineData("EC1A 1BB", "EC1A 1BB")]
    [InlineData("BT1 5GS", "BT1 5GS")]
    [InlineData("GIR 0AA", "GIR 0AA")]
    public void Real_postcodes_are_normalised(string input, string expected) => UkPostcode.Normalise(input).ShouldBe(expected);

    [Theory]
    [InlineData("GL50 1CQ")]   // C never appears in the inward code
    [InlineData("QL50 1PQ")]   // Q never starts a postcode
    [InlineData("12345")]
    [InlineData("GL50")]
    [InlineData("GL50 1PQQ")]
    [InlineData("<script>")]
    public void Other_text_is_not_a_postcode(string input) => UkPostcode.Normalise(input).ShouldBeNull();

    [Theory]
    [InlineData(51.8994, -2.0783, true)]     // Cheltenham
    [InlineData(60.15, -1.15, true)]         // Lerwick
    [InlineData(54.6, -5.93, true)]          // Belfast
    [InlineData(49.91, -6.31, true)]         // Isles of Scilly
    [InlineData(48.85, 2.35, false)]         // Paris
    [InlineData(53.35, -9.5, false)]         // west of Ireland
    public void Map_pins_must_be_in_the_UK(double latitude, double longitude, bool inside) =>
        UkBounds.Contains(latitude, longitude).ShouldBe(inside);
}
