using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace CivicDesk.Web.Features.Participation;

/// <summary>A feature ready to store: its geometry as GeoJSON, its attributes as a JSON object, the id it had in the file.</summary>
public sealed record ParsedMapFeature(string GeometryJson, string AttributesJson, string? ExternalId);

/// <summary>Why a GeoJSON file was refused: the reason, and the line (malformed JSON) or the feature index (0-based).</summary>
public sealed record GeoJsonProblem(string Reason, long? Line = null, int? FeatureIndex = null)
{
    public override string ToString() =>
        Line is { } l ? $"Line {l}: {Reason}" : FeatureIndex is { } i ? $"Feature {i}: {Reason}" : Reason;
}

/// <summary>
/// GeoJSON (RFC 7946) in and out of a crowd-map project. Reading checks the whole file before anything is stored:
/// well-formed JSON, a FeatureCollection, WGS 84 only (a legacy "crs" member naming anything but CRS84/EPSG:4326 is
/// refused, and so are coordinates outside longitude/latitude range, the usual sign of British National Grid),
/// the project's geometry kind, and a size and count limit. Geometries are parsed by NetTopologySuite.
/// </summary>
public static class MapGeoJson
{
    public const long MaxBytes = 20 * 1024 * 1024;
    public const int MaxFeatures = 50_000;

