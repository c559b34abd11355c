namespace CivicDesk.Triage.Tests;

/// <summary>Runs the keyword engine over one text; one shared engine, as in production.</summary>
internal static class Triage
{
    public static readonly KeywordTriageEngine Engine = new();

    public static TriageResult Of(string text, double? latitude = null, double? longitude = null) =>
        Engine.Triage(new TriageInput(text, latitude, longitude));

    public static IEnumerable<string> Features(this TriageLabel label) => label.Evidence.Select(e => e.Feature.ToLowerInvariant());
}
