using CivicDesk.Triage;
using CivicDesk.Triage.Places;

namespace CivicDesk.Web.Features.Places;

/// <summary>A street of the organisation's gazetteer named in a post: "Hewlett Road, Cheltenham" and its point.</summary>
public sealed record ResolvedStreet(string Name, double Latitude, double Longitude);

/// <summary>
/// The pipeline's gazetteer step: finds the street of the organisation's gazetteer that a post's text names. It only
/// answers; the ingest pipeline applies the answer (a payload geotag is never overwritten: a phone's fix is more
/// precise than a street's centre; a postcode stays the place). Pure apart from the cached gazetteer, so the prepare
/// step can call it from any number of threads.
/// </summary>
public sealed class PlaceResolver(GazetteerCache cache)
{
    /// <summary>The organisation's gazetteer (cached until an import replaces it).</summary>
    public Task<Gazetteer> GazetteerAsync(long organisationId, CancellationToken ct) => cache.ForAsync(organisationId, ct);

    /// <summary>The street <paramref name="text"/> names, or null (also when the gazetteer is empty).</summary>
    public static ResolvedStreet? Resolve(Gazetteer gazetteer, string text)
    {
        ArgumentNullException.ThrowIfNull(gazetteer);
        if (gazetteer.Count == 0 || gazetteer.FindIn(NormalisedText.Create(text)) is not { } match)
        {
            return null;
        }

        var street = match.Entry;
        var name = street.Locality is { Length: > 0 } l ? $"{street.Name}, {l}" : street.Name;
        return new ResolvedStreet(name, street.Latitude, street.Longitude);
    }
}
