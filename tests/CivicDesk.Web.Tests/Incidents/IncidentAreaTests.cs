using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Incidents;

namespace CivicDesk.Web.Tests.Incidents;

public sealed class IncidentAreaTests
{
    // A square around Cheltenham town centre, longitude first as GeoJSON says.
    private const string Square = """{"type":"Polygon","coordinates":[[[-2.09,51.89],[-2.06,51.89],[-2.06,51.91],[-2.09,51.91],[-2.09,51.89]]]}""";

    [Fact]
    public void Polygon_contains_a_point_inside_and_not_one_outside()
    {
        IncidentArea.ParsePolygon(Square, out var area).ShouldBeNull();
        area!.Contains(51.90, -2.075).ShouldBeTrue();
        area.Contains(51.95, -2.075).ShouldBeFalse();
        area.Contains(51.90, -2.10).ShouldBeFalse();
    }

    [Fact]
    public void A_feature_wrapping_the_polygon_is_accepted()
    {
        IncidentArea.ParsePolygon($$"""{"type":"Feature","properties":{},"geometry":{{Square}}}""", out var area).ShouldBeNull();
        area!.Contains(51.90, -2.075).ShouldBeTrue();
    }

    [Fact]
    public void Circle_uses_great_circle_distance()
    {
        IncidentArea.Circle(51.90, -2.08, 500, out var area).ShouldBeNull();
        area!.Contains(51.9030, -2.08).ShouldBeTrue("about 334 m north");
        area.Contains(51.9060, -2.08).ShouldBeFalse("about 667 m north");
    }

    [Theory]
    [InlineData("not json", "must be a GeoJSON polygon")]
    [InlineData("""{"type":"Point","coordinates":[-2.08,51.9]}""", "single polygon")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-2.09,51.89],[-2.06,51.89],[-2.09,51.89]]]}""", "at least 3 corners")]
    // A bow tie: the edges cross.
    [InlineData("""{"type":"Polygon","coordinates":[[[-2.09,51.89],[-2.06,51.91],[-2.06,51.89],[-2.09,51.91],[-2.09,51.89]]]}""", "must not cross")]
    // Latitude and longitude swapped: lands in the Indian Ocean, not the UK.
    [InlineData("""{"type":"Polygon","coordinates":[[[51.89,-2.09],[51.89,-2.06],[51.91,-2.06],[51.91,-2.09],[51.89,-2.09]]]}""", "in the UK")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-2.09,51.89],[-2.06,51.89]]]}""", "must be a GeoJSON polygon")]
    [InlineData("", "Draw the area")]
    public void Malformed_polygons_are_refused_with_a_clear_message(string json, string expected)
    {
        IncidentArea.ParsePolygon(json, out var area).ShouldNotBeNull().ShouldContain(expected);
        area.ShouldBeNull();
    }

    [Theory]
    [InlineData(null, -2.08, 500, "centre")]
    [InlineData(40.0, -2.08, 500, "in the UK")]
    [InlineData(51.9, -2.08, 10, "radius between")]
    [InlineData(51.9, -2.08, 60_000, "radius between")]
    public void Bad_circles_are_refused(double? lat, double lon, double radius, string expected) =>
        IncidentArea.Circle(lat, lon, radius, out _).ShouldNotBeNull().ShouldContain(expected);

    [Fact]
    public void Stored_geometry_round_trips_and_circles_become_polygons_for_maps()
    {
        IncidentArea.ParsePolygon(Square, out var area).ShouldBeNull();
        var incident = new Incident { Slug = "x", Title = "x", DeclaredByName = "x", AreaKind = IncidentAreaKind.Polygon, AreaGeoJson = area!.ToGeoJson() };
        IncidentArea.From(incident)!.Contains(51.90, -2.075).ShouldBeTrue();
        IncidentArea.Circle(51.90, -2.08, 500, out var circle).ShouldBeNull();
        IncidentArea.ParsePolygon(circle!.ToGeoJson(), out var approx).ShouldBeNull();
        approx!.Contains(51.9030, -2.08).ShouldBeTrue();
    }

    [Theory]
    [InlineData("Flooding: Bath Road!", "flooding-bath-road")]
    [InlineData("Café fire — Montpellier", "cafe-fire-montpellier")]
    [InlineData("!!!", "")]
    public void Slugs_are_plain_ascii(string title, string slug) => IncidentCommands.Slugify(title).ShouldBe(slug);
}
