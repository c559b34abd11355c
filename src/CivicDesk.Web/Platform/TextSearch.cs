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

/// <summary>
/// FTS5 MATCH expressions that read a prefix ("road"*) as the indexed words it starts ("road" OR "roads" OR
/// "roadworks") where that is cheaper, found in the index's vocabulary (an fts5vocab 'row' table) inside the same
/// statement, hence from the same snapshot of the index: the same rows as <see cref="TextQuery.ToFts5"/>, found faster.
/// Used by the inbox search (ConversationSearchTerms) and the case search (CaseSearchTerms).
/// <para>
/// Why: FTS5 has no prefix index, so it reads "road"* by merging the whole doclist of every indexed word that starts
/// with "road" before it returns a row (cost per entry: 340,000 entries for "bin"*, 36 ms of CPU at 10 M messages),
/// while a word's own doclist, and an OR of words, are read lazily (from the newest when the query asks so) and
/// compared entry by entry only where another word's entries are. An OR costs instead about 0.035 ms per word (each
/// word is looked up in every segment of the index), whatever its doclist: 105 words of "bin" 3.4 ms, 1,024 words
/// ~37 ms. So a word is read as an OR when it starts fewer than <see cref="AlwaysExpandBelow"/> other words (at most
/// ~1 ms), or fewer than <see cref="MaxExpandedWords"/> whose doclists hold on average at least
/// <see cref="MinDocumentsPerWord"/> documents (there the merge costs more than the OR: "bin" 104 words, 129,506
/// documents besides "bin"'s own, 36 → 11 ms; a name's start such as "gudr", 101 words with 29 documents each, stays a
/// prefix, 6 ms against 12 as an OR); otherwise it stays a prefix. bench/README.md, "i13find (session 16)".
/// </para>
/// <para>
/// The vocabulary counts each word's documents as it reads it (reading its doclist), so the typed word itself, often
/// the longest doclist, goes into the OR unread: the look-up starts just after it, at word + char(1), and ends before
/// word + char(1114111) (U+10FFFF, above every character a word can hold). A word not in the index matches nothing in
/// the OR, as in the prefix. Its own documents are not in the average, so the rule errs towards the prefix.
/// </para>
/// </summary>
public static class Fts5Vocabulary
{
    /// <summary>A word that starts fewer other indexed words than this is always read as an OR of them (session 15).</summary>
    public const int AlwaysExpandBelow = 32;

    /// <summary>A word that starts this many other indexed words or more stays a prefix (an OR that long costs ~37 ms).</summary>
    public const int MaxExpandedWords = 1024;

    /// <summary>Between the two limits, the average documents per word it starts above which the OR is cheaper.</summary>
    public const int MinDocumentsPerWord = 1000;

    /// <summary>
    /// The MATCH expression for <paramref name="query"/>, as SQL that takes the query's words as parameters
    /// {<paramref name="firstParameter"/>}, {<paramref name="firstParameter"/> + 1}, … in order (the SQL holds
    /// placeholders and constants only: what was typed goes as parameters). <paramref name="minDocumentsPerWord"/>
    /// other than the default is for tests, which force either reading on a small index.
    /// </summary>
    public static string MatchSql(TextQuery query, string vocabularyTable, int firstParameter, int minDocumentsPerWord = MinDocumentsPerWord)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.HasNoWords)
        {
            throw new InvalidOperationException("A query without words matches nothing; do not run it.");
        }

        var inv = CultureInfo.InvariantCulture;
        return string.Join(" || ' AND ' || ", query.Words.Select((word, i) =>
        {
            var p = "{" + (firstParameter + i).ToString(inv) + "}";
            return !TextQuery.IsPrefix(word)
                ? $"""('"' || {p} || '"')"""
                : string.Create(inv, $"""
                  (SELECT CASE WHEN count(*) < {AlwaysExpandBelow} OR (count(*) < {MaxExpandedWords} AND sum(doc) >= {minDocumentsPerWord}.0 * count(*))
                      THEN '("' || {p} || '"' || coalesce(' OR ' || group_concat('"' || replace(term, '"', '""') || '"', ' OR '), '') || ')' ELSE '"' || {p} || '"*' END
                      FROM (SELECT term, doc FROM "{vocabularyTable}" WHERE term >= {p} || char(1) AND term < {p} || char(1114111) LIMIT {MaxExpandedWords}))
                  """);
        }));
    }
}
