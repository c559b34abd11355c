namespace CivicDesk.Triage.Tests;

public sealed class GeoTests
{
    [Theory]
    [InlineData(51.8930, -2.0790, 50)]
    [InlineData(0, 0, 500)]
    [InlineData(-33.86, 151.21, 2_000)]
    [InlineData(69.65, 18.96, 300)]
    public void BoundingBox_holds_every_point_of_the_circle_and_not_much_more(double lat, double lon, double metres)
    {
        var box = Geo.BoundingBox(lat, lon, metres);

        // Walk the circle's edge (points exactly `metres` away by the haversine) and just beyond it.
        for (var bearing = 0; bearing < 360; bearing += 5)
        {
            var (onLat, onLon) = Destination(lat, lon, metres, bearing);
            Geo.DistanceMetres(lat, lon, onLat, onLon).ShouldBe(metres, metres * 1e-9);
            box.Contains(onLat, onLon).ShouldBeTrue($"bearing {bearing}");
        }

        var (farLat, farLon) = Destination(lat, lon, metres * 1.5, 0);
        box.Contains(farLat, farLon).ShouldBeFalse("north, half as far again");
        (farLat, farLon) = Destination(lat, lon, metres * 1.5, 90);
        box.Contains(farLat, farLon).ShouldBeFalse("east, half as far again");
    }

    [Fact]
    public void BoundingBox_takes_any_longitude_near_a_pole_or_across_the_antimeridian()
    {
        Geo.BoundingBox(89.9999, 10, 50).MinLongitude.ShouldBeNull();
        Geo.BoundingBox(0, 179.9999, 50).MaxLongitude.ShouldBeNull();
        Geo.BoundingBox(0, 179.9999, 50).Contains(0, -179.9999).ShouldBeTrue();
    }

    // The point `metres` from (lat, lon) along a great circle leaving at `bearing` degrees (spherical, as Geo).
    private static (double Lat, double Lon) Destination(double lat, double lon, double metres, double bearing)
    {
        var d = metres / Geo.EarthRadiusMetres;
        var p1 = double.DegreesToRadians(lat);
        var l1 = double.DegreesToRadians(lon);
        var b = double.DegreesToRadians(bearing);
        var p2 = Math.Asin((Math.Sin(p1) * Math.Cos(d)) + (Math.Cos(p1) * Math.Sin(d) * Math.Cos(b)));
        var l2 = l1 + Math.Atan2(Math.Sin(b) * Math.Sin(d) * Math.Cos(p1), Math.Cos(d) - (Math.Sin(p1) * Math.Sin(p2)));
        return (double.RadiansToDegrees(p2), double.RadiansToDegrees(l2));
    }
}
