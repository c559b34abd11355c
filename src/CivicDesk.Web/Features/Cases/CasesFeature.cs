using CivicDesk.Web.Platform;
namespace CivicDesk.Web.Features.Cases;

public static class CasesFeature
{
    public static WebApplicationBuilder AddCasesFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CasesOptions>().BindConfiguration(CasesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<CaseCommands>();
        builder.Services.AddScoped<CasePublicText>();
        builder.Services.AddScoped<CaseNotifier>();
        builder.Services.AddScoped<CaseList>();
        builder.Services.AddScoped<DuplicateFinder>();
        builder.Services.AddScoped<ICaseAssessmentStep>(sp => sp.GetRequiredService<DuplicateFinder>());
        builder.Services.AddSingleton<CaseCreationQueue>();
        builder.Services.AddSingleton<CaseAssessmentSignal>();
        builder.Services.AddBackgroundWorker<CaseAssessmentWorker>();
        builder.Services.AddSingleton<IDuplicateScorer, TriageDuplicateScorer>();
        return builder;
    }
}
