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
}
