namespace CivicDesk.Web.Features.Outbound;

public static class OutboundFeature
{
    public static WebApplicationBuilder AddOutboundFeature(this WebApplicationBuilder builder) => builder;
}
