namespace CivicDesk.Triage;

/// <summary>Lexicons are written as labels with weight tiers of comma-separated phrases; this unfolds them into entries.</summary>
internal static class LexiconTiers
{
    public static IEnumerable<(string Phrase, string Tag, double Weight)> Expand(IEnumerable<(string Label, (double Weight, string Phrases)[] Tiers)> groups)
    {
        foreach (var (label, tiers) in groups)
        {
            foreach (var (weight, phrases) in tiers)
            {
                foreach (var phrase in phrases.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    yield return (phrase, label, weight);
                }
            }
        }
    }
}
