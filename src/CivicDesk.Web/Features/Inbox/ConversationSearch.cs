using CivicDesk.Web.Data;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Inbox;

/// <summary>
/// The inbox's text search: the conversation's reference, subject (the opening words of its first message), and the
/// citizen's handle and name — what a person scanning the inbox reads, through full-text indexes kept like the case
/// search's (<see cref="Cases.CaseSearch"/>: FTS5 table "ConversationSearch" with triggers on SQLite, a GIN index on
/// <see cref="PostgresDocument"/> on PostgreSQL; words read by <see cref="TextQuery"/>). Not every message body: at
/// ten million messages an index of all message text would cost storage per message the budget does not have,
/// and the conversation page and the case search cover the detail; finding one message's words is the listening and
/// subject-access search's job.
/// </summary>
public static class ConversationSearch
{
    /// <summary>The indexed document on PostgreSQL; must stay identical to the InboxPaging migration's index expression.</summary>
    public const string PostgresDocument =
        """to_tsvector('simple'::regconfig, regexp_replace(coalesce("Reference", '') || ' ' || coalesce("Subject", '') || ' ' || coalesce("CitizenHandle", '') || ' ' || coalesce("CitizenName", ''), '[^[:alnum:]]+', ' ', 'g'))""";

    /// <summary>Ids of the conversations (any organisation: callers start from the filtered conversations) matching the query.</summary>
    public static IQueryable<long> MatchingIds(CivicDeskDb db, TextQuery query)
    {
        var reference = References.Normalise(query.Text);
        if (query.HasNoWords)
        {
            return db.Conversations.IgnoreQueryFilters().Where(c => false).Select(c => c.Id);
        }

        return db.Provider == DatabaseProvider.Postgres
            ? db.Database.SqlQueryRaw<long>(
                $$"""SELECT "Id" AS "Value" FROM "Conversations" WHERE {{PostgresDocument}} @@ to_tsquery('simple'::regconfig, {0}) UNION SELECT "Id" FROM "Conversations" WHERE "Reference" = {1}""",
                query.ToTsQuery(), reference)
            : db.Database.SqlQueryRaw<long>(
                """SELECT rowid AS "Value" FROM "ConversationSearch" WHERE "ConversationSearch" MATCH {0} UNION SELECT "Id" FROM "Conversations" WHERE "Reference" = {1}""",
                query.ToFts5(), reference);
    }
}
