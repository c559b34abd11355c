namespace CivicDesk.Web.Domain;

public enum IncidentSeverity
{
    Minor,
    Significant,
    Major,
    Critical,
}

public enum IncidentStatus
{
    Active,
    StoodDown,
}

public enum IncidentAreaKind
{
    Radius,
    Polygon,
}

/// <summary>
/// A declared incident (a flood, a fire, disorder): while active it puts a banner on every public page and runs a
/// public live page of verified updates. The area is a circle or a GeoJSON polygon (WGS84 longitude/latitude).
/// </summary>
public sealed class Incident : IOrganisationOwned
{
    public const int MaxTitleLength = 120;
    public const int MaxGuidanceLength = 4000;
    public const int MaxKeywordsLength = 500;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>The public page's address: /incidents/{slug}. Unique per organisation, never reused.</summary>
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public IncidentSeverity Severity { get; set; }
    public IncidentStatus Status { get; set; } = IncidentStatus.Active;
    public IncidentAreaKind AreaKind { get; set; }
    public double? CentreLatitude { get; set; }
    public double? CentreLongitude { get; set; }
    public double? RadiusMetres { get; set; }
    /// <summary>A GeoJSON Polygon geometry when <see cref="AreaKind"/> is Polygon.</summary>
    public string? AreaGeoJson { get; set; }
    /// <summary>Comma-separated words and phrases; an inbound message containing one belongs to the incident.</summary>
    public string Keywords { get; set; } = "";
    /// <summary>Pinned "what to do now" guidance, plain text (paragraphs separated by blank lines).</summary>
    public string Guidance { get; set; } = "";
    public DateTime DeclaredAt { get; set; }
    public string? DeclaredById { get; set; }
    public required string DeclaredByName { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? StoodDownAt { get; set; }
    public string? StoodDownByName { get; set; }
    /// <summary>Written at stand-down: what happened and what was done, shown on the public page and the report.</summary>
    public string? Summary { get; set; }
    /// <summary>Bumped by every public change (update, guidance, stand-down): the live page asks "anything after version N?".</summary>
    public int Version { get; set; }

    public IReadOnlyList<string> KeywordList() =>
        Keywords.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}

/// <summary>One verified update on an incident's public timeline, optionally with a photo and sent to chosen channels.</summary>
public sealed class IncidentUpdate : IOrganisationOwned
{
    public const int MaxTextLength = 2000;
    public const int MaxAltLength = 250;

    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long IncidentId { get; set; }
    public required string Text { get; set; }
    public DateTime PostedAt { get; set; }
    public string? PostedById { get; set; }
    public required string PostedByName { get; set; }
    /// <summary>The photo's id in the photo store (uploads/&lt;organisation&gt;/&lt;id&gt;.&lt;ext&gt;), if any.</summary>
    public Guid? PhotoId { get; set; }
    public string? PhotoContentType { get; set; }
    public string? PhotoStoredPath { get; set; }
    public string? PhotoAlt { get; set; }
    /// <summary>The channels it was sent to, comma-separated channel ids (empty: web page only).</summary>
    public string ChannelIds { get; set; } = "";
    /// <summary>What the publishing service returned for this update's post, to read its per-channel state.</summary>
    public string? PublicationReference { get; set; }
}
