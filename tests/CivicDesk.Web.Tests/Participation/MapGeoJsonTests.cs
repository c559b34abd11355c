using System.Text;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Participation;

namespace CivicDesk.Web.Tests.Participation;

public sealed class MapGeoJsonTests
{
    private static Task<(IReadOnlyList<ParsedMapFeature>? Features, GeoJsonProblem? Problem)> Read(string json, MapGeometryKind kind = MapGeometryKind.Line, long max = MapGeoJson.MaxBytes) =>
        MapGeoJson.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), kind, CancellationToken.None, max);

    private const string Ditches = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","id":"ditch-1","geometry":{"type":"LineString","coordinates":[[-3.2401,56.4102],[-3.2388,56.4109],[-3.2372,56.4111]]},"properties":{"condition":"blocked","note":"Silted at the culvert"}},
          {"type":"Feature","id":7,"geometry":{"type":"LineString","coordinates":[[-3.25,56.40],[-3.249,56.401]]},"properties":{"condition":"good"}}
        ]}
        """;

    [Fact]
    public async Task A_round_trip_keeps_ids_geometry_and_attributes()
    {
        var (features, problem) = await Read(Ditches);
        problem.ShouldBeNull();
        features!.Count.ShouldBe(2);
        features[0].ExternalId.ShouldBe("ditch-1");
        features[1].ExternalId.ShouldBe("7");

        var stored = features.Select((f, i) => new MapFeature { Id = i + 1, GeometryJson = f.GeometryJson, AttributesJson = f.AttributesJson, ExternalId = f.ExternalId }).ToList();
        var exported = MapGeoJson.Write(stored);
        var (again, problem2) = await Read(exported);
        problem2.ShouldBeNull();
        again!.Select(f => (f.GeometryJson, f.AttributesJson, f.ExternalId)).ShouldBe(features.Select(f => (f.GeometryJson, f.AttributesJson, f.ExternalId)));
        MapGeoJson.Write(again!.Select((f, i) => new MapFeature { Id = i + 1, GeometryJson = f.GeometryJson, AttributesJson = f.AttributesJson, ExternalId = f.ExternalId })).ShouldBe(exported);
        exported.ShouldContain("\"condition\":\"blocked\"");
    }

    [Fact]
    public async Task Malformed_json_is_refused_with_its_line()
    {
        var (features, problem) = await Read("{\"type\":\"FeatureCollection\",\n\"features\":[\n{\"type\":\"Feature\",, }]}");
        features.ShouldBeNull();
        problem!.Line.ShouldBe(3);
        problem.ToString().ShouldStartWith("Line 3:");
    }

    [Fact]
    public async Task A_projected_file_is_refused_by_its_crs_or_its_coordinates()
    {
        var named = await Read("""{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[]}""");
        named.Problem!.Reason.ShouldContain("EPSG::27700");

        var bng = await Read("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[-3.24,56.41],[-3.23,56.42]]},"properties":{}},{"type":"Feature","geometry":{"type":"LineString","coordinates":[[318000,724000],[318100,724050]]},"properties":{}}]}""");
        bng.Features.ShouldBeNull();
        bng.Problem!.FeatureIndex.ShouldBe(1);
        bng.Problem.Reason.ShouldContain("British National Grid");
    }

    [Fact]
    public async Task The_wrong_geometry_kind_and_a_too_big_file_are_refused()
    {
        var points = await Read(Ditches, MapGeometryKind.Point);
        points.Problem!.FeatureIndex.ShouldBe(0);
        points.Problem.Reason.ShouldContain("takes Point features");

        var big = await Read(Ditches, max: 100);
        big.Problem!.Reason.ShouldContain("larger than");

        (await Read("""{"type":"Feature"}""")).Problem!.Reason.ShouldContain("FeatureCollection");
    }
}
