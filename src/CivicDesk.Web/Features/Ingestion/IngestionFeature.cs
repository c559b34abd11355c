namespace CivicDesk.Web.Features.Ingestion;

public static class IngestionFeature
{
    public static WebApplicationBuilder AddIngestionFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IngestPipeline>();
        return builder;
    }

    public static IEndpointRouteBuilder MapIngestionApi(this IEndpointRouteBuilder app) => app;
}
