using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <summary>
    /// The inbox at scale: indexes for its keyset pages (Features/Inbox/InboxPaging.cs) and a GIN index for the inbox
    /// text search (Features/Inbox/ConversationSearch.cs); its expression must stay identical to
    /// ConversationSearch.PostgresDocument (InboxPagingTests checks the plan).
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
                CREATE INDEX "IX_Conversations_Search" ON "Conversations" USING GIN (to_tsvector('simple'::regconfig, regexp_replace(coalesce("Reference", '') || ' ' || coalesce("Subject", '') || ' ' || coalesce("CitizenHandle", '') || ' ' || coalesce("CitizenName", ''), '[^[:alnum:]]+', ' ', 'g')));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_Conversations_Search";""");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_CreatedAt_Id",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_IsUrgent_Priority_CreatedAt_Id",
                table: "Conversations");
        }
    }
}
