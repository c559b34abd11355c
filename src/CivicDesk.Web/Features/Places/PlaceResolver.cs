using CivicDesk.Triage;
using CivicDesk.Web.Features.Ingestion;

namespace CivicDesk.Web.Features.Places;

/// <summary>
/// The pipeline's gazetteer step: a post whose text names a street in its organisation's gazetteer gets that
/// street as its place ("Hewlett Road, Cheltenham") and, when the payload had no geotag, the street's point. A
/// payload geotag is never overwritten: a phone's fix is more precise than a street's centre.
/// </summary>
public sealed class PlaceResolver(GazetteerCache cache)
{
    internal async ValueTask ResolveAsync(IngestJob job, CancellationToken ct)
    {
        var gazetteer = await cache.ForAsync(job.Batch.OrganisationId, ct);
        if (gazetteer.Count == 0)
        {
            return;
        }

        foreach (var staged in job.Posts)
        {
            if (gazetteer.FindIn(NormalisedText.Create(staged.Post.Text)) is not { } match)
            {
                continue;
            }

            var street = match.Entry;
            var geotagged = staged.Post.Latitude is not null && staged.Post.Longitude is not null;
            if (!geotagged)
            {
                staged.Post = staged.Post with { Latitude = street.Latitude, Longitude = street.Longitude };
            }

            // A postcode stays the place (more precise); a street or district is replaced by the resolved street.
            if (staged.Triage is { } triage && triage.Place?.Kind is not "postcode")
            {
                var name = street.Locality is { Length: > 0 } l ? $"{street.Name}, {l}" : street.Name;
                staged.Triage = triage with
                {
                    Place = new PlaceMention(name, "gazetteer", staged.Post.Latitude, staged.Post.Longitude),
                };
            }
        }
    }
}
