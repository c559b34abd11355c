using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <summary>
    /// The inbox's full-text documents move from a GIN expression index on Conversations to their own table, kept by
    /// triggers on the four columns they are made of (as SQLite's FTS5 table "ConversationSearch" is). Ingest updates
    /// a conversation's counters and labels with nearly every batch; each such update wrote a new entry into every
    /// index of the table, and for the expression index that meant computing the document again (a quarter of an
    /// update's cost, bench/README.md session 21) although ingest never changes the columns it is made of. Inserts come
    /// through a statement-level trigger (one INSERT … SELECT per statement or COPY); the rare change of a reference,
    /// subject, handle or name through a row trigger; deletes through the foreign key. The document expression is the
    /// InboxPaging migration's index expression, unchanged (the search's words and matches stay as they were).
    /// </summary>
    public partial class ConversationSearchTable : Migration
    {
        private const string Document = """
            to_tsvector('simple'::regconfig, regexp_replace(coalesce("Reference", '') || ' ' || coalesce("Subject", '') || ' ' || coalesce("CitizenHandle", '') || ' ' || coalesce("CitizenName", ''), '[^[:alnum:]]+', ' ', 'g'))
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                CREATE TABLE "ConversationSearchDocuments" (
                    "Id" bigint PRIMARY KEY REFERENCES "Conversations" ("Id") ON DELETE CASCADE,
                    "OrganisationId" bigint NOT NULL,
                    "Document" tsvector NOT NULL);
                INSERT INTO "ConversationSearchDocuments" ("Id", "OrganisationId", "Document")
                SELECT "Id", "OrganisationId", {{Document}} FROM "Conversations";
                CREATE INDEX "IX_ConversationSearchDocuments_Document" ON "ConversationSearchDocuments" USING GIN ("Document");

                CREATE FUNCTION cd_conversation_search_ins() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO "ConversationSearchDocuments" ("Id", "OrganisationId", "Document")
                    SELECT "Id", "OrganisationId", {{Document}} FROM cd_new_conversations;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER cd_conversation_search_ins AFTER INSERT ON "Conversations"
                    REFERENCING NEW TABLE AS cd_new_conversations FOR EACH STATEMENT EXECUTE FUNCTION cd_conversation_search_ins();

                CREATE FUNCTION cd_conversation_search_upd() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "ConversationSearchDocuments" SET "OrganisationId" = NEW."OrganisationId",
                        "Document" = (SELECT {{Document}} FROM (SELECT NEW."Reference" AS "Reference", NEW."Subject" AS "Subject",
                                      NEW."CitizenHandle" AS "CitizenHandle", NEW."CitizenName" AS "CitizenName") AS r)
                    WHERE "Id" = NEW."Id";
                    RETURN NULL;
                END $$;
                CREATE TRIGGER cd_conversation_search_upd AFTER UPDATE OF "Reference", "Subject", "CitizenHandle", "CitizenName", "OrganisationId" ON "Conversations"
                    FOR EACH ROW WHEN (OLD."Reference" IS DISTINCT FROM NEW."Reference" OR OLD."Subject" IS DISTINCT FROM NEW."Subject"
                        OR OLD."CitizenHandle" IS DISTINCT FROM NEW."CitizenHandle" OR OLD."CitizenName" IS DISTINCT FROM NEW."CitizenName"
                        OR OLD."OrganisationId" IS DISTINCT FROM NEW."OrganisationId")
                    EXECUTE FUNCTION cd_conversation_search_upd();

                DROP INDEX IF EXISTS "IX_Conversations_Search";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                DROP TRIGGER IF EXISTS cd_conversation_search_ins ON "Conversations";
                DROP TRIGGER IF EXISTS cd_conversation_search_upd ON "Conversations";
                DROP FUNCTION IF EXISTS cd_conversation_search_ins();
                DROP FUNCTION IF EXISTS cd_conversation_search_upd();
                DROP TABLE IF EXISTS "ConversationSearchDocuments";
                CREATE INDEX "IX_Conversations_Search" ON "Conversations" USING GIN ({{Document}});
                """);
        }
    }
}
