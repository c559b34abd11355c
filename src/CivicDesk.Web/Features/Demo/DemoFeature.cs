namespace CivicDesk.Web.Features.Demo;

public static class DemoFeature
{
    public static WebApplicationBuilder AddDemoFeature(this WebApplicationBuilder builder) => builder;

    /// <summary>Seeds the demo organisation when demo mode is on (after migrations, before workers start).</summary>
    public static Task SeedDemoAsync(this WebApplication app, CancellationToken ct = default) => Task.CompletedTask;
}
