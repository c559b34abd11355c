namespace CivicDesk.Triage;

/// <summary>Distances on the Earth's surface: the one haversine, used by place finding and duplicate detection.</summary>
public static class Geo
{
    /// <summary>The IUGG mean Earth radius; good to about 0.5% anywhere, far finer than a reported point.</summary>
    public const double EarthRadiusMetres = 6_371_008.8;

    /// <summary>Great-circle (haversine) distance in metres between two WGS84 points.</summary>
    /// <param name="lat1">First latitude in degrees.</param>
    /// <param name="lon1">First longitude in degrees.</param>
    /// <param name="lat2">Second latitude in degrees.</param>
    /// <param name="lon2">Second longitude in degrees.</param>
    public static double DistanceMetres(double lat1, double lon1, double lat2, double lon2)
    {
        var p1 = double.DegreesToRadians(lat1);
        var p2 = double.DegreesToRadians(lat2);
        var dp = p2 - p1;
        var dl = double.DegreesToRadians(lon2 - lon1);
        var h = (Math.Sin(dp / 2) * Math.Sin(dp / 2)) + (Math.Cos(p1) * Math.Cos(p2) * Math.Sin(dl / 2) * Math.Sin(dl / 2));
        return 2 * EarthRadiusMetres * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    /// <summary>
    /// A latitude/longitude box holding every point within <paramref name="metres"/> of a point by
    /// <see cref="DistanceMetres"/>, for an index range query ahead of the exact distance. The longitude bounds are null
    /// (any longitude) when the circle reaches a pole or crosses the antimeridian.
    /// </summary>
    /// <param name="lat">Latitude of the centre in degrees.</param>
    /// <param name="lon">Longitude of the centre in degrees.</param>
    /// <param name="metres">Radius in metres (not negative).</param>
    public static GeoBox BoundingBox(double lat, double lon, double metres)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(metres);
        // The angle the radius spans at the centre of the sphere, widened by a hair so rounding never drops a point
        // lying exactly on the circle (the detector keeps distance == radius).
        var angle = (metres / EarthRadiusMetres * (1 + 1e-9)) + 1e-12;
        var phi = double.DegreesToRadians(lat);
        var dLat = double.RadiansToDegrees(angle);
        var minLat = lat - dLat;
        var maxLat = lat + dLat;
        if (Math.Abs(phi) + angle >= Math.PI / 2)
        {
            return new GeoBox(Math.Max(-90, minLat), Math.Min(90, maxLat), null, null);
        }

        // The widest longitude of a circle on a sphere: sin(Δλ) = sin(δ) / cos(φ) (the tangent meridians).
        var dLon = double.RadiansToDegrees(Math.Asin(Math.Min(1, Math.Sin(angle) / Math.Cos(phi))));
        return lon - dLon < -180 || lon + dLon > 180
            ? new GeoBox(minLat, maxLat, null, null)
            : new GeoBox(minLat, maxLat, lon - dLon, lon + dLon);
    }
}

/// <summary>A range of latitudes and, unless null (any), of longitudes, in degrees; bounds included.</summary>
/// <param name="MinLatitude">Southern bound.</param>
/// <param name="MaxLatitude">Northern bound.</param>
/// <param name="MinLongitude">Western bound, or null for any longitude.</param>
/// <param name="MaxLongitude">Eastern bound, or null for any longitude.</param>
public sealed record GeoBox(double MinLatitude, double MaxLatitude, double? MinLongitude, double? MaxLongitude)
{
    /// <summary>Whether the point lies in the box.</summary>
    /// <param name="lat">Latitude in degrees.</param>
    /// <param name="lon">Longitude in degrees.</param>
    public bool Contains(double lat, double lon) =>
        lat >= MinLatitude && lat <= MaxLatitude && (MinLongitude is null || (lon >= MinLongitude && lon <= MaxLongitude));
}
