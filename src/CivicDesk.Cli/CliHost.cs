using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Accounts;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Dashboards;
using CivicDesk.Web.Features.Dashboards.Audience;
using CivicDesk.Web.Features.Demo;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Places;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Features.Triage;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivicDesk.Cli;

/// <summary>The web app's data services without its web server: same configuration, same database.</summary>
internal static class CliHost
{
    /// <param name="settings">Extra configuration on top of the environment (tests use it instead of environment variables).</param>
    public static WebApplication Build(IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.ClearProviders();
        // Commands that need the ingest pipeline start the host (its workers run with it); its web server then
        // listens on a free loopback port only, and maps nothing.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpContextAccessor();
        var dataDirectory = DataDirectory.Resolve(builder.Configuration);
        // Same key ring as the web app, so anything protected here (Identity tokens) is readable there.
        builder.Services.AddCivicDeskDataProtection(builder.Configuration, dataDirectory);
        builder.AddData();
        builder.AddStaffAuth();
        builder.AddTelemetry();
        builder.AddAuditFeature();
        builder.AddTriageFeature();
        builder.AddIngestionFeature();
        builder.AddRoutingFeature();
        builder.AddPlacesFeature();
        builder.AddDemoSeeding();
        builder.AddDashboardAggregates();
        builder.Services.AddAudienceCollection();
        builder.Services.AddScoped<StaffDirectory>();
        return builder.Build();
    }
}
