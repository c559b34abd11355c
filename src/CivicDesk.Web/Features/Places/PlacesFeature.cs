namespace CivicDesk.Web.Features.Places;

public static class PlacesFeature
{
    public static WebApplicationBuilder AddPlacesFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GazetteerCache>();
        builder.Services.AddSingleton<PlaceResolver>();
        return builder;
    }
}
