namespace CivicDesk.Triage;

/// <summary>
/// Cues for the kind of message. "thanks" is its own tag: thanking is praise on its own, but mostly politeness at the
/// end of a request or complaint, so the engine discounts it there. Questions also get credit for a "?" and for a
/// sentence that opens with a question word (see <see cref="QuestionOpeners"/>).
/// </summary>
internal static class KindLexicon
{
    public const string Thanks = "thanks";

    public static IEnumerable<(string Phrase, string Tag, double Weight)> Entries() => LexiconTiers.Expand(Groups);

    /// <summary>Words that open a question when they start a sentence ("When will…", "Is the…").</summary>
    public static readonly HashSet<string> QuestionOpeners = new(
        ["how", "why", "when", "what", "where", "who", "which", "whose", "is", "are", "was", "were", "will", "would", "can",
         "could", "do", "does", "did", "has", "have", "should", "shall", "may", "am", "isn't", "aren't", "won't", "hasn't", "haven't"],
        StringComparer.Ordinal);

    /// <summary>Weight of a "?" in the text, and of a question opener.</summary>
    public const double QuestionMarkWeight = 2;
    public const double OpenerWeight = 1;

    private static readonly (string Label, (double Weight, string Phrases)[] Tiers)[] Groups =
    [
        ("rumour",
        [
            (3, "is it true, is this true, is that true, rumour, rumor, rumoured, rumored"),
            (2, "i heard, i've heard, ive heard, i have heard, apparently, people are saying, everyone is saying, word is, fake news, hearing that, heard a rumour"),
            (1.5, "heard that, supposedly, allegedly, someone said, somebody said, someone told me, somebody told me, going round, going around, true that"),
            (1, "been told, on facebook, i read that"),
        ]),
        (Thanks,
        [
            (2, "thank you, thank, cheers, ta very much"),
        ]),
        ("compliment",
        [
            (3, "well done, great job, good job, fantastic job, brilliant job, great work, excellent service, kudos, hats off, much appreciated, credit to, thank you so much, thanks so much, thanks a lot"),
            (2, "brilliant, fantastic, excellent, amazing, impressed, grateful, superb, wonderful, appreciate, appreciated, quick response, so quickly, so fast, very quickly, really quickly, marvellous"),
            (1.5, "lovely, helpful, pleased, delighted, happy, great, praise"),
        ]),
        ("service_request",
        [
            (3, "please fix, please repair, please remove, please collect, please clear, please empty, please send, please sort, please cut, please can, please could, please arrange, can you send, could you send, can someone, could someone, can you please, could you please, can this be, can it be, could this be, could it be, would like to report, want to report, needs fixing, needs repairing, needs repair, needs emptying, needs clearing, needs cutting, needs removing, need to be, request, requesting"),
            (2, "report, reporting, arrange for, be removed, be repaired, be fixed, be cleared, be emptied, be collected, be cut back, needs attention, be looked at, sort out, sort this"),
            (1, "please, need, fix, repair, remove, collect"),
        ]),
        ("complaint",
        [
            (3, "disgrace, disgraceful, useless, still not, still no, still waiting, still hasn't, still haven't, nobody has, no one has, yet again, fed up, sick of, sick and tired, unacceptable, appalling, shocking, pathetic, ridiculous, incompetent, shambles, outrageous, complaint, complain, not good enough, waste of money, waste of time, reported this before, reported it before, already reported, reported several times, reported many times, reported numerous times, reported this several, been reported, for months, for weeks, for years, nothing has been done, nothing being done, nobody cares, no one cares, no response, no reply"),
            (2, "again, still, ignored, never, terrible, awful, disgusting, joke, why has, why is, why hasn't, why haven't, why are, council tax, how long, how many more, not acceptable"),
            (1, "worse, worst, poor, bad, months, weeks, years"),
        ]),
        ("question",
        [
            (2, "does anyone know, anyone know, do you know, can anyone tell, could anyone tell, i was wondering, wondering if, who do i, how do i, how can i, where can i, what time, when will, when is, when are, is there any, are there any, any idea, any news, any update, what is happening, what's happening, what's going on, question, enquiry, enquire, query"),
        ]),
    ];
}
