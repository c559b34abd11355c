using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ConversationUpdatesInPlace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_OrganisationId_NeedsHumanTriage",
                table: "Messages");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_Status_LastMessageAt",
                table: "Conversations");

            migrationBuilder.AlterTable(
                name: "Conversations")
                .Annotation("Npgsql:StorageParameter:fillfactor", 85);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "Conversations")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 85);

            migrationBuilder.CreateIndex(
                name: "IX_Messages_OrganisationId_NeedsHumanTriage",
                table: "Messages",
                columns: new[] { "OrganisationId", "NeedsHumanTriage" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_Status_LastMessageAt",
                table: "Conversations",
                columns: new[] { "OrganisationId", "Status", "LastMessageAt" });
        }
    }
}
