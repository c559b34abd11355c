using CivicDesk.Triage;

namespace CivicDesk.Web.Features.Triage;

public static class TriageFeature
{
    public static WebApplicationBuilder AddTriageFeature(this WebApplicationBuilder builder)
    {
        // One engine for the process: triage engines are pure and thread-safe.
        builder.Services.AddSingleton<ITriageEngine, KeywordTriageEngine>();
        return builder;
    }
}
