using CivicDesk.Web.Platform;
using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Privacy;

public sealed class PrivacyOptions
{
    public const string Section = "Privacy";

    /// <summary>How often the purge job applies every organisation's enabled retention policies.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromDays(1);

    public bool PurgeWorkerEnabled { get; set; } = true;
}

public static class PrivacyFeature
{
    public static WebApplicationBuilder AddPrivacyFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PrivacyOptions>().BindConfiguration(PrivacyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<RetentionPurge>();
        builder.Services.AddScoped<SubjectAccessSearch>();
        builder.Services.AddScoped<PublicPrivacy>();
        if (builder.Configuration.GetValue($"{PrivacyOptions.Section}:{nameof(PrivacyOptions.PurgeWorkerEnabled)}", true))
        {
            builder.Services.AddBackgroundWorker<RetentionWorker>();
        }

        return builder;
    }
}

/// <summary>The daily purge: every organisation with an enabled policy, one after another, each in its own scope.</summary>
public sealed class RetentionWorker(IServiceScopeFactory scopes, IOptions<PrivacyOptions> options, ILogger<RetentionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                List<long> organisations;
                await using (var scope = scopes.CreateAsyncScope())
                {
                    organisations = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().RetentionPolicies.IgnoreQueryFilters()
                        .Where(p => p.IsEnabled).Select(p => p.OrganisationId).Distinct().ToListAsync(stoppingToken);
                }

                foreach (var organisation in organisations)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<RetentionPurge>().RunAsync(organisation, dryRun: false, stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One failed night must not stop the job; the next run picks up everything still due.
                logger.LogError(e, "Retention purge failed");
            }
        }
    }
}
