using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.Features.Open311;

public sealed class Open311Options
{
    public const string Section = "Open311";

    /// <summary>GeoReport v2: GET requests without dates covers the last 90 days …</summary>
    [Range(1, 365)] public int DefaultWindowDays { get; set; } = 90;

    /// <summary>… and answers at most 1,000 requests.</summary>
    [Range(1, 10_000)] public int MaxRequests { get; set; } = 1000;

    /// <summary>GET servicerequestupdates without dates covers this many hours (FixMyStreet asks for the last 2 hours).</summary>
    [Range(1, 24 * 90)] public int DefaultUpdatesWindowHours { get; set; } = 24;

    /// <summary>Form bodies without files (url-encoded): the spec caps a description at 4,000 characters.</summary>
    [Range(1024, 16 * 1024 * 1024)] public int MaxFormBytes { get; set; } = 256 * 1024;

    /// <summary>Multipart bodies with photos: three photos of up to 10 MB and the fields.</summary>
    [Range(1024, 128 * 1024 * 1024)] public int MaxMultipartBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Calls per minute per API key (or per address when no key), all endpoints together.</summary>
    [Range(1, 1_000_000)] public int RequestsPerMinute { get; set; } = 600;

    /// <summary>How long a checked key is trusted before it is looked up again (revoking clears it at once in this process).</summary>
    [Range(0, 3600)] public int KeyCacheSeconds { get; set; } = 30;

    /// <summary>The discovery document's "key_service": where to ask for a key.</summary>
    [StringLength(500)] public string KeyService { get; set; } = "Ask the council's CivicDesk administrator for an Open311 key (Admin → Open311).";
}
