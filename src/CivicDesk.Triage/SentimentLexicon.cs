namespace CivicDesk.Triage;

/// <summary>
/// Positive and negative words. A word is read the other way round when a negator stands up to
/// <see cref="NegationWindow"/> words before it in the same sentence ("not good", "never been fixed", "no problem"),
/// at <see cref="NegatedFactor"/> of its weight: "not good" is weaker than "bad". Thanks count little: a polite
/// "thank you" closes most reports, happy or not.
/// </summary>
internal static class SentimentLexicon
{
    public const string Positive = "positive";
    public const string Negative = "negative";
    public const int NegationWindow = 3;
    public const double NegatedFactor = 0.75;

    public static IEnumerable<(string Phrase, string Tag, double Weight)> Entries() => LexiconTiers.Expand(Groups);

    public static readonly HashSet<string> Negators = new(
        ["not", "no", "never", "nobody", "nothing", "neither", "nor", "without", "hardly", "cannot", "isn't", "aren't", "wasn't",
         "weren't", "don't", "doesn't", "didn't", "won't", "wouldn't", "can't", "couldn't", "shouldn't", "hasn't", "haven't",
         "hadn't", "isnt", "arent", "wasnt", "dont", "doesnt", "didnt", "wont", "cant", "couldnt", "hasnt", "havent"],
        StringComparer.Ordinal);

    private static readonly (string Label, (double Weight, string Phrases)[] Tiers)[] Groups =
    [
        (Negative,
        [
            (2, "terrible, awful, horrible, appalling, disgrace, disgraceful, disgusting, shocking, useless, pathetic, dreadful, worst, unacceptable, fed up, sick of, incompetent, shambles, outrageous, horrendous, atrocious, abysmal, furious, livid, disgusted, death trap"),
            (1.5, "ridiculous, worse, angry, annoyed, annoying, frustrating, frustrated, nightmare, filthy, eyesore, ignored, hate, upset, scary, unhappy, disappointed, disappointing, nuisance, crap, rubbish service, poor service, dangerous, unsafe"),
            (1, "bad, poor, mess, dirty, neglected, joke, sad, worried, complaint, complain, danger, not working, broken, damaged, smelly, stinks, awkward, fault"),
            (0.5, "problem, hazard, concerned, concern, issue, difficult, unfortunately, sadly"),
        ]),
        (Positive,
        [
            (2, "excellent, brilliant, fantastic, amazing, wonderful, superb, impressed, grateful, well done, great job, good job, marvellous, delighted, outstanding"),
            (1.5, "great, lovely, helpful, happy, pleased, appreciate, appreciated, love, beautiful, perfect, efficient, prompt, promptly"),
            (1, "good, nice, quick, quickly, fixed, resolved, sorted, kind, friendly, clean, tidy, acceptable, improved, better, safe, working"),
            (0.5, "thank, thank you, cheers"),
        ]),
    ];
}
