using CivicDesk.Triage;

namespace CivicDesk.Web.Features.Triage;

public static class TriageFeature
{
    /// <summary>One keyword engine for the whole app: it is immutable and thread-safe, and its lexicons are built once.</summary>
    public static WebApplicationBuilder AddTriageFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ITriageEngine, KeywordTriageEngine>();
        return builder;
    }
}
