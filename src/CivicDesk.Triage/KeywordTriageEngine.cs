namespace CivicDesk.Triage;

/// <summary>
/// Transparent keyword triage: every label comes from words a person can read in the text, listed as its evidence.
/// Lexicons are compiled once into hash lookups and never change, so one instance is safe to share across threads.
/// Overlapping cues count once: when one cue lies inside a longer one ("light" in "traffic light"), only the longer counts.
/// </summary>
public sealed class KeywordTriageEngine : ITriageEngine
{
    /// <summary>Confidence of a label chosen because nothing matched ("other", "none", "neutral").</summary>
    public const double FallbackConfidence = 0.2;

    /// <summary>At most this many evidence items are kept per label, strongest first.</summary>
    public const int MaxEvidence = 8;

    private static readonly string[] KindTieOrder = ["rumour", "complaint", "service_request", "question", "compliment"];
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> ServiceWords = new HashSet<string>(
        ["council", "councils", "councillor", "highways", "contractor", "contractors", "department", "service", "services"],
        StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Negators = SentimentLexicon.Negators.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> QuestionOpeners = KindLexicon.QuestionOpeners.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly PhraseLexicon<string> Categories = new(CategoryLexicon.Entries());
    private static readonly PhraseLexicon<string> Kinds = new(KindLexicon.Entries());
    private static readonly PhraseLexicon<string> Sentiments = new(SentimentLexicon.Entries());
    private static readonly PhraseLexicon<(int Rule, int Group)> Urgency = new(UrgencyEntries());
    private static readonly PhraseLexicon<(int Rule, int Group)> Services = new(RuleEntries(ServiceRules.All.Select(r => r.Pattern).ToList()));

    /// <inheritdoc />
    public string Version => "keyword-1";

    /// <inheritdoc />
    public TriageResult Triage(TriageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var text = NormalisedText.Create(input.Text);
        var matches = new List<PhraseMatch<string>>();

        var category = MatchService(text)?.Label ?? ClassifyCategory(text, matches);
        var (sentiment, negative) = ClassifySentiment(text, matches);
        var kind = ClassifyKind(text, matches, category, sentiment, negative);
        return new TriageResult(kind, category, sentiment, AssessUrgency(text), FindPlace(text, input), Version);
    }

    internal static PlaceMention? FindPlace(NormalisedText text, double? latitude, double? longitude)
    {
        try
        {
            return PlaceFinder.Find(text, latitude, longitude);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return PlaceFinder.Geotag(latitude, longitude);
        }
    }

    private static PlaceMention? FindPlace(NormalisedText text, TriageInput input)
    {
        try
        {
            return PlaceFinder.Find(text, input.Latitude, input.Longitude);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            // The postcode patterns are linear, so a timeout would mean a starved machine; the geotag still stands.
            return PlaceFinder.Geotag(input.Latitude, input.Longitude);
        }
    }

    private static TriageLabel ClassifyCategory(NormalisedText text, List<PhraseMatch<string>> matches)
    {
        matches.Clear();
        Categories.Match(text, matches);
        var scores = new LabelScores();
        foreach (var m in Outermost(matches))
        {
            scores.Add(m.Entry.Tag, text.Slice(m.First, m.Last), m.Entry.Weight);
        }

        return scores.Decide("category", "none", []);
    }

    private static (TriageLabel Label, double Negative) ClassifySentiment(NormalisedText text, List<PhraseMatch<string>> matches)
    {
        matches.Clear();
        Sentiments.Match(text, matches);
        var scores = new LabelScores();
        foreach (var m in Outermost(matches))
        {
            var negator = SentimentLexicon.Negators.Contains(m.Entry.Words[0]) ? -1 : NegatorBefore(text, m.First);
            if (negator < 0)
            {
                scores.Add(m.Entry.Tag, text.Slice(m.First, m.Last), m.Entry.Weight);
            }
            else
            {
                var flipped = m.Entry.Tag == SentimentLexicon.Positive ? SentimentLexicon.Negative : SentimentLexicon.Positive;
                scores.Add(flipped, text.Slice(negator, m.Last), m.Entry.Weight * SentimentLexicon.NegatedFactor);
            }
        }

        var positive = scores.Score(SentimentLexicon.Positive);
        var negative = scores.Score(SentimentLexicon.Negative);
        if (positive == 0 && negative == 0)
        {
            return (new TriageLabel("sentiment", "neutral", FallbackConfidence, []), 0);
        }

        // Mixed signals of about the same strength read as neutral, with both sides as evidence.
        if (Math.Abs(positive - negative) < 0.5)
        {
            return (new TriageLabel("sentiment", "neutral", 0.3, scores.AllEvidence()), negative);
        }

        return (scores.Decide("sentiment", "neutral", []), negative);
    }

    private static TriageLabel ClassifyKind(NormalisedText text, List<PhraseMatch<string>> matches, TriageLabel category, TriageLabel sentiment, double negative)
    {
        matches.Clear();
        Kinds.Match(text, matches);
        var scores = new LabelScores();
        var thanks = new List<PhraseMatch<string>>();
        foreach (var m in Outermost(matches))
        {
            if (m.Entry.Tag == KindLexicon.Thanks)
            {
                thanks.Add(m);
            }
            else
            {
                scores.Add(m.Entry.Tag, text.Slice(m.First, m.Last), m.Entry.Weight);
            }
        }

        if (text.Chars.Contains('?'))
        {
            scores.Add("question", "?", KindLexicon.QuestionMarkWeight);
        }

        var openers = 0;
        for (var i = 0; i < text.Count && openers < 2; i++)
        {
            if (text.Tokens[i].StartsSentence && QuestionOpeners.Contains(text.Word(i)))
            {
                scores.Add("question", text.Slice(i, i), KindLexicon.OpenerWeight);
                openers++;
            }
        }

        // "Thank you" after a request or a complaint is politeness, not praise.
        var polite = scores.Score("service_request") + scores.Score("complaint") > 0;
        foreach (var m in thanks)
        {
            scores.Add("compliment", text.Slice(m.First, m.Last), polite ? m.Entry.Weight * 0.25 : m.Entry.Weight);
        }

        // Negative words about a public service make a complaint even without complaint phrases.
        if (sentiment.Value == SentimentLexicon.Negative && (category.Value != "none" || MentionsService(text)))
        {
            var bonus = Math.Min(1.5, 0.5 * negative);
            scores.Add("complaint", sentiment.Evidence[0].Feature, bonus);
        }

        // A bare description of a street problem ("Pothole on Dog Lane") is a report: a service request, weakly.
        if (scores.IsEmpty && category.Value != "none")
        {
            scores.Add("service_request", category.Evidence[0].Feature, 0.75);
        }

        return scores.Decide("kind", "other", KindTieOrder);
    }

    private static bool MentionsService(NormalisedText text)
    {
        for (var i = 0; i < text.Count; i++)
        {
            if (ServiceWords.Contains(text.Word(i)))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly UrgencyAssessment NotUrgent = new(false, null, null);
    private static readonly AnswerCache<UrgencyAssessment> UrgencyAnswers = new();
    private static readonly AnswerCache<ServiceRuleMatch> ServiceAnswers = new();

    [ThreadStatic]
    private static List<PhraseMatch<(int Rule, int Group)>>? t_urgencyMatches;

    /// <summary>The first safety rule that holds, with its phrase; allocates only when one does (the match list is per thread).</summary>
    internal static UrgencyAssessment AssessUrgency(NormalisedText text)
    {
        var matches = t_urgencyMatches ??= new List<PhraseMatch<(int Rule, int Group)>>(16);
        matches.Clear();
        Urgency.Match(text, matches);
        if (matches.Count == 0)
        {
            return NotUrgent;
        }

        for (var r = 0; r < UrgencyRules.All.Count; r++)
        {
            var rule = UrgencyRules.All[r];
            foreach (var anchor in matches)
            {
                if (anchor.Entry.Tag != (r, 0) || IsGuarded(matches, r, anchor) || NegatorBefore(text, anchor.First) >= 0)
                {
                    continue;
                }

                int first = anchor.First, last = anchor.Last;
                var holds = true;
                for (var g = 1; g <= rule.Companions.Length && holds; g++)
                {
                    var nearest = Nearest(matches, r, g, anchor, rule.Window);
                    holds = nearest is not null;
                    if (nearest is { } n)
                    {
                        first = Math.Min(first, n.First);
                        last = Math.Max(last, n.Last);
                    }
                }

                if (holds)
                {
                    // Shared with earlier messages that had the same phrase under the same rule.
                    if (!UrgencyAnswers.TryGet(r, text.SliceSpan(first, last), out var answer, out var slot))
                    {
                        answer = new UrgencyAssessment(true, rule.Reason, text.Slice(first, last));
                        UrgencyAnswers.Add(slot, r, answer.MatchedPhrase!, answer);
                    }

                    return answer;
                }
            }
        }

        return NotUrgent;
    }

    [ThreadStatic]
    private static List<PhraseMatch<(int Rule, int Group)>>? t_serviceMatches;

    /// <summary>
    /// The first <see cref="ServiceRules"/> rule that holds, as a category label with the matched phrase as evidence and
    /// the rule's reason; null when none does (allocates only then, like <see cref="AssessUrgency"/>).
    /// </summary>
    internal static ServiceRuleMatch? MatchService(NormalisedText text)
    {
        var matches = t_serviceMatches ??= new List<PhraseMatch<(int Rule, int Group)>>(8);
        matches.Clear();
        Services.Match(text, matches);
        if (matches.Count == 0)
        {
            return null;
        }

        for (var r = 0; r < ServiceRules.All.Count; r++)
        {
            var (rule, pattern) = ServiceRules.All[r];
            foreach (var anchor in matches)
            {
                if (anchor.Entry.Tag != (r, 0) || IsGuarded(matches, r, anchor) || NegatorBefore(text, anchor.First) >= 0)
                {
                    continue;
                }

                int first = anchor.First, last = anchor.Last;
                var holds = true;
                for (var g = 1; g <= pattern.Companions.Length && holds; g++)
                {
                    var nearest = Nearest(matches, r, g, anchor, pattern.Window);
                    holds = nearest is not null;
                    if (nearest is { } n)
                    {
                        first = Math.Min(first, n.First);
                        last = Math.Max(last, n.Last);
                    }
                }

                if (holds)
                {
                    if (!ServiceAnswers.TryGet(r, text.SliceSpan(first, last), out var answer, out var slot))
                    {
                        var phrase = text.Slice(first, last);
                        answer = new ServiceRuleMatch(rule, phrase,
                            new TriageLabel("category", rule.Category, 1.0, [new Evidence(phrase, 1.0, "rule")], Source: "rule", Reason: rule.Reason));
                        ServiceAnswers.Add(slot, r, phrase, answer);
                    }

                    return answer;
                }
            }
        }

        return null;
    }

    private static bool IsGuarded(List<PhraseMatch<(int Rule, int Group)>> matches, int rule, PhraseMatch<(int Rule, int Group)> anchor)
    {
        // A loop rather than List.Exists: no closure on the allocation-free path.
        foreach (var g in matches)
        {
            if (g.Entry.Tag == (rule, -1) && g.First <= anchor.Last && g.Last >= anchor.First)
            {
                return true;
            }
        }

        return false;
    }

    private static PhraseMatch<(int Rule, int Group)>? Nearest(List<PhraseMatch<(int Rule, int Group)>> matches, int rule, int group, PhraseMatch<(int Rule, int Group)> anchor, int window)
    {
        PhraseMatch<(int Rule, int Group)>? best = null;
        var bestGap = int.MaxValue;
        foreach (var m in matches)
        {
            if (m.Entry.Tag != (rule, group))
            {
                continue;
            }

            var gap = m.First > anchor.Last ? m.First - anchor.Last : anchor.First > m.Last ? anchor.First - m.Last : 0;
            if (gap <= window && gap < bestGap)
            {
                (best, bestGap) = (m, gap);
            }
        }

        return best;
    }

    /// <summary>Index of a negator up to <see cref="SentimentLexicon.NegationWindow"/> words before <paramref name="index"/> in the same sentence, or -1.</summary>
    private static int NegatorBefore(NormalisedText text, int index)
    {
        for (var i = index - 1; i >= 0 && i >= index - SentimentLexicon.NegationWindow; i--)
        {
            if (text.Tokens[i + 1].StartsSentence)
            {
                break;
            }

            if (Negators.Contains(text.Word(i)))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Drops matches lying inside a longer match, and repeats of an entry (each cue counts once). Sorted by start,
    /// longest first, a match is inside another exactly when an earlier one reaches at least as far.
    /// </summary>
    private static List<PhraseMatch<TTag>> Outermost<TTag>(List<PhraseMatch<TTag>> matches)
    {
        var kept = new List<PhraseMatch<TTag>>(matches.Count);
        OutermostInto(matches, kept);
        return kept;
    }

    /// <summary>
    /// <see cref="Outermost{TTag}"/> into a caller's list, without allocating: "seen" is a scan of the kept matches (a
    /// handful) rather than a set.
    /// </summary>
    private static void OutermostInto<TTag>(List<PhraseMatch<TTag>> matches, List<PhraseMatch<TTag>> kept)
    {
        matches.Sort(ByStartLongestFirst<TTag>.Comparison);
        kept.Clear();
        var reach = -1;
        int reachFirst = -1, reachCount = 0;
        foreach (var m in matches)
        {
            var inside = reach >= m.Last && (reachFirst < m.First || reachCount > m.Count);
            if (m.Last > reach)
            {
                (reach, reachFirst, reachCount) = (m.Last, m.First, m.Count);
            }

            if (!inside && !ContainsEntry(kept, m.Entry))
            {
                kept.Add(m);
            }
        }
    }

    private static bool ContainsEntry<TTag>(List<PhraseMatch<TTag>> kept, LexiconEntry<TTag> entry)
    {
        foreach (var k in kept)
        {
            if (ReferenceEquals(k.Entry, entry))
            {
                return true;
            }
        }

        return false;
    }

    private static class ByStartLongestFirst<TTag>
    {
        public static readonly Comparison<PhraseMatch<TTag>> Comparison =
            static (a, b) => a.First != b.First ? a.First.CompareTo(b.First) : b.Count.CompareTo(a.Count);
    }

    [ThreadStatic] private static List<PhraseMatch<string>>? t_matches;
    [ThreadStatic] private static List<PhraseMatch<string>>? t_kept;

    /// <summary>
    /// The keyword kind's value and whether a category cue or rule fired, exactly as <see cref="Triage"/> decides them
    /// but without evidence, labels or confidences: what <see cref="ModelTriageEngine.Label"/> needs when the complaint
    /// model says "not a complaint". Allocates nothing after a thread's first call.
    /// </summary>
    /// <param name="text">The message, normalised.</param>
    /// <param name="serviceRule">A service rule gave the category (<see cref="MatchService"/> held).</param>
    internal static (string Kind, bool HasCategory) KindValue(NormalisedText text, bool serviceRule)
    {
        var matches = t_matches ??= new List<PhraseMatch<string>>(32);
        var kept = t_kept ??= new List<PhraseMatch<string>>(32);

        // Category: "none" exactly when no category cue matched (a rule, else the first outermost cue always stands).
        var hasCategory = serviceRule;
        if (!hasCategory)
        {
            matches.Clear();
            Categories.Match(text, matches);
            hasCategory = matches.Count > 0;
        }

        // Sentiment as ClassifySentiment: the same additions in the same order, so the same sums.
        matches.Clear();
        Sentiments.Match(text, matches);
        OutermostInto(matches, kept);
        var sentimentScores = new ValueScores();
        foreach (var m in kept)
        {
            var negator = SentimentLexicon.Negators.Contains(m.Entry.Words[0]) ? -1 : NegatorBefore(text, m.First);
            if (negator < 0)
            {
                sentimentScores.Add(m.Entry.Tag, m.Entry.Weight);
            }
            else
            {
                var flipped = m.Entry.Tag == SentimentLexicon.Positive ? SentimentLexicon.Negative : SentimentLexicon.Positive;
                sentimentScores.Add(flipped, m.Entry.Weight * SentimentLexicon.NegatedFactor);
            }
        }

        var positive = sentimentScores.Score(SentimentLexicon.Positive);
        var negative = sentimentScores.Score(SentimentLexicon.Negative);
        var sentiment = positive == 0 && negative == 0 ? "neutral"
            : Math.Abs(positive - negative) < 0.5 ? "neutral"
            : sentimentScores.Decide("neutral", []);
        // Kind as ClassifyKind.
        matches.Clear();
        Kinds.Match(text, matches);
        OutermostInto(matches, kept);
        var scores = new ValueScores();
        foreach (var m in kept)
        {
            if (m.Entry.Tag != KindLexicon.Thanks)
            {
                scores.Add(m.Entry.Tag, m.Entry.Weight);
            }
        }

        if (text.Chars.Contains('?'))
        {
            scores.Add("question", KindLexicon.QuestionMarkWeight);
        }

        var openers = 0;
        for (var i = 0; i < text.Count && openers < 2; i++)
        {
            if (text.Tokens[i].StartsSentence && QuestionOpeners.Contains(text.Word(i)))
            {
                scores.Add("question", KindLexicon.OpenerWeight);
                openers++;
            }
        }

        var polite = scores.Score("service_request") + scores.Score("complaint") > 0;
        foreach (var m in kept)
        {
            if (m.Entry.Tag == KindLexicon.Thanks)
            {
                scores.Add("compliment", polite ? m.Entry.Weight * 0.25 : m.Entry.Weight);
            }
        }

        if (sentiment == SentimentLexicon.Negative && (hasCategory || MentionsService(text)))
        {
            scores.Add("complaint", Math.Min(1.5, 0.5 * negative));
        }

        if (scores.IsEmpty && hasCategory)
        {
            scores.Add("service_request", 0.75);
        }

        return (scores.Decide("other", KindTieOrder), hasCategory);
    }

    /// <summary>
    /// <see cref="LabelScores"/> without evidence, on the stack: sums per label in the order added, and the same winner
    /// (highest score, then the tie order, then the label's ordinal order: a total order, so any scan finds it).
    /// </summary>
    private struct ValueScores
    {
        private const int Capacity = 8;
        private InlineLabels _labels;
        private InlineScores _scores;
        private int _count;

        public readonly bool IsEmpty => _count == 0;

        public void Add(string label, double weight)
        {
            for (var i = 0; i < _count; i++)
            {
                if (string.Equals(_labels[i], label, StringComparison.Ordinal))
                {
                    _scores[i] += weight;
                    return;
                }
            }

            // Kind, sentiment: at most six labels.
            if (_count == Capacity)
            {
                throw new InvalidOperationException("More labels than a keyword task has.");
            }

            _labels[_count] = label;
            _scores[_count] = 0 + weight;
            _count++;
        }

        public readonly double Score(string label)
        {
            for (var i = 0; i < _count; i++)
            {
                if (string.Equals(_labels[i], label, StringComparison.Ordinal))
                {
                    return _scores[i];
                }
            }

            return 0;
        }

        public readonly string Decide(string fallback, string[] tieOrder)
        {
            if (_count == 0)
            {
                return fallback;
            }

            var best = 0;
            for (var i = 1; i < _count; i++)
            {
                if (Before(i, best, tieOrder))
                {
                    best = i;
                }
            }

            return _labels[best]!;
        }

        private readonly bool Before(int a, int b, string[] tieOrder)
        {
            if (_scores[a] != _scores[b])
            {
                return _scores[a] > _scores[b];
            }

            var (ta, tb) = (TieRank(_labels[a]!, tieOrder), TieRank(_labels[b]!, tieOrder));
            return ta != tb ? ta < tb : string.CompareOrdinal(_labels[a], _labels[b]) < 0;
        }

        private static int TieRank(string label, string[] tieOrder) => Array.IndexOf(tieOrder, label) is var i && i >= 0 ? i : int.MaxValue;

        [System.Runtime.CompilerServices.InlineArray(Capacity)]
        private struct InlineLabels
        {
            private string? _element;
        }

        [System.Runtime.CompilerServices.InlineArray(Capacity)]
        private struct InlineScores
        {
            private double _element;
        }
    }

    private static IEnumerable<(string Phrase, (int Rule, int Group) Tag, double Weight)> UrgencyEntries() => RuleEntries(UrgencyRules.All);

    private static IEnumerable<(string Phrase, (int Rule, int Group) Tag, double Weight)> RuleEntries(IReadOnlyList<UrgencyRule> rules)
    {
        for (var r = 0; r < rules.Count; r++)
        {
            var rule = rules[r];
            foreach (var phrase in rule.Anchors)
            {
                yield return (phrase, (r, 0), 1);
            }

            for (var g = 0; g < rule.Companions.Length; g++)
            {
                foreach (var phrase in rule.Companions[g])
                {
                    yield return (phrase, (r, g + 1), 1);
                }
            }

            foreach (var phrase in rule.Guards)
            {
                yield return (phrase, (r, -1), 1);
            }
        }
    }
}
