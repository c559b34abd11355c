using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Cases;

/// <summary>
/// Case search by text through the full-text indexes the CaseTextSearch migration builds over reference, title,
/// description and address: on SQLite the FTS5 table "CaseSearch" (external content: it stores only the index and reads
/// the text from Cases; triggers keep it in step), on PostgreSQL a GIN index on <see cref="PostgresDocument"/>. Both
/// read words the same way (letters and digits, everything else separates, lower-cased, no stemming: PostgreSQL's
/// 'simple' configuration against FTS5's unicode61 without diacritic folding), so a fixed corpus finds the same cases
/// on either database; 'english' would stem differently from any FTS5 tokeniser and drop stop words such as "not"
/// and "off". Prefix matching (<see cref="TextQuery"/>) stands in for stemming: "pothol" finds "potholes".
/// A case reference typed exactly (look-alike letters forgiven, <see cref="References.Normalise"/>) also finds its case.
/// </summary>
public static class CaseSearch
{
    /// <summary>
    /// The indexed document on PostgreSQL. The query must use this very expression for the planner to use
    /// IX_Cases_Search (CaseSearchTests checks the plan). [[:alnum:]] turns punctuation into spaces first so PostgreSQL's
    /// parser cannot read "-000123" as a signed number or "a@b.com" as one e-mail token, as FTS5 would not.
    /// </summary>
    public const string PostgresDocument =
        """to_tsvector('simple'::regconfig, regexp_replace(coalesce("Reference", '') || ' ' || coalesce("Title", '') || ' ' || coalesce("Description", '') || ' ' || coalesce("Address", ''), '[^[:alnum:]]+', ' ', 'g'))""";

    /// <summary>
    /// Ids of the cases (any organisation: callers start from the filtered <c>db.Cases</c>) matching the query, for use as
    /// a set (<c>IN</c>). SQLite: an FTS5 MATCH cannot be OR'd with another condition, so the reference is a second
    /// branch, and a case whose reference was typed may come twice; UNION ALL, not UNION: the IN already keeps each id
    /// once, and UNION's own de-duplicating copy of every match cost a third of the statement for a common word
    /// (9 → 6 ms for the 28,366 cases of "pothole", sqlite3 at 3 M messages). PostgreSQL: one table and one condition
    /// with OR, which its planner can still answer by a BitmapOr of the two indexes for a rare word, but can also test
    /// case by case while it walks the page's sort index for a common one (bench/README.md, session 16: behind a
    /// UNION ALL it always fetched every match and sorted them).
    /// </summary>
    public static IQueryable<long> MatchingIds(CivicDeskDb db, TextQuery query) =>
        MatchingIds(db, query, Fts5Vocabulary.MinDocumentsPerWord);

    /// <summary>
    /// <see cref="MatchingIds(CivicDeskDb, TextQuery)"/> with the vocabulary rule's threshold set (tests force either
    /// reading). On SQLite a prefix that starts few indexed words, or many common ones, is read as those words from the
    /// index's vocabulary "CaseSearchTerms" (<see cref="Fts5Vocabulary"/>): FTS5 merges a prefix's every doclist, while it
    /// walks the words' own doclists side by side ("street light": 87,058 matches, 38.8 → 17.2 ms of CPU for the
    /// full-text part at 10 M messages; both the count and the page read it). The same cases either way.
    /// </summary>
    internal static IQueryable<long> MatchingIds(CivicDeskDb db, TextQuery query, int minDocumentsPerWord)
    {
        var reference = References.Normalise(query.Text);
        if (query.HasNoWords)
        {
            // Only punctuation or emoji: nothing is indexed like that, and a reference has letters. Matches nothing.
            return db.Cases.IgnoreQueryFilters().Where(c => false).Select(c => c.Id);
        }

        if (db.Provider == DatabaseProvider.Postgres)
        {
            return db.Database.SqlQueryRaw<long>(
                $$"""SELECT "Id" AS "Value" FROM "Cases" WHERE {{PostgresDocument}} @@ to_tsquery('simple'::regconfig, {0}) OR "Reference" = {1}""",
                query.ToTsQuery(), reference);
        }

        // MatchSql writes placeholders for the words and constants only: what was typed goes as parameters.
        var sql = $$"""SELECT rowid AS "Value" FROM "CaseSearch" WHERE "CaseSearch" MATCH {{Fts5Vocabulary.MatchSql(query, "CaseSearchTerms", firstParameter: 1, minDocumentsPerWord)}} UNION ALL SELECT "Id" FROM "Cases" WHERE "Reference" = {0}""";
        return db.Database.SqlQueryRaw<long>(sql, [reference, .. query.Words]);
    }

    /// <summary>Narrows <paramref name="cases"/> to those matching the query.</summary>
    public static IQueryable<Case> Matching(this IQueryable<Case> cases, CivicDeskDb db, TextQuery query)
    {
        var ids = MatchingIds(db, query);
        return cases.Where(c => ids.Contains(c.Id));
    }

    /// <summary>
    /// The same cases as <see cref="Matching"/>, for a page of a search that matches many (more than
    /// <see cref="CaseFilter.CountCap"/>) read along the sort's index (<see cref="CaseFilter.SortedRuns"/>). SQLite
    /// otherwise looks every match up by its id and sorts them all to keep fifty (28,366 look-ups for "pothole", ~60 ms
    /// at 3 M messages); "Id + 0" is not an index column, so it walks the organisation's (CreatedAt), (UpdatedAt),
    /// (Priority, CreatedAt, Id) or (DueAt, Id) index in the page's order instead, checks each case against the set of
    /// matches, and stops at the page (one case in ten matches "pothole": ~500 index entries for the first page). Only
    /// for many matches: for a rare word the walk would read the whole index to find a handful. PostgreSQL's planner
    /// weighs the two plans by its statistics itself (see <see cref="MatchingIds(CivicDeskDb, TextQuery)"/>).
    /// </summary>
    public static IQueryable<Case> MatchingInIndexOrder(this IQueryable<Case> cases, CivicDeskDb db, TextQuery query)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Provider != DatabaseProvider.Sqlite)
        {
            return cases.Matching(db, query);
        }

        var ids = MatchingIds(db, query);
        return cases.Where(c => ids.Contains(c.Id + 0));
    }
}
