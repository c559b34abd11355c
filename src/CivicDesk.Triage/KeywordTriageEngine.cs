namespace CivicDesk.Triage;

/// <summary>
/// Transparent keyword triage: every label comes from words a person can read in the text.
/// Placeholder until the keyword lexicons land (helper work in progress).
/// </summary>
public sealed class KeywordTriageEngine : ITriageEngine
{
    /// <inheritdoc />
    public string Version => "keyword-0";

    /// <inheritdoc />
    public TriageResult Triage(TriageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new TriageResult(
            new TriageLabel("kind", "other", 0, []),
            new TriageLabel("category", "none", 0, []),
            new TriageLabel("sentiment", "neutral", 0, []),
            new UrgencyAssessment(false, null, null),
            null,
            Version);
    }
}
