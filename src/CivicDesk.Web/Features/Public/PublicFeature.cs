using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.Features.Public;

/// <summary>Citizen pages: which organisation they serve and where the report map starts.</summary>
public sealed class PublicOptions
{
    public const string Section = "Public";

    /// <summary>
    /// The organisation the citizen pages serve. Unset: "demo" when it exists, else the only organisation when there
    /// is exactly one.
    /// </summary>
    [StringLength(64)] public string? OrganisationSlug { get; set; }

    /// <summary>Where the report map opens (the demo data is around Cheltenham).</summary>
    [Range(49.8, 60.95)] public double MapLatitude { get; set; } = 51.8994;

    [Range(-8.7, 1.8)] public double MapLongitude { get; set; } = -2.0783;

    [Range(5, 18)] public int MapZoom { get; set; } = 13;
}

public static class PublicFeature
{
    public static WebApplicationBuilder AddPublicFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PublicOptions>().BindConfiguration(PublicOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<PublicOrganisationResolver>();
        builder.Services.AddScoped<PublicOrganisationFilter>();
        builder.Services.AddSingleton<PhotoStore>();
        builder.Services.AddScoped<ReporterEmail>();
        return builder;
    }
}
