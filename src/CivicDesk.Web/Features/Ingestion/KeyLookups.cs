using CivicDesk.Web.Data;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// The ingest writer's look-ups of a batch's keys: which external ids a channel already has, and each citizen's latest
/// open conversation. A batch's keys go as one list parameter (a JSON array that SQLite's json_each unpacks, a native
/// array on PostgreSQL), and each key is one descent of a unique or leading index.
/// </summary>
/// <remarks>
/// On PostgreSQL the keys are unnest(@keys) joined LATERAL to a LIMIT 1 subquery, which the planner cannot flatten, so
/// it is one index descent per key whatever the statistics say. <c>"ChannelId" = @c AND "ExternalId" = ANY(@keys)</c>
/// was planned, on a table not yet analysed (a new database, or one just restored: pg_restore brings no statistics),
/// as a scan of every message of the channel with the list as a filter, because the planner's default selectivity
/// makes a thousand "= value" terms look as if they matched everything: in the ingest benchmark that scan read ~5,000
/// pages a batch and grew with the table (bench/README.md session 22). SQLite plans <c>IN (SELECT value FROM
/// json_each(…))</c> as one index search per value.
/// </remarks>
internal static class KeyLookups
{
    private const string SqliteList = "IN (SELECT value FROM json_each(@Ids))";

    /// <summary>The external ids (<c>@Ids</c>) the channel (<c>@ChannelId</c>) already has.</summary>
    public static string StoredIds(DatabaseProvider provider) => provider == DatabaseProvider.Sqlite
        ? $"""SELECT "ExternalId" FROM "Messages" WHERE "ChannelId" = @ChannelId AND "ExternalId" {SqliteList}"""
        : """
          SELECT k.id FROM unnest(@Ids) AS k(id)
          CROSS JOIN LATERAL (SELECT 1 FROM "Messages" m WHERE m."ChannelId" = @ChannelId AND m."ExternalId" = k.id LIMIT 1) m
          """;

    /// <summary>The stored message, its conversation and that conversation's reference for each of <c>@Ids</c> the channel has.</summary>
    public static string KnownMessages(DatabaseProvider provider) => provider == DatabaseProvider.Sqlite
        ? $"""
          SELECT m."Id" AS "MessageId", m."ExternalId" AS "ExternalId", m."ConversationId" AS "ConversationId", c."Reference" AS "Reference"
          FROM "Messages" m JOIN "Conversations" c ON c."Id" = m."ConversationId"
          WHERE m."ChannelId" = @ChannelId AND m."ExternalId" {SqliteList}
          """
        : """
          SELECT m."Id" AS "MessageId", m."ExternalId" AS "ExternalId", m."ConversationId" AS "ConversationId", c."Reference" AS "Reference"
          FROM unnest(@Ids) AS k(id)
          CROSS JOIN LATERAL (SELECT "Id", "ExternalId", "ConversationId" FROM "Messages" WHERE "ChannelId" = @ChannelId AND "ExternalId" = k.id LIMIT 1) m
          CROSS JOIN LATERAL (SELECT "Reference" FROM "Conversations" WHERE "Id" = m."ConversationId" LIMIT 1) c
          """;

    /// <summary>
    /// Each citizen's (<c>@Handles</c>) latest conversation on the channel that is not Closed, on PostgreSQL (the SQLite
    /// writer asks per citizen on a prepared statement, or answers from memory).
    /// </summary>
    public const string PostgresOpenConversations = """
        SELECT c.* FROM unnest(@Handles) AS h(handle)
        CROSS JOIN LATERAL (
            SELECT "Id", "Reference", "CitizenHandle", "Status", "Kind", "Category", "Sentiment" FROM "Conversations"
            WHERE "ChannelId" = @ChannelId AND "CitizenHandle" = h.handle AND "Status" <> 'Closed'
            ORDER BY "LastMessageAt" DESC, "Id" DESC LIMIT 1) c
        """;
}
