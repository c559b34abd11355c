using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.Features.Map;

/// <summary>
/// The public map of reported problems and the staff case map. The tile server is a platform setting shared by every
/// map (<see cref="Platform.MapTileOptions"/>, same section); the page works without tiles (the list is always there).
/// </summary>
public sealed class MapOptions
{
    public const string Section = "Map";

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
