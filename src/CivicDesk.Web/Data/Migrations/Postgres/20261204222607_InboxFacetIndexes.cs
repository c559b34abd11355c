using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InboxFacetIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Conversations_ChannelId_Status",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_AssignedStaffId_Status",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_Category_Status",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_Kind_Status",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_NeedsHuman_Status",
                table: "Conversations");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_AssignedStaffId_Status_Assigne~",
                table: "Conversations",
                columns: new[] { "OrganisationId", "AssignedStaffId", "Status", "AssignedTeamId" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_Category_Status_AssignedTeamId",
                table: "Conversations",
                columns: new[] { "OrganisationId", "Category", "Status", "AssignedTeamId" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_ChannelId_Status_AssignedTeamId",
                table: "Conversations",
                columns: new[] { "OrganisationId", "ChannelId", "Status", "AssignedTeamId" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_IsUrgent_Status_AssignedTeamId",
                table: "Conversations",
                columns: new[] { "OrganisationId", "IsUrgent", "Status", "AssignedTeamId" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_Kind_Status_AssignedTeamId",
                table: "Conversations",
                columns: new[] { "OrganisationId", "Kind", "Status", "AssignedTeamId" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_NeedsHuman_Status_AssignedTeam~",
                table: "Conversations",
                columns: new[] { "OrganisationId", "NeedsHuman", "Status", "AssignedTeamId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_AssignedStaffId_Status_Assigne~",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_Category_Status_AssignedTeamId",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_ChannelId_Status_AssignedTeamId",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_IsUrgent_Status_AssignedTeamId",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_Kind_Status_AssignedTeamId",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_NeedsHuman_Status_AssignedTeam~",
                table: "Conversations");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_ChannelId_Status",
                table: "Conversations",
                columns: new[] { "ChannelId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_AssignedStaffId_Status",
                table: "Conversations",
                columns: new[] { "OrganisationId", "AssignedStaffId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_Category_Status",
                table: "Conversations",
                columns: new[] { "OrganisationId", "Category", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_Kind_Status",
                table: "Conversations",
                columns: new[] { "OrganisationId", "Kind", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_NeedsHuman_Status",
                table: "Conversations",
                columns: new[] { "OrganisationId", "NeedsHuman", "Status" });
        }
    }
}
