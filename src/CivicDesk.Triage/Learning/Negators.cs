namespace CivicDesk.Triage.Learning;

/// <summary>Words that open a negation scope (Das and Chen 2001; Pang, Lee and Vaithyanathan 2002).</summary>
internal static class Negators
{
    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "cannot", "cant", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt",
        "shouldnt", "couldnt", "havent", "hasnt", "hadnt", "aint", "nothing", "nobody", "none", "neither", "nor", "nowhere",
        "without", "hardly", "barely", "noone", "nope", "nah",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Words.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>True for a negator: a listed word or any word ending in n't (don't, can't, won't).</summary>
    public static bool IsNegator(ReadOnlySpan<char> word) =>
        (word.Length > 3 && word.EndsWith("n't", StringComparison.Ordinal)) || Lookup.Contains(word);
}
