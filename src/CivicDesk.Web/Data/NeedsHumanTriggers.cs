namespace CivicDesk.Web.Data;

/// <summary>
/// Keeps Conversation.NeedsHuman equal to "a message of the conversation, not deleted, has NeedsHumanTriage" with
/// database triggers on Messages: a message stored needing a person (the ingest persist stage), its labels confirmed
/// (TriageCorrections), deleted by its author on the network (ConnectorSink) or purged (RetentionPurge), or moved to
/// another conversation. Triggers rather than application code for the reason AggregateTriggers gives: several
/// writers touch messages, some in raw SQL, and a trigger cannot be forgotten by a new one. Installed at start-up after
/// migrations and re-created each time; the first install (or an upgrade from before the column) sets the flag from
/// the messages already stored.
/// </summary>
public static class NeedsHumanTriggers
{
    public static async Task InstallAsync(CivicDeskDb db, CancellationToken ct)
    {
        await using var connection = await SchemaConnection.ForAsync(db, ct);
        await InstallAsync(connection, ct);
    }

    public static async Task InstallAsync(SchemaConnection db, CancellationToken ct)
    {
        var postgres = db.Provider == DatabaseProvider.Postgres;
        await using var tx = await db.BeginAsync(ct);
        if (postgres)
        {
            // Several nodes may start at once: one installs, the others wait and find it done.
            await db.ExecuteAsync("SELECT pg_advisory_xact_lock(1129530177, 2)", ct);
        }

        var existed = postgres
            ? await db.ScalarAsync("SELECT count(*)::int FROM pg_trigger WHERE tgname = 'cd_needs_human_ins'", ct) > 0
            : await db.ScalarAsync("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'cd_needs_human_ins'", ct) > 0;
        foreach (var sql in postgres ? Postgres : Sqlite)
        {
            await db.ExecuteAsync(sql, ct);
        }

        if (!existed)
        {
            var backfill = $"""UPDATE "Conversations" SET "NeedsHuman" = {(postgres ? "TRUE" : "1")} WHERE "Id" IN (SELECT "ConversationId" FROM "Messages" WHERE {Waiting("\"Messages\"")})""";
            await db.ExecuteAsync(backfill, ct);
        }

        await tx.CommitAsync(ct);
    }

    private static string Waiting(string row) => $"""{row}."NeedsHumanTriage" AND {row}."DeletedAt" IS NULL""";

    // The flag of one conversation, from its messages (IX_Messages_ConversationId_OrganisationId_CreatedAt).
    private static string Recompute(string id) =>
        $"""UPDATE "Conversations" SET "NeedsHuman" = EXISTS (SELECT 1 FROM "Messages" m WHERE m."ConversationId" = {id} AND {Waiting("m")}) WHERE "Id" = {id};""";

    private static readonly string[] Sqlite =
    [
        "DROP TRIGGER IF EXISTS cd_needs_human_ins",
        "DROP TRIGGER IF EXISTS cd_needs_human_upd",
        "DROP TRIGGER IF EXISTS cd_needs_human_del",
        $"""
        CREATE TRIGGER cd_needs_human_ins AFTER INSERT ON "Messages" WHEN {Waiting("NEW")}
        BEGIN UPDATE "Conversations" SET "NeedsHuman" = 1 WHERE "Id" = NEW."ConversationId" AND NOT "NeedsHuman"; END
        """,
        $"""
        CREATE TRIGGER cd_needs_human_upd AFTER UPDATE OF "NeedsHumanTriage", "DeletedAt", "ConversationId" ON "Messages"
        WHEN OLD."NeedsHumanTriage" IS NOT NEW."NeedsHumanTriage" OR (OLD."DeletedAt" IS NULL) IS NOT (NEW."DeletedAt" IS NULL)
             OR OLD."ConversationId" IS NOT NEW."ConversationId"
        BEGIN {Recompute("OLD.\"ConversationId\"")} {Recompute("NEW.\"ConversationId\"")} END
        """,
        $"""CREATE TRIGGER cd_needs_human_del AFTER DELETE ON "Messages" WHEN {Waiting("OLD")} BEGIN {Recompute("OLD.\"ConversationId\"")} END""",
    ];

    private static readonly string[] Postgres =
    [
        // Inserts are marked once per statement from its transition table, not per row: the ingest writer COPYs a
        // thousand messages at a time, most of them needing a person in a surge of unclear posts, and a row trigger ran
        // a PL/pgSQL call and an UPDATE for each (100,346 calls for 100,000 messages, bench/README.md session 22).
        // EXECUTE plans it for each statement's true number of rows; a plan PL/pgSQL cached from a large COPY could
        // otherwise scan the whole Conversations table for a single message.
        $"""
        CREATE OR REPLACE FUNCTION cd_needs_human_set() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            EXECUTE $sql$
            UPDATE "Conversations" c SET "NeedsHuman" = TRUE
            FROM (SELECT DISTINCT "ConversationId" FROM new_rows WHERE {Waiting("new_rows")}) n
            WHERE c."Id" = n."ConversationId" AND NOT c."NeedsHuman"
            $sql$;
            RETURN NULL;
        END $$
        """,
        $"""
        CREATE OR REPLACE FUNCTION cd_needs_human_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN {Recompute("OLD.\"ConversationId\"")} END IF;
            IF TG_OP = 'UPDATE' AND NEW."ConversationId" IS DISTINCT FROM OLD."ConversationId" THEN {Recompute("NEW.\"ConversationId\"")} END IF;
            RETURN NULL;
        END $$
        """,
        """DROP TRIGGER IF EXISTS cd_needs_human_ins ON "Messages" """,
        """DROP TRIGGER IF EXISTS cd_needs_human_upd ON "Messages" """,
        """DROP TRIGGER IF EXISTS cd_needs_human_del ON "Messages" """,
        """CREATE TRIGGER cd_needs_human_ins AFTER INSERT ON "Messages" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cd_needs_human_set()""",
        """
        CREATE TRIGGER cd_needs_human_upd AFTER UPDATE OF "NeedsHumanTriage", "DeletedAt", "ConversationId" ON "Messages" FOR EACH ROW
        WHEN (OLD."NeedsHumanTriage" IS DISTINCT FROM NEW."NeedsHumanTriage" OR (OLD."DeletedAt" IS NULL) IS DISTINCT FROM (NEW."DeletedAt" IS NULL)
              OR OLD."ConversationId" IS DISTINCT FROM NEW."ConversationId")
        EXECUTE FUNCTION cd_needs_human_recompute()
        """,
        $"""CREATE TRIGGER cd_needs_human_del AFTER DELETE ON "Messages" FOR EACH ROW WHEN ({Waiting("OLD")}) EXECUTE FUNCTION cd_needs_human_recompute()""",
    ];
}
