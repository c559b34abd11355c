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

    /// <summary>Ids of the cases (any organisation: callers start from the filtered <c>db.Cases</c>) matching the query.</summary>
    public static IQueryable<long> MatchingIds(CivicDeskDb db, TextQuery query)
    {
        var reference = References.Normalise(query.Text);
        if (query.HasNoWords)
        {
            // Only punctuation or emoji: nothing is indexed like that, and a reference has letters. Matches nothing.
            return db.Cases.IgnoreQueryFilters().Where(c => false).Select(c => c.Id);
        }

        return db.Provider == DatabaseProvider.Postgres
            ? db.Database.SqlQueryRaw<long>(
                $$"""SELECT "Id" AS "Value" FROM "Cases" WHERE {{PostgresDocument}} @@ to_tsquery('simple'::regconfig, {0}) UNION SELECT "Id" FROM "Cases" WHERE "Reference" = {1}""",
                query.ToTsQuery(), reference)
            : db.Database.SqlQueryRaw<long>(
                """SELECT rowid AS "Value" FROM "CaseSearch" WHERE "CaseSearch" MATCH {0} UNION SELECT "Id" FROM "Cases" WHERE "Reference" = {1}""",
                query.ToFts5(), reference);
    }

    /// <summary>Narrows <paramref name="cases"/> to those matching the query.</summary>
    public static IQueryable<Case> Matching(this IQueryable<Case> cases, CivicDeskDb db, TextQuery query)
    {
        var ids = MatchingIds(db, query);
        return cases.Where(c => ids.Contains(c.Id));
    }
}
