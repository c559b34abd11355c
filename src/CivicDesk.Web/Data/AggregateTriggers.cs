namespace CivicDesk.Web.Data;

/// <summary>
/// Change capture for the dashboard aggregates: database triggers append the UTC hour of every inserted, updated or
/// deleted message (old and new hour on update), of every message in a conversation whose team changes, and the hour
/// a conversation was opened in when it is inserted, deleted or its team, status, times, service or priority change,
/// to AggregateDirtyHours. Triggers, not application code, because several writers touch messages (the ingest persist
/// stage, connector edits and deletions, merges, label corrections, retention) and the persist stage is being
/// rewritten: a trigger cannot be forgotten by a new code path. Installed at start-up after migrations (not inside a
/// migration, so re-scaffolding migrations cannot drop them); re-created each time so a changed definition applies.
/// </summary>
public static class AggregateTriggers
{
    /// <summary>Installs the triggers; returns true when they were absent before (a new or upgraded database).</summary>
    public static async Task<bool> InstallAsync(CivicDeskDb db, CancellationToken ct)
    {
        await using var connection = await SchemaConnection.ForAsync(db, ct);
        return await InstallAsync(connection, ct);
    }

    /// <inheritdoc cref="InstallAsync(CivicDeskDb, CancellationToken)"/>
    public static async Task<bool> InstallAsync(SchemaConnection db, CancellationToken ct)
    {
        var postgres = db.Provider == DatabaseProvider.Postgres;
        await using var tx = await db.BeginAsync(ct);
        if (postgres)
        {
            // Several nodes start at once on one database: one installs, the others wait and then find it done
            // (without the lock concurrent CREATE OR REPLACE FUNCTION fails with "tuple concurrently updated").
            await db.ExecuteAsync("SELECT pg_advisory_xact_lock(1129530177, 1)", ct);
        }

        async Task<bool> ExistsAsync(string name) => postgres
            ? await db.ScalarAsync("SELECT count(*)::int FROM pg_trigger WHERE tgname = @name", ct, ("name", name)) > 0
            : await db.ScalarAsync("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = @name", ct, ("name", name)) > 0;
        var existed = await ExistsAsync("cd_agg_messages_ins");
        var conversationsExisted = await ExistsAsync("cd_agg_conversations_ins");
        foreach (var sql in postgres ? Postgres : Sqlite)
        {
            await db.ExecuteAsync(sql, ct);
        }

        // Rows stored before the triggers existed: every hour that has a message (or, for the conversation aggregates
        // added later, a conversation opened in it) is dirty once.
        foreach (var (table, absent) in new[] { ("Messages", !existed), ("Conversations", !conversationsExisted) })
        {
            if (absent)
            {
                await db.ExecuteAsync(postgres
                    ? $"""INSERT INTO "AggregateDirtyHours" ("OrganisationId", "HourStart") SELECT DISTINCT "OrganisationId", date_trunc('hour', "CreatedAt" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM "{table}" """
                    : $"""INSERT INTO "AggregateDirtyHours" ("OrganisationId", "HourStart") SELECT DISTINCT "OrganisationId", strftime('%Y-%m-%d %H:00:00', "CreatedAt") FROM "{table}" """, ct);
            }
        }

        await tx.CommitAsync(ct);
        return !existed;
    }

    // What the response-time and backlog aggregates read from a conversation: a change to any of these dirties the hour
    // it was opened in (old and new, should the opening time itself move).
    private static readonly string[] ConversationColumnNames = ["CreatedAt", "AssignedTeamId", "Status", "FirstResponseAt", "ResolvedAt", "Category", "Priority"];

    private static readonly string ConversationColumns = string.Join(", ", ConversationColumnNames.Select(c => $"\"{c}\""));

    // SQLite's row trigger compares OLD and NEW; PostgreSQL's statement trigger compares a joined old row o and new row n.
    private static readonly string ChangedSqlite = string.Join(" OR ", ConversationColumnNames.Select(c => $"OLD.\"{c}\" IS NOT NEW.\"{c}\""));

    private static readonly string ChangedRows = string.Join(" OR ", ConversationColumnNames.Select(c => $"o.\"{c}\" IS DISTINCT FROM n.\"{c}\""));

    // SQLite writers are serialised (one write transaction at a time), so "insert unless already marked" is race-free
    // and keeps the dirty table to one row per hour however many messages arrive. A mark the aggregate worker has
    // claimed does not count: it is reading that hour outside the write lock, and a change after its claim needs a mark of its own.
    private static string SqliteHour(string row) => $"strftime('%Y-%m-%d %H:00:00', {row}.\"CreatedAt\")";

