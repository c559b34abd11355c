using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.Features.Map;

/// <summary>
/// The public map of reported problems and the staff case map. Tiles come from any XYZ tile server; the page works
/// without them (the list is always there). A tile host other than OpenStreetMap's must also be allowed by the
/// Content-Security-Policy <c>img-src</c> (Platform/PlatformFeature.cs).
/// </summary>
public sealed class MapOptions
{
    public const string Section = "Map";

    /// <summary>Leaflet URL template: {s} subdomain, {z}/{x}/{y} tile. Empty: no tiles (markers on a blank map).</summary>
    [StringLength(500)]
    public string TileUrlTemplate { get; set; } = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png";

    /// <summary>HTML-free attribution text the tile licence requires (OpenStreetMap: ODbL).</summary>
    [StringLength(300)]
    public string TileAttribution { get; set; } = "© OpenStreetMap contributors";

    [Range(-90, 90)] public double CentreLatitude { get; set; } = 51.8994;
    [Range(-180, 180)] public double CentreLongitude { get; set; } = -2.0783;
    [Range(1, 19)] public int Zoom { get; set; } = 13;

    /// <summary>
    /// Public pages show locations rounded to this many decimal places (3 ≈ 110 m north–south): enough to find the
    /// pothole, not enough to pick out a house from a report made at home.
    /// </summary>
    [Range(2, 5)] public int PublicLocationDecimals { get; set; } = 3;

    /// <summary>At most this many cases on the public map and list (newest first).</summary>
    [Range(10, 20_000)] public int MaxPublicCases { get; set; } = 2_000;
}

public static class MapFeature
{
    public static WebApplicationBuilder AddMapFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MapOptions>().BindConfiguration(MapOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<PublicCases>();
        return builder;
    }
}
