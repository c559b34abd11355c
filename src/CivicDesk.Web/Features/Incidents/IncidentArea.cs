using System.Text.Json;
using CivicDesk.Triage;
using CivicDesk.Web.Domain;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace CivicDesk.Web.Features.Incidents;

/// <summary>
/// An incident's area: a circle (centre and radius, great-circle distance) or a GeoJSON polygon (RFC 7946, WGS84
/// longitude/latitude). Polygons are checked with NetTopologySuite: closed rings, no crossing edges, inside the UK.
/// Containment on longitude/latitude as a plane is exact enough for areas a few kilometres across.
/// </summary>
public sealed class IncidentArea
{
    public const double MinRadiusMetres = 50;
    public const double MaxRadiusMetres = 50_000;
    public const int MaxVertices = 2000;

    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory() } };
    private static readonly Envelope UnitedKingdom = new(-8.7, 1.8, 49.8, 60.95);

    private readonly Polygon? _polygon;
    private readonly (double Lat, double Lon, double Radius)? _circle;

    private IncidentArea(Polygon polygon) => _polygon = polygon;

    private IncidentArea(double lat, double lon, double radius) => _circle = (lat, lon, radius);

    /// <summary>South-west and north-east corners, for a cheap database pre-filter before the exact test.</summary>
    public (double MinLat, double MinLon, double MaxLat, double MaxLon) Bounds
    {
        get
        {
            if (_polygon is not null)
            {
                var e = _polygon.EnvelopeInternal;
                return (e.MinY, e.MinX, e.MaxY, e.MaxX);
            }

            var (lat, lon, radius) = _circle!.Value;
            var dLat = radius / 111_320.0;
            var dLon = radius / (111_320.0 * Math.Cos(double.DegreesToRadians(lat)));
            return (lat - dLat, lon - dLon, lat + dLat, lon + dLon);
        }
    }

    public bool Contains(double latitude, double longitude)
    {
        if (_polygon is not null)
        {
            return _polygon.Covers(new Point(longitude, latitude));
        }

        var (lat, lon, radius) = _circle!.Value;
        return Geo.DistanceMetres(lat, lon, latitude, longitude) <= radius;
    }

    /// <summary>The area as a GeoJSON geometry (a polygon, or a 64-sided polygon approximating the circle) for maps.</summary>
    public string ToGeoJson() => JsonSerializer.Serialize<Geometry>(_polygon ?? CircleAsPolygon(), GeoJson);

    public static IncidentArea? From(Incident incident) => incident.AreaKind switch
    {
        IncidentAreaKind.Polygon when incident.AreaGeoJson is { } json => ParsePolygon(json, out var area) is null ? area : null,
        IncidentAreaKind.Radius when incident is { CentreLatitude: { } lat, CentreLongitude: { } lon, RadiusMetres: { } r } => new IncidentArea(lat, lon, r),
        _ => null,
    };

    /// <summary>Checks a circle; returns the error message for the form, or null with the area.</summary>
    public static string? Circle(double? lat, double? lon, double? radius, out IncidentArea? area)
    {
        area = null;
        if (lat is null || lon is null)
        {
            return "Enter the centre of the area, or draw it on the map";
        }

        if (!UnitedKingdom.Contains(lon.Value, lat.Value))
        {
            return "The centre of the area must be in the UK";
        }

        if (radius is null or < MinRadiusMetres or > MaxRadiusMetres)
        {
            return $"Enter a radius between {MinRadiusMetres:0} and {MaxRadiusMetres:0} metres";
        }

        area = new IncidentArea(lat.Value, lon.Value, radius.Value);
        return null;
    }

    /// <summary>Parses and checks a GeoJSON Polygon (a bare geometry, a Feature or a one-feature FeatureCollection).</summary>
    public static string? ParsePolygon(string? json, out IncidentArea? area)
    {
        area = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            return "Draw the area on the map, or enter it as a GeoJSON polygon";
        }

        Geometry? geometry;
        try
        {
            geometry = ReadGeometry(json);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException or IndexOutOfRangeException)
        {
            return "The area must be a GeoJSON polygon, like {\"type\":\"Polygon\",\"coordinates\":[[[lon,lat],…]]}";
        }

        if (geometry is not Polygon polygon)
        {
            return "The area must be a single polygon";
        }

        if (polygon.NumPoints < 4)
        {
            return "The area must have at least 3 corners";
        }

        if (polygon.NumPoints > MaxVertices)
        {
            return $"The area must have {MaxVertices} corners or fewer";
        }

        var validity = new NetTopologySuite.Operation.Valid.IsValidOp(polygon).ValidationError;
        if (validity is not null)
        {
            return validity.ErrorType is NetTopologySuite.Operation.Valid.TopologyValidationErrors.SelfIntersection
                or NetTopologySuite.Operation.Valid.TopologyValidationErrors.RingSelfIntersection
                ? "The area's edges must not cross each other"
                : "The area must be one simple closed shape";
        }

        if (polygon.Area <= 0)
        {
            return "The area must have at least 3 corners";
        }

        if (!UnitedKingdom.Contains(polygon.EnvelopeInternal))
        {
            return "The area must be in the UK (coordinates are longitude, latitude)";
        }

        area = new IncidentArea(polygon);
        return null;
    }

    private static Geometry? ReadGeometry(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        var root = doc.RootElement;
        var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) ? t.GetString() : null;
        var geometryJson = type switch
        {
            "Feature" => root.GetProperty("geometry").GetRawText(),
            "FeatureCollection" when root.GetProperty("features") is { ValueKind: JsonValueKind.Array } f && f.GetArrayLength() == 1 =>
                f[0].GetProperty("geometry").GetRawText(),
            "FeatureCollection" => throw new InvalidOperationException("more than one feature"),
            _ => json,
        };
        return JsonSerializer.Deserialize<Geometry>(geometryJson, GeoJson);
    }

    private Polygon CircleAsPolygon()
    {
        var (lat, lon, radius) = _circle!.Value;
        var points = new Coordinate[65];
        for (var i = 0; i < 64; i++)
        {
            var bearing = 2 * Math.PI * i / 64;
            var dLat = radius * Math.Cos(bearing) / 111_320.0;
            var dLon = radius * Math.Sin(bearing) / (111_320.0 * Math.Cos(double.DegreesToRadians(lat)));
            points[i] = new Coordinate(lon + dLon, lat + dLat);
        }

        points[64] = points[0];
        return new Polygon(new LinearRing(points));
    }
}
