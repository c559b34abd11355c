using System.Text;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Participation;

namespace CivicDesk.Web.Tests.Participation;

/// <summary>
/// Found by the fuzzer (bench fuzz, target geojson): a file that is valid JSON and valid UTF-8 but escapes half of a
/// surrogate pair threw InvalidOperationException out of the reader instead of answering a problem.
/// </summary>
public sealed class MapGeoJsonUnicodeTests
{
    [Theory]
    [InlineData("""{"type": "FeatureCollection\ud800", "features": []}""")]
    public async Task A_lone_surrogate_escape_is_refused_with_a_reason(string json)
    {
        var (features, problem) = await MapGeoJson.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), MapGeometryKind.Point, CancellationToken.None);

        features.ShouldBeNull();
        problem.ShouldNotBeNull().Reason.ShouldContain("not valid Unicode");
    }
}
