using CivicDesk.Triage.Places;
using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Demo;

public static class DemoStreets
{
    /// <summary>
    /// The demo organisation's gazetteer: the streets of the FixMyStreet train split's nearest roads, each the mean of
    /// its reports' pins, plus the shipped corpus's streets (the only ones without the shared data).
    /// </summary>
    public static IEnumerable<GazetteerStreet> For(DemoData data, long organisationId)
    {
        ArgumentNullException.ThrowIfNull(data);
        var path = data.IsSample ? null : Path.Combine(data.Source, "service_requests_fms", "train.jsonl");
        var corpus = DemoCorpus.Streets.Select(st => new GazetteerStreet
        {
            OrganisationId = organisationId, Name = st.Name, Locality = st.Area, Latitude = st.Lat, Longitude = st.Lon, Weight = 10,
        }).ToList();
        if (path is null || !File.Exists(path))
        {
            return corpus;
        }

        var gazetteer = PlaceEvaluation.GazetteerFrom(File.ReadLines(path).Where(l => l.Length > 0).Select(PlaceSample.Parse));
        var shared = gazetteer.Search(null, int.MaxValue).Select(e => new GazetteerStreet
        {
            OrganisationId = organisationId, Name = Clamp(e.Name), Locality = e.Locality is null ? null : Clamp(e.Locality),
            Latitude = e.Latitude, Longitude = e.Longitude, Weight = e.Weight,
        }).ToList();
        var names = shared.Select(x => x.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. shared, .. corpus.Where(c => !names.Contains(c.Name))];
    }

    private static string Clamp(string s) => s.Length <= GazetteerStreet.MaxNameLength ? s : s[..GazetteerStreet.MaxNameLength];
}
