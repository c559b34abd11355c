using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InboxPartialIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_AssignedStaffId_Status_Assigne~",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_NeedsHuman_Status_AssignedTeam~",
                table: "Conversations");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_NeedsHuman",
                table: "Conversations",
                columns: new[] { "OrganisationId", "Status", "AssignedTeamId" },
                filter: "\"NeedsHuman\"");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_AssignedStaffId_Status_Assigne~",
                table: "Conversations",
                columns: new[] { "OrganisationId", "AssignedStaffId", "Status", "AssignedTeamId" },
                filter: "\"AssignedStaffId\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Conversations_NeedsHuman",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_AssignedStaffId_Status_Assigne~",
                table: "Conversations");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_AssignedStaffId_Status_Assigne~",
                table: "Conversations",
                columns: new[] { "OrganisationId", "AssignedStaffId", "Status", "AssignedTeamId" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_NeedsHuman_Status_AssignedTeam~",
                table: "Conversations",
                columns: new[] { "OrganisationId", "NeedsHuman", "Status", "AssignedTeamId" });
        }
    }
}
