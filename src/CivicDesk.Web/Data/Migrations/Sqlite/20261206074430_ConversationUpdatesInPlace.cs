using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
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
