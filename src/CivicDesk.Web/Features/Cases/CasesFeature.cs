namespace CivicDesk.Web.Features.Cases;

public static class CasesFeature
{
    public static WebApplicationBuilder AddCasesFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<CaseCommands>();
        builder.Services.AddScoped<CaseNotifier>();
        return builder;
    }
}
