using CivicDesk.Triage.Places;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Demo;

public static class DemoStreets
{
    /// <summary>
    /// The demo organisation's gazetteer: the streets of the FixMyStreet train split's nearest roads, each the mean of
    /// its reports' pins. Empty with the built-in sample (no nearest roads there).
    /// </summary>
    public static IEnumerable<GazetteerStreet> For(DemoData data, long organisationId)
    {
        ArgumentNullException.ThrowIfNull(data);
        var path = data.IsSample ? null : Path.Combine(data.Source, "service_requests_fms", "train.jsonl");
        if (path is null || !File.Exists(path))
        {
            return [];
        }

        var gazetteer = PlaceEvaluation.GazetteerFrom(File.ReadLines(path).Where(l => l.Length > 0).Select(PlaceSample.Parse));
        return gazetteer.Search(null, int.MaxValue).Select(e => new GazetteerStreet
        {
            OrganisationId = organisationId, Name = Clamp(e.Name), Locality = e.Locality is null ? null : Clamp(e.Locality),
            Latitude = e.Latitude, Longitude = e.Longitude, Weight = e.Weight,
        });
    }

    private static string Clamp(string s) => s.Length <= GazetteerStreet.MaxNameLength ? s : s[..GazetteerStreet.MaxNameLength];
}
