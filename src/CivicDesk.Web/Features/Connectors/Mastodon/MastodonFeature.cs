namespace CivicDesk.Web.Features.Connectors.Mastodon;

public static class MastodonFeature
{
    public static WebApplicationBuilder AddMastodonConnector(this WebApplicationBuilder builder)
    {
        builder.Services.AddConnector<MastodonConnector>();
        return builder;
    }
}
