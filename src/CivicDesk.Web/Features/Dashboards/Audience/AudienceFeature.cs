using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Features.Dashboards.Audience;

public static class AudienceFeature
{
    /// <summary>Audience and reach per account: the read API other features use.</summary>
    public static WebApplicationBuilder AddAudience(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AudienceFigures>();
        return builder;
    }
}
