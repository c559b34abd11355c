using System.Globalization;
using System.Text;

namespace CivicDesk.Web.Platform;

/// <summary>
/// What a person typed into a search box, read as words for the full-text indexes (SQLite FTS5, PostgreSQL tsvector).
/// The user's text never reaches either query language: it is cut into words of letters and digits here (everything
/// else — quotes, *, -, :, brackets, emoji — separates words, just as the indexes' tokenisers do), lower-cased, and
/// each word is written back quoted. So "AND", "a:b", "(" or an unbalanced quote are plain words or nothing, never
/// syntax, and a malformed query cannot fail. Every word of three or more characters matches as a prefix ("pothol"
/// finds "pothole" and "potholes"); a word of one or two characters matches only itself. A short prefix matches much
/// of the index, and neither index can walk a prefix's matches lazily: FTS5 (no prefix index) and PostgreSQL's GIN
/// gather every matching entry first. "cd"* is the start of every conversation reference (CD-7K3F9Q), so a search by
/// reference gathered 1,335,122 entries to keep one, 87 ms at 3 M messages (bench inbox); "cd" alone is read lazily
/// and skips to the other word's few matches (0.2 ms). All words must match (AND). At most <see cref="MaxWords"/>
/// words are searched.
/// </summary>
public sealed class TextQuery
{
    /// <summary>Words beyond this are left out (and the page says so): each adds an index look-up.</summary>
    public const int MaxWords = 12;

    /// <summary>A longer word is cut here; no indexed word is that long in practice.</summary>
    public const int MaxWordLength = 64;

    private TextQuery(string text, IReadOnlyList<string> words, bool truncated)
    {
        Text = text;
        Words = words;
        Truncated = truncated;
    }

    /// <summary>What was typed, trimmed.</summary>
    public string Text { get; }

    /// <summary>The lower-cased words searched for.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>True when words after <see cref="MaxWords"/> were left out.</summary>
    public bool Truncated { get; }

    /// <summary>True when the text held no letters or digits at all (only punctuation or emoji): nothing can match.</summary>
    public bool HasNoWords => Words.Count == 0;

    /// <summary>Reads the typed text; null when there is none (no search).</summary>
    public static TextQuery? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var words = new List<string>();
        var truncated = false;
        var current = new StringBuilder();
        void Flush()
        {
            if (current.Length == 0)
            {
                return;
            }

            var word = current.ToString().ToLowerInvariant();
            current.Clear();
            if (words.Contains(word, StringComparer.Ordinal))
            {
                return;
            }

            if (words.Count == MaxWords)
            {
                truncated = true;
                return;
            }

            words.Add(word.Length > MaxWordLength ? word[..MaxWordLength] : word);
        }

        // Walk by text element so a surrogate pair (an emoji) is one separator rather than two broken halves.
        var e = StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext())
        {
            var element = (string)e.Current;
            if (IsWordCharacter(element))
            {
                current.Append(element);
            }
            else
            {
                Flush();
            }
        }

        Flush();
        return new TextQuery(text.Trim(), words, truncated);
    }

    // Letters (with their combining marks) and digits, as FTS5's unicode61 tokeniser and PostgreSQL's [[:alnum:]] read them.
    private static bool IsWordCharacter(string element)
    {
        var category = CharUnicodeInfo.GetUnicodeCategory(element, 0);
        return category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber;
    }

    /// <summary>True when the word matches as a prefix (three or more characters), false when only itself.</summary>
    public static bool IsPrefix(string word) => word.Length >= 3;

    /// <summary>The FTS5 MATCH expression: "word"* AND "word" …; words hold no quote, so quoting cannot be escaped.</summary>
    public string ToFts5()
    {
        if (HasNoWords)
        {
            throw new InvalidOperationException("A query without words matches nothing; do not run it.");
        }

        return string.Join(" AND ", Words.Select(w => "\"" + w + "\"" + (IsPrefix(w) ? "*" : "")));
    }

    /// <summary>The PostgreSQL to_tsquery text: 'word':* &amp; 'word' …; words hold no quote, so quoting cannot be escaped.</summary>
    public string ToTsQuery()
    {
        if (HasNoWords)
        {
            throw new InvalidOperationException("A query without words matches nothing; do not run it.");
        }

        return string.Join(" & ", Words.Select(w => "'" + w + "'" + (IsPrefix(w) ? ":*" : "")));
    }
}