    private static string SqliteMark(string row, string also = "") => $"""
        INSERT INTO "AggregateDirtyHours" ("OrganisationId", "HourStart")
        SELECT {row}."OrganisationId", {SqliteHour(row)}
        WHERE {also}NOT EXISTS (SELECT 1 FROM "AggregateDirtyHours" d WHERE d."OrganisationId" = {row}."OrganisationId"
                          AND d."HourStart" = {SqliteHour(row)} AND d."ClaimedAt" IS NULL);
        """;

    // An update's old row needs a mark of its own only when it belonged to another hour or organisation; otherwise the
    // new row's mark covers it (a label change on a busy conversation is the common case, and each mark is a look-up).
    private static string SqliteMarkOldIfMoved() =>
        SqliteMark("OLD", $"""(OLD."OrganisationId" IS NOT NEW."OrganisationId" OR {SqliteHour("OLD")} IS NOT {SqliteHour("NEW")}) AND """);

    private static readonly string[] Sqlite =
    [
        "DROP TRIGGER IF EXISTS cd_agg_messages_ins",
        "DROP TRIGGER IF EXISTS cd_agg_messages_upd",
        "DROP TRIGGER IF EXISTS cd_agg_messages_del",
        "DROP TRIGGER IF EXISTS cd_agg_conversations_team",
        "DROP TRIGGER IF EXISTS cd_agg_conversations_ins",
        "DROP TRIGGER IF EXISTS cd_agg_conversations_upd",
        "DROP TRIGGER IF EXISTS cd_agg_conversations_del",
        $"CREATE TRIGGER cd_agg_conversations_ins AFTER INSERT ON \"Conversations\" BEGIN {SqliteMark("NEW")} END",
        $"CREATE TRIGGER cd_agg_conversations_upd AFTER UPDATE OF {ConversationColumns} ON \"Conversations\" WHEN {ChangedSqlite} BEGIN {SqliteMarkOldIfMoved()} {SqliteMark("NEW")} END",
        $"CREATE TRIGGER cd_agg_conversations_del AFTER DELETE ON \"Conversations\" BEGIN {SqliteMark("OLD")} END",
        $"CREATE TRIGGER cd_agg_messages_ins AFTER INSERT ON \"Messages\" BEGIN {SqliteMark("NEW")} END",
        $"CREATE TRIGGER cd_agg_messages_upd AFTER UPDATE ON \"Messages\" BEGIN {SqliteMarkOldIfMoved()} {SqliteMark("NEW")} END",
        $"CREATE TRIGGER cd_agg_messages_del AFTER DELETE ON \"Messages\" BEGIN {SqliteMark("OLD")} END",
        """
        CREATE TRIGGER cd_agg_conversations_team AFTER UPDATE OF "AssignedTeamId" ON "Conversations"
        WHEN OLD."AssignedTeamId" IS NOT NEW."AssignedTeamId"
        BEGIN
            INSERT INTO "AggregateDirtyHours" ("OrganisationId", "HourStart")
            SELECT DISTINCT m."OrganisationId", strftime('%Y-%m-%d %H:00:00', m."CreatedAt") FROM "Messages" m
            WHERE m."ConversationId" = NEW."Id" AND NOT EXISTS (SELECT 1 FROM "AggregateDirtyHours" d
                WHERE d."OrganisationId" = m."OrganisationId" AND d."HourStart" = strftime('%Y-%m-%d %H:00:00', m."CreatedAt") AND d."ClaimedAt" IS NULL);
        END
        """,
    ];

    // PostgreSQL writers run concurrently, so the dirty table is an append-only log (no uniqueness to race on);
    // statement-level triggers with transition tables add one row per distinct hour per statement, not per message.
    private const string PgHour = "date_trunc('hour', \"CreatedAt\" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'";

