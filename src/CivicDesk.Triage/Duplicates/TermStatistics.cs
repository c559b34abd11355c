using System.Globalization;
using System.Text;

namespace CivicDesk.Triage.Duplicates;

/// <summary>A unit-length TF-IDF vector over terms, sorted by term for merge-style dot products.</summary>
public sealed class TermVector
{
    internal TermVector(string[] terms, double[] weights)
    {
        Terms = terms;
        Weights = weights;
    }

    /// <summary>Terms, sorted ordinally.</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>Weights, aligned with <see cref="Terms"/>.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>Cosine similarity (both vectors are unit length, so the dot product).</summary>
    public static double Cosine(TermVector a, TermVector b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        double dot = 0;
        int i = 0, j = 0;
        while (i < a.Terms.Count && j < b.Terms.Count)
        {
            var c = string.CompareOrdinal(a.Terms[i], b.Terms[j]);
            if (c == 0)
            {
                dot += a.Weights[i++] * b.Weights[j++];
            }
            else if (c < 0)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return Math.Clamp(dot, 0, 1);
    }

    /// <summary>The shared terms contributing most to the similarity, for explanations.</summary>
    public static IReadOnlyList<string> TopShared(TermVector a, TermVector b, int count)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shared = new List<(string Term, double Weight)>();
        int i = 0, j = 0;
        while (i < a.Terms.Count && j < b.Terms.Count)
        {
            var c = string.CompareOrdinal(a.Terms[i], b.Terms[j]);
            if (c == 0)
            {
                shared.Add((a.Terms[i], a.Weights[i] * b.Weights[j]));
                i++;
                j++;
            }
            else if (c < 0)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        // "lypiatt_road" and its joined twin "lypiattroad" say the same thing: show the phrase only.
        var phrases = shared.Where(s => s.Term.Contains('_', StringComparison.Ordinal))
            .Select(s => s.Term.Replace("_", "", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        return shared.Where(s => s.Term.Contains('_', StringComparison.Ordinal) || !phrases.Contains(s.Term))
            .OrderByDescending(s => s.Weight).ThenBy(s => s.Term, StringComparer.Ordinal)
            .Select(s => s.Term.Replace('_', ' ')).Take(count).ToList();
    }
}

/// <summary>
/// Document frequencies of terms over a corpus (the organisation's recent cases, or a dataset), for IDF weights.
/// Terms are lower-cased words without stop words, lightly stemmed (plural "s"), plus each adjacent pair joined
/// both as a phrase ("street_light") and as one word ("streetlight"), so "pot hole" meets "pothole".
/// </summary>
public sealed class TermStatistics
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
        "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down",
        "during", "each", "few", "for", "from", "further", "get", "got", "had", "has", "have", "having", "he", "her", "here",
        "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "more", "most", "my", "no",
        "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "own", "please", "same",
        "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they",
        "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
        "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "been", "being", "its",
        "it's", "im", "ive", "dont", "isnt", "also", "still", "near", "outside", "opposite", "next", "there's", "x",
    };

    private readonly Dictionary<string, int> _documentFrequency;
    private readonly int _documents;

    private TermStatistics(Dictionary<string, int> documentFrequency, int documents)
    {
        _documentFrequency = documentFrequency;
        _documents = documents;
    }

    /// <summary>Documents counted.</summary>
    public int Documents => _documents;

    /// <summary>Counts document frequencies over <paramref name="texts"/>.</summary>
    public static TermStatistics Build(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var n = 0;
        foreach (var text in texts)
        {
            n++;
            foreach (var term in Terms(text).Distinct(StringComparer.Ordinal))
            {
                df[term] = df.GetValueOrDefault(term) + 1;
            }
        }

        return new TermStatistics(df, n);
    }

    /// <summary>Counts document frequencies over texts already split by <see cref="Terms"/> (each list is one document).</summary>
    internal static TermStatistics BuildFromTerms(IEnumerable<string[]> documents)
    {
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var n = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var terms in documents)
        {
            n++;
            seen.Clear();
            foreach (var term in terms)
            {
                if (seen.Add(term))
                {
                    df[term] = df.GetValueOrDefault(term) + 1;
                }
            }
        }

        return new TermStatistics(df, n);
    }

    /// <summary>Smoothed IDF: ln((N + 1) / (df + 1)) + 1, so a term unseen in the corpus weighs most.</summary>
    public double Idf(string term) => Math.Log((_documents + 1.0) / (_documentFrequency.GetValueOrDefault(term) + 1.0)) + 1;

    /// <summary>The unit-length TF-IDF vector of <paramref name="text"/> (sub-linear term frequency).</summary>
    public TermVector Vector(string text) => Vector(Terms(text));

    /// <summary>The vector of a text already split by <see cref="Terms"/>.</summary>
    internal TermVector Vector(IEnumerable<string> textTerms)
    {
        var tf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in textTerms)
        {
            tf[term] = tf.GetValueOrDefault(term) + 1;
        }

        var terms = tf.Keys.ToArray();
        Array.Sort(terms, StringComparer.Ordinal);
        var weights = new double[terms.Length];
        double norm = 0;
        for (var i = 0; i < terms.Length; i++)
        {
            var w = (1 + Math.Log(tf[terms[i]])) * Idf(terms[i]);
            weights[i] = w;
            norm += w * w;
        }

        if (norm > 0)
        {
            norm = Math.Sqrt(norm);
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] /= norm;
            }
        }

        return new TermVector(terms, weights);
    }

    /// <summary>The terms of a text, in order, as <see cref="TermStatistics"/> describes.</summary>
    public static IEnumerable<string> Terms(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            yield break;
        }

        string? previousWord = null;
        foreach (var word in Words(text))
        {
            if (StopWords.Contains(word))
            {
                // Phrase pairs never span a stop word ("light on the road" has no "light_road").
                previousWord = null;
                continue;
            }

            var stem = Stem(word);
            yield return stem;
            if (previousWord is not null)
            {
                yield return previousWord + "_" + stem;
                yield return Stem(previousWord + word);
            }

            previousWord = stem;
        }
    }

    private static IEnumerable<string> Words(string text)
    {
        var normalised = text.Normalize(NormalizationForm.FormKC);
        var sb = new StringBuilder(24);
        foreach (var ch in normalised)
        {
            if (char.IsLetterOrDigit(ch))
            {
                sb.Append(char.ToLower(ch, CultureInfo.InvariantCulture));
            }
            else if (ch is '\'' or '’')
            {
                // "council's" → "councils" → stem "council"
            }
            else if (sb.Length > 0)
            {
                if (sb.Length > 1)
                {
                    yield return sb.ToString();
                }

                sb.Clear();
            }
        }

        if (sb.Length > 1)
        {
            yield return sb.ToString();
        }
    }

    private static string Stem(string word) =>
        word.Length > 3 && word[^1] == 's' && word[^2] is not ('s' or 'u' or 'i') ? word[..^1] : word;
}
