namespace CivicDesk.Web.Features.Connectors.X;

public static class XFeature
{
    public static WebApplicationBuilder AddXConnector(this WebApplicationBuilder builder)
    {
        builder.Services.AddConnector<XConnector>();
        return builder;
    }
}