    private static readonly string[] Postgres =
    [
        $"""
        CREATE OR REPLACE FUNCTION cd_agg_mark_new() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO "AggregateDirtyHours" ("OrganisationId", "HourStart") SELECT DISTINCT "OrganisationId", {PgHour} FROM new_rows;
            RETURN NULL;
        END $$
        """,
        $"""
        CREATE OR REPLACE FUNCTION cd_agg_mark_old() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO "AggregateDirtyHours" ("OrganisationId", "HourStart") SELECT DISTINCT "OrganisationId", {PgHour} FROM old_rows;
            RETURN NULL;
        END $$
        """,
        $"""
        CREATE OR REPLACE FUNCTION cd_agg_mark_both() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO "AggregateDirtyHours" ("OrganisationId", "HourStart")
            SELECT DISTINCT "OrganisationId", {PgHour} FROM (SELECT "OrganisationId", "CreatedAt" FROM old_rows UNION SELECT "OrganisationId", "CreatedAt" FROM new_rows) r;
            RETURN NULL;
        END $$
        """,
        $"""
        CREATE OR REPLACE FUNCTION cd_agg_mark_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO "AggregateDirtyHours" ("OrganisationId", "HourStart")
            SELECT DISTINCT "OrganisationId", {PgHour} FROM "Messages" WHERE "ConversationId" = NEW."Id";
            RETURN NULL;
        END $$
        """,
        // Once per statement, from its transition tables (which rule out a column list, so it fires for every UPDATE of
        // the table and looks for the rows whose watched columns changed). It was a row trigger, and the ingest writer's
        // one UPDATE of a batch's conversations ran a PL/pgSQL call and an INSERT for each changed row (73,827 for
        // 100,000 messages, bench/README.md session 22). An hour this very transaction has already marked adds
        // nothing: most of a batch's conversations share a few opening hours, and a writer that marked them on
        // inserting the messages need not mark them again. Only this transaction's own marks are skipped for: nobody
        // can claim them before it commits, so the hour is still recomputed after this change. A mark made in a
        // subtransaction is not recognised (its xmin is the subtransaction's) and the hour is marked again, which is harmless.
        // EXECUTE, so the statement is planned for each call with the transition tables' true sizes: a plan cached from
        // a one-row update joined a thousand-row batch's old and new rows in a nested loop (272 ms a statement).
        $"""
        CREATE OR REPLACE FUNCTION cd_agg_mark_conversation_hours() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            EXECUTE $sql$
            INSERT INTO "AggregateDirtyHours" ("OrganisationId", "HourStart")
            SELECT DISTINCT v.o, v.h
            FROM old_rows o JOIN new_rows n ON n."Id" = o."Id"
            CROSS JOIN LATERAL (VALUES (o."OrganisationId", date_trunc('hour', o."CreatedAt" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'),
                                       (n."OrganisationId", date_trunc('hour', n."CreatedAt" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')) v(o, h)
            WHERE ({ChangedRows})
              AND NOT EXISTS (SELECT 1 FROM "AggregateDirtyHours" d WHERE d."OrganisationId" = v.o AND d."HourStart" = v.h
                              AND d."ClaimedAt" IS NULL AND d.xmin = pg_current_xact_id()::xid)
            $sql$;
            RETURN NULL;
        END $$
        """,
        """DROP TRIGGER IF EXISTS cd_agg_conversations_ins ON "Conversations" """,
        """DROP TRIGGER IF EXISTS cd_agg_conversations_upd ON "Conversations" """,
        """DROP TRIGGER IF EXISTS cd_agg_conversations_del ON "Conversations" """,
        """CREATE TRIGGER cd_agg_conversations_ins AFTER INSERT ON "Conversations" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cd_agg_mark_new()""",
        """
        CREATE TRIGGER cd_agg_conversations_upd AFTER UPDATE ON "Conversations" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION cd_agg_mark_conversation_hours()
        """,
        """CREATE TRIGGER cd_agg_conversations_del AFTER DELETE ON "Conversations" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cd_agg_mark_old()""",
        """DROP TRIGGER IF EXISTS cd_agg_messages_ins ON "Messages" """,
        """DROP TRIGGER IF EXISTS cd_agg_messages_upd ON "Messages" """,
        """DROP TRIGGER IF EXISTS cd_agg_messages_del ON "Messages" """,
        """DROP TRIGGER IF EXISTS cd_agg_conversations_team ON "Conversations" """,
        """CREATE TRIGGER cd_agg_messages_ins AFTER INSERT ON "Messages" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cd_agg_mark_new()""",
        """CREATE TRIGGER cd_agg_messages_upd AFTER UPDATE ON "Messages" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cd_agg_mark_both()""",
        """CREATE TRIGGER cd_agg_messages_del AFTER DELETE ON "Messages" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cd_agg_mark_old()""",
        """
        CREATE TRIGGER cd_agg_conversations_team AFTER UPDATE OF "AssignedTeamId" ON "Conversations" FOR EACH ROW
        WHEN (OLD."AssignedTeamId" IS DISTINCT FROM NEW."AssignedTeamId") EXECUTE FUNCTION cd_agg_mark_conversation()
        """,
    ];
}
