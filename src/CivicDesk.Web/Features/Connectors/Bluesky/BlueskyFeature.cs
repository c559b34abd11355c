namespace CivicDesk.Web.Features.Connectors.Bluesky;

public static class BlueskyFeature
{
    /// <summary>Registers the Bluesky connector as an <see cref="ISocialConnector"/> (the connector host runs it per channel).</summary>
    public static IServiceCollection AddBlueskyConnector(this IServiceCollection services)
    {
        services.AddSingleton<BlueskyConnector>();
        services.AddSingleton<ISocialConnector>(sp => sp.GetRequiredService<BlueskyConnector>());
        return services;
    }
}
