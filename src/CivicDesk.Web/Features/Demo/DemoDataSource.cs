namespace CivicDesk.Web.Features.Demo;

/// <summary>Loads the demo texts once, on first use (seeding or the feed), from wherever <see cref="DemoData.Locate"/> finds them.</summary>
public sealed class DemoDataSource(IConfiguration configuration, IHostEnvironment environment, ILogger<DemoDataSource> logger)
{
    public const string SharedDataVariable = "CIVICDESK_SHARED_DATA";

    private readonly Lazy<DemoData> _data = new(() =>
    {
        var configured = configuration[SharedDataVariable];
        var folder = DemoData.Locate(configured, Directory.GetCurrentDirectory(), environment.ContentRootPath, AppContext.BaseDirectory);
        var data = DemoData.Load(folder);
        if (data.IsSample)
        {
            logger.LogInformation("Demo data: shared datasets not found ({Variable} {State}); using the built-in sample of {Count} reports",
                SharedDataVariable, string.IsNullOrEmpty(configured) ? "unset" : "points elsewhere", data.Reports.Count);
        }
        else
        {
            logger.LogInformation("Demo data: {Reports} reports and {Posts} social posts from {Folder}", data.Reports.Count, data.SocialPosts.Count, data.Source);
        }

        return data;
    });

    public DemoData Data => _data.Value;
}
