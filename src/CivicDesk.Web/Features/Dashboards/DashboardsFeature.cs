using CivicDesk.Web.Platform;
using CivicDesk.Web.Features.Dashboards.Audience;
using CivicDesk.Web.Features.Sla;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivicDesk.Web.Features.Dashboards;

public static class DashboardsFeature
{
    /// <summary>Dashboards, channel shift and the engagement index, with the aggregate worker that feeds them.</summary>
    public static WebApplicationBuilder AddDashboardsFeature(this WebApplicationBuilder builder)
    {
        builder.AddDashboardAggregates();
        builder.Services.AddScoped<DashboardData>();
        builder.Services.AddScoped<ChannelShift>();
        builder.Services.AddScoped<EngagementIndex>();
        builder.Services.AddScoped<EngagementBenchmark>();
        builder.Services.AddScoped<EngagementExchange>();
        if (builder.Configuration.GetValue("Dashboards:BenchmarkWorker", true))
        {
            builder.Services.AddBackgroundWorker<BenchmarkWorker>();
        }

        builder.AddAudience();
        builder.Services.AddScoped<MonthlyReportBuilder>();
        builder.Services.AddScoped<ReportSchedules>();
        builder.Services.AddSingleton<ReportMailing>();
        builder.Services.AddOptions<ReportOptions>().BindConfiguration(ReportOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (builder.Configuration.GetValue($"{ReportOptions.Section}:{nameof(ReportOptions.EmailWorker)}", true))
        {
            builder.Services.AddBackgroundWorker<ReportEmailWorker>();
        }

        if (builder.Configuration.GetValue($"{DashboardOptions.Section}:{nameof(DashboardOptions.AggregateWorker)}", true))
        {
            builder.Services.AddBackgroundWorker<AggregateWorker>();
        }

        return builder;
    }

    /// <summary>The aggregate services without the worker (the CLI's rebuild uses these).</summary>
    public static WebApplicationBuilder AddDashboardAggregates(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // The maintainer measures response times in working hours; the CLI host has no SLA feature to register the
        // calendars, and `civicdesk aggregates rebuild` failed to start without them (session 14).
        builder.Services.TryAddSingleton<BusinessCalendars>();
        builder.Services.AddScoped<AggregateMaintainer>();
        return builder;
    }
}