    private static readonly JsonSerializerOptions Options = CreateOptions();
    private static readonly string[] Wgs84Names = ["urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326"];

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions();
        options.Converters.Add(new GeoJsonConverterFactory());
        return options;
    }

    /// <summary>Reads a whole file; either every feature or the first problem.</summary>
    public static async Task<(IReadOnlyList<ParsedMapFeature>? Features, GeoJsonProblem? Problem)> ReadAsync(
        Stream stream, MapGeometryKind kind, CancellationToken ct, long maxBytes = MaxBytes)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, new GeoJsonProblem($"The file is larger than {maxBytes / (1024 * 1024)} MB"));
            }

            buffer.Write(chunk, 0, read);
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            return (null, new GeoJsonProblem("The file is not valid JSON: " + e.Message.Split(" LineNumber")[0].Split(" Path:")[0], (e.LineNumber ?? 0) + 1));
        }

        using (doc)
        {
            try
            {
                return Read(doc.RootElement, kind);
            }
            catch (InvalidOperationException)
            {
                // Valid JSON whose strings escape half of a surrogate pair ("\ud800"): found by fuzzing.
                return (null, new GeoJsonProblem("The file is not valid Unicode: a string escapes half of a surrogate pair (\\uD800–\\uDFFF) without the other half", 1));
            }
        }
    }

    private static (IReadOnlyList<ParsedMapFeature>?, GeoJsonProblem?) Read(JsonElement root, MapGeometryKind kind)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.GetString() != "FeatureCollection"
            || !root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
        {
            return (null, new GeoJsonProblem("The file is not a GeoJSON FeatureCollection (\"type\": \"FeatureCollection\" with a \"features\" array)"));
        }

        if (root.TryGetProperty("crs", out var crs) && crs.ValueKind == JsonValueKind.Object
            && crs.TryGetProperty("properties", out var crsProps) && crsProps.TryGetProperty("name", out var crsName)
            && !Wgs84Names.Contains(crsName.GetString(), StringComparer.OrdinalIgnoreCase))
        {
            return (null, new GeoJsonProblem($"The file is in {crsName.GetString()}; export it as WGS 84 (EPSG:4326) longitude/latitude, as GeoJSON requires"));
        }

        if (features.GetArrayLength() > MaxFeatures)
        {
            return (null, new GeoJsonProblem($"The file has {features.GetArrayLength()} features; at most {MaxFeatures} can be imported at once"));
        }

        var result = new List<ParsedMapFeature>(features.GetArrayLength());
        var index = 0;
        foreach (var feature in features.EnumerateArray())
        {
            if (feature.ValueKind != JsonValueKind.Object || !feature.TryGetProperty("geometry", out var geometryJson) || geometryJson.ValueKind != JsonValueKind.Object)
            {
                return (null, new GeoJsonProblem("Not a feature with a geometry", FeatureIndex: index));
            }

            var (geometry, error) = CheckGeometry(geometryJson.GetRawText(), kind);
            if (error is not null)
            {
                return (null, new GeoJsonProblem(error, FeatureIndex: index));
            }

            var attributes = feature.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object ? props.GetRawText() : "{}";
            if (attributes.Length > 10_000)
            {
                return (null, new GeoJsonProblem("The feature's properties are longer than 10,000 characters", FeatureIndex: index));
            }

            string? id = feature.TryGetProperty("id", out var idJson)
                ? idJson.ValueKind switch { JsonValueKind.String => idJson.GetString(), JsonValueKind.Number => idJson.GetRawText(), _ => null }
                : null;
            result.Add(new ParsedMapFeature(JsonSerializer.Serialize(geometry!, Options), attributes, id is { Length: <= 200 } ? id : null));
            index++;
        }

        return (result, null);
    }

    /// <summary>The GeoJSON type name of a project's geometry kind.</summary>
    public static string TypeName(MapGeometryKind kind) => kind switch
    {
        MapGeometryKind.Point => "Point",
        MapGeometryKind.Line => "LineString",
        _ => "Polygon",
    };

    /// <summary>
    /// One geometry object (as drawn on the map or found in a file): parsed by NetTopologySuite, of the project's kind,
    /// in longitude/latitude range and valid. Returns the geometry or why it was refused.
    /// </summary>
    public static (Geometry? Geometry, string? Error) CheckGeometry(string json, MapGeometryKind kind)
    {
        Geometry? geometry;
        try
        {
            geometry = JsonSerializer.Deserialize<Geometry>(json, Options);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
        {
            return (null, "The geometry cannot be read: " + e.Message);
        }

        var expected = TypeName(kind);
        if (geometry is null || geometry.GeometryType != expected)
        {
            return (null, $"The geometry is a {geometry?.GeometryType ?? "nothing"}; this project takes {expected} features");
        }

        if (geometry.Coordinates.Any(c => c.X is < -180 or > 180 || c.Y is < -90 or > 90 || double.IsNaN(c.X) || double.IsNaN(c.Y)))
        {
            return (null, "Coordinates are outside longitude/latitude range: the file looks projected (e.g. British National Grid); export it as WGS 84 (EPSG:4326)");
        }

        if (!geometry.IsValid)
        {
            return (null, "The geometry is not valid (e.g. a line with a single point, or a polygon that crosses itself)");
        }

        return (geometry, null);
    }

    /// <summary>The geometry as stored (NetTopologySuite's GeoJSON, so a drawn and an imported feature are written alike).</summary>
    public static string Serialize(Geometry geometry) => JsonSerializer.Serialize(geometry, Options);

    /// <summary>A stored geometry back as a NetTopologySuite geometry (for CSV and for a case's location).</summary>
    public static Geometry Parse(string geometryJson) => JsonSerializer.Deserialize<Geometry>(geometryJson, Options)!;

    /// <summary>A FeatureCollection of the given features (id, geometry, attributes plus state), RFC 7946 (no crs member).</summary>
    public static string Write(IEnumerable<MapFeature> features)
    {
        var array = new JsonArray();
        foreach (var f in features)
        {
            var properties = JsonNode.Parse(f.AttributesJson) as JsonObject ?? [];
            array.Add(new JsonObject
            {
                ["type"] = "Feature",
                ["id"] = f.ExternalId ?? f.Id.ToString(CultureInfo.InvariantCulture),
                ["geometry"] = JsonNode.Parse(f.GeometryJson),
                ["properties"] = properties,
            });
        }

        return new JsonObject { ["type"] = "FeatureCollection", ["features"] = array }.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
