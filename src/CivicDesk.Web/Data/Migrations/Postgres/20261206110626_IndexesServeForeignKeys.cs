using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class IndexesServeForeignKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_ConversationId",
                table: "Messages");

            migrationBuilder.DropIndex(
                name: "IX_Messages_OrganisationId_ConversationId_CreatedAt",
                table: "Messages");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_AssignedStaffId",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_AssignedTeamId",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_AssignedStaffId_Status_Assigne~",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_AssignedTeamId_Status",
                table: "Conversations");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_ConversationId_OrganisationId_CreatedAt",
                table: "Messages",
                columns: new[] { "ConversationId", "OrganisationId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_AssignedStaffId_OrganisationId_Status_Assigne~",
                table: "Conversations",
                columns: new[] { "AssignedStaffId", "OrganisationId", "Status", "AssignedTeamId" },
                filter: "\"AssignedStaffId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_AssignedTeamId_OrganisationId_Status",
                table: "Conversations",
                columns: new[] { "AssignedTeamId", "OrganisationId", "Status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_ConversationId_OrganisationId_CreatedAt",
                table: "Messages");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_AssignedStaffId_OrganisationId_Status_Assigne~",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_AssignedTeamId_OrganisationId_Status",
                table: "Conversations");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_ConversationId",
                table: "Messages",
                column: "ConversationId");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_OrganisationId_ConversationId_CreatedAt",
                table: "Messages",
                columns: new[] { "OrganisationId", "ConversationId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_AssignedStaffId",
                table: "Conversations",
                column: "AssignedStaffId");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_AssignedTeamId",
                table: "Conversations",
                column: "AssignedTeamId");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_AssignedStaffId_Status_Assigne~",
                table: "Conversations",
                columns: new[] { "OrganisationId", "AssignedStaffId", "Status", "AssignedTeamId" },
                filter: "\"AssignedStaffId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_AssignedTeamId_Status",
                table: "Conversations",
                columns: new[] { "OrganisationId", "AssignedTeamId", "Status" });
        }
    }
}
