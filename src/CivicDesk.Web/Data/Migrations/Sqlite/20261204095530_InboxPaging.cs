using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <summary>
    /// The inbox at scale: indexes for its keyset pages (Features/Inbox/InboxPaging.cs) and the FTS5 index of the inbox
    /// text search (Features/Inbox/ConversationSearch.cs) over reference, subject and the citizen's handle and name,
    /// kept like CaseSearch (external content, triggers, re-created by Data/SearchIndexes.cs if a rebuild drops them).
    /// </summary>
    public partial class InboxPaging : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_CreatedAt_Id",
                table: "Conversations",
                columns: new[] { "OrganisationId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_IsUrgent_Priority_CreatedAt_Id",
                table: "Conversations",
                columns: new[] { "OrganisationId", "IsUrgent", "Priority", "CreatedAt", "Id" });

            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "ConversationSearch" USING fts5("Reference", "Subject", "CitizenHandle", "CitizenName",
                    content='Conversations', content_rowid='Id', tokenize='unicode61 remove_diacritics 0');
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER cd_conversation_search_ins AFTER INSERT ON "Conversations" BEGIN
                    INSERT INTO "ConversationSearch" (rowid, "Reference", "Subject", "CitizenHandle", "CitizenName")
                    VALUES (NEW."Id", NEW."Reference", NEW."Subject", NEW."CitizenHandle", NEW."CitizenName");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER cd_conversation_search_del AFTER DELETE ON "Conversations" BEGIN
                    INSERT INTO "ConversationSearch" ("ConversationSearch", rowid, "Reference", "Subject", "CitizenHandle", "CitizenName")
                    VALUES ('delete', OLD."Id", OLD."Reference", OLD."Subject", OLD."CitizenHandle", OLD."CitizenName");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER cd_conversation_search_upd AFTER UPDATE OF "Reference", "Subject", "CitizenHandle", "CitizenName" ON "Conversations" BEGIN
                    INSERT INTO "ConversationSearch" ("ConversationSearch", rowid, "Reference", "Subject", "CitizenHandle", "CitizenName")
                    VALUES ('delete', OLD."Id", OLD."Reference", OLD."Subject", OLD."CitizenHandle", OLD."CitizenName");
                    INSERT INTO "ConversationSearch" (rowid, "Reference", "Subject", "CitizenHandle", "CitizenName")
                    VALUES (NEW."Id", NEW."Reference", NEW."Subject", NEW."CitizenHandle", NEW."CitizenName");
                END;
                """);
            migrationBuilder.Sql("""INSERT INTO "ConversationSearch" ("ConversationSearch") VALUES ('rebuild');""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS cd_conversation_search_upd;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS cd_conversation_search_del;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS cd_conversation_search_ins;");
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "ConversationSearch";""");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_CreatedAt_Id",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_IsUrgent_Priority_CreatedAt_Id",
                table: "Conversations");
        }
    }
}
