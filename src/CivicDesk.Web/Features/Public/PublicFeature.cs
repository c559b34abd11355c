namespace CivicDesk.Web.Features.Public;

public static class PublicFeature
{
    public static WebApplicationBuilder AddPublicFeature(this WebApplicationBuilder builder) => builder;
}
