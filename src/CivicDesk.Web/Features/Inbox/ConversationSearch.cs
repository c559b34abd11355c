using CivicDesk.Web.Data;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Inbox;

/// <summary>
/// The inbox's text search: the conversation's reference, subject (the opening words of its first message), and the
/// citizen's handle and name — what a person scanning the inbox reads, through full-text indexes kept like the case
/// search's (<see cref="Cases.CaseSearch"/>: FTS5 table "ConversationSearch" with triggers on SQLite; on PostgreSQL
/// the table "ConversationSearchDocuments", a 'simple' tsvector of the same four fields with a GIN index, kept by
/// triggers that the ConversationSearchTable migration defines, so ingest's constant conversation updates no longer
/// recompute it; words read by <see cref="TextQuery"/>). Not every message body: at ten million messages an index of all message text would cost storage per message the budget does not have,
/// and the conversation page and the case search cover the detail; finding one message's words is the listening and
/// subject-access search's job.
/// </summary>
public static class ConversationSearch
{
    /// <summary>
    /// Ids of the organisation's conversations matching the query: the one whose reference it is, then the newest
    /// <paramref name="limit"/> matching by words, newest first. The limit is what makes a common word cheap: SQLite
    /// walks the FTS5 index in rowid (= conversation id) order from the newest and stops after <paramref name="limit"/>
    /// rows of this organisation; reading every match of "bin" first (a hundred thousand at a million messages) and
    /// filtering afterwards cost most of a second per view. PostgreSQL finds the matches through the GIN index and
    /// keeps the newest.
    /// </summary>
    public static async Task<List<long>> NewestMatchesAsync(CivicDeskDb db, TextQuery query, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(query);
        if (query.HasNoWords || db.CurrentOrganisationId is not { } organisation)
        {
            return [];
        }

        var ids = await Newest(db, query, organisation, limit).ToListAsync(ct);
        return [.. ids.Distinct()];
    }

    /// <summary>The query <see cref="NewestMatchesAsync"/> runs (also for its plan in tests and <c>bench inbox --sql</c>).</summary>
    public static IQueryable<long> Newest(CivicDeskDb db, TextQuery query, long organisation, int limit) =>
        Newest(db, query, organisation, limit, Fts5Vocabulary.MinDocumentsPerWord);

    /// <summary><see cref="Newest(CivicDeskDb, TextQuery, long, int)"/> with the vocabulary rule's threshold set (tests force either reading).</summary>
    internal static IQueryable<long> Newest(CivicDeskDb db, TextQuery query, long organisation, int limit, int minDocumentsPerWord)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(query);
        var reference = References.Normalise(query.Text);
        // SQLite: CROSS JOIN keeps the full-text index as the outer loop (SQLite never reorders it), so the rowid order
        // and the LIMIT apply while reading it. PostgreSQL: the matches come from the documents' GIN index (MATERIALIZED
        // keeps the planner from walking the organisation's rows instead), then the newest.
        if (db.Provider == DatabaseProvider.Postgres)
        {
            return db.Database.SqlQueryRaw<long>(
                $$"""
                WITH matches AS MATERIALIZED (
                    SELECT "Id", "OrganisationId" FROM "ConversationSearchDocuments" WHERE "Document" @@ to_tsquery('simple'::regconfig, {0}))
                SELECT "Id" AS "Value" FROM "Conversations" WHERE "Reference" = {1} AND "OrganisationId" = {2}
                UNION ALL
                SELECT "Id" FROM (SELECT "Id" FROM matches WHERE "OrganisationId" = {2} ORDER BY "Id" DESC LIMIT {3}) AS m
                """,
                query.ToTsQuery(), reference, organisation, limit);
        }

        // Fts5Match writes placeholders for the words and constants only: what was typed goes as parameters.
        var sql = $$"""
            SELECT "Id" AS "Value" FROM "Conversations" WHERE "Reference" = {0} AND "OrganisationId" = {1}
            UNION ALL
            SELECT "Value" FROM (SELECT s.rowid AS "Value" FROM "ConversationSearch" AS s CROSS JOIN "Conversations" AS c ON c."Id" = s.rowid
                WHERE s."ConversationSearch" MATCH {{Fts5Match(query, firstParameter: 3, minDocumentsPerWord)}} AND c."OrganisationId" = {1} ORDER BY s.rowid DESC LIMIT {2})
            """;
        return db.Database.SqlQueryRaw<long>(sql, [reference, organisation, limit, .. query.Words]);
    }

    /// <summary>
    /// The FTS5 MATCH expression for the query, as SQL that takes the query's words as parameters from
    /// <paramref name="firstParameter"/> on: a prefix that starts few indexed words, or many common ones, is read as
    /// those words from the vocabulary "ConversationSearchTerms" (<see cref="Fts5Vocabulary"/>); same conversations as
    /// <see cref="TextQuery.ToFts5"/>. <paramref name="minDocumentsPerWord"/> is for tests.
    /// </summary>
    internal static string Fts5Match(TextQuery query, int firstParameter, int minDocumentsPerWord = Fts5Vocabulary.MinDocumentsPerWord) =>
        Fts5Vocabulary.MatchSql(query, "ConversationSearchTerms", firstParameter, minDocumentsPerWord);
}
