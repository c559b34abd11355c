namespace CivicDesk.Triage;

/// <summary>One word or phrase of a lexicon, tokenised the way message text is.</summary>
internal sealed record LexiconEntry<TTag>(string Phrase, string[] Words, TTag Tag, double Weight);

/// <summary>Where an entry matched: its first word's index and how many words it spans.</summary>
internal readonly record struct PhraseMatch<TTag>(LexiconEntry<TTag> Entry, int First, int Count)
{
    public int Last => First + Count - 1;
}

/// <summary>
/// Whole-word phrase matching with one hash lookup per word of text: entries are indexed by their first word, and
/// the rest of a phrase is compared only where the first word hit. A word also matches its plural ("drain" finds
/// "drains", "bush" finds "bushes"), so lexicons list singulars. Immutable once built, so safe to share across threads.
/// </summary>
internal sealed class PhraseLexicon<TTag>
{
    private readonly WordTable<LexiconEntry<TTag>[]> _byFirstWord;

    public PhraseLexicon(IEnumerable<(string Phrase, TTag Tag, double Weight)> entries)
    {
        var index = new Dictionary<string, List<LexiconEntry<TTag>>>(StringComparer.Ordinal);
        var all = new List<LexiconEntry<TTag>>();
        foreach (var (phrase, tag, weight) in entries)
        {
            var text = NormalisedText.Create(phrase);
            if (text.Count == 0)
            {
                throw new ArgumentException($"Lexicon phrase '{phrase}' has no words.", nameof(entries));
            }

            var words = new string[text.Count];
            for (var i = 0; i < words.Length; i++)
            {
                words[i] = text.Word(i).ToString();
            }

            var entry = new LexiconEntry<TTag>(phrase, words, tag, weight);
            all.Add(entry);
            if (!index.TryGetValue(words[0], out var list))
            {
                index[words[0]] = list = [];
            }

            list.Add(entry);
        }

        RejectPluralTwins(all);
        Entries = all;
        _byFirstWord = new WordTable<LexiconEntry<TTag>[]>([.. index.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.ToArray()))]);
    }

    public IReadOnlyList<LexiconEntry<TTag>> Entries { get; }

    /// <summary>"drain" already matches "drains": listing both under one tag would count the same word twice.</summary>
    private static void RejectPluralTwins(List<LexiconEntry<TTag>> entries)
    {
        var comparer = EqualityComparer<TTag>.Default;
        var twins = new List<string>();
        for (var a = 0; a < entries.Count; a++)
        {
            for (var b = 0; b < entries.Count; b++)
            {
                var (x, y) = (entries[a], entries[b]);
                if (a != b && x.Words.Length == y.Words.Length && comparer.Equals(x.Tag, y.Tag)
                    && x.Words.Select((w, i) => WordMatches(w, y.Words[i])).All(m => m))
                {
                    twins.Add($"'{y.Phrase}' and '{x.Phrase}' ({x.Tag})");
                }
            }
        }

        if (twins.Count > 0)
        {
            throw new ArgumentException("Lexicon entries that are the same word or its plural: " + string.Join("; ", twins), nameof(entries));
        }
    }

    /// <summary>Adds every match in <paramref name="text"/> to <paramref name="into"/>, in text order.</summary>
    public void Match(NormalisedText text, List<PhraseMatch<TTag>> into)
    {
        for (var i = 0; i < text.Count; i++)
        {
            var word = text.Word(i);
            TryFrom(text, i, word, text.WordHash(i), into);
            if (word.Length > 3 && word[^1] == 's' && word[^2] != 's')
            {
                TryFrom(text, i, word[..^1], text.WordHashWithout(i, 1), into);
                if (word[^2] == 'e')
                {
                    TryFrom(text, i, word[..^2], text.WordHashWithout(i, 2), into);
                }
            }
        }
    }

    private void TryFrom(NormalisedText text, int first, ReadOnlySpan<char> key, uint hash, List<PhraseMatch<TTag>> into)
    {
        if (!_byFirstWord.TryGetValue(key, hash, out var candidates))
        {
            return;
        }

        foreach (var entry in candidates)
        {
            if (first + entry.Words.Length > text.Count)
            {
                continue;
            }

            var all = true;
            for (var k = 1; k < entry.Words.Length && all; k++)
            {
                all = WordMatches(text.Word(first + k), entry.Words[k]);
            }

            if (all)
            {
                into.Add(new PhraseMatch<TTag>(entry, first, entry.Words.Length));
            }
        }
    }

    /// <summary>Equal, or the lexicon word plus "s" or "es".</summary>
    internal static bool WordMatches(ReadOnlySpan<char> token, string word)
    {
        if (token.SequenceEqual(word))
        {
            return true;
        }

        if (!token.StartsWith(word, StringComparison.Ordinal) || word.Length < 3)
        {
            return false;
        }

        var rest = token[word.Length..];
        return rest is "s" or "es";
    }
}
