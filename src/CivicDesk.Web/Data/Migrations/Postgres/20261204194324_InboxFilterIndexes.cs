using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InboxFilterIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_CreatedAt_Id",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_IsUrgent_Priority_CreatedAt_Id",
                table: "Conversations");

            migrationBuilder.AddColumn<bool>(
                name: "NeedsHuman",
                table: "Conversations",
                type: "boolean",
                nullable: false,
                defaultValue: false);

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
                name: "IX_Conversations_OrganisationId_IsUrgent_Priority_Status_Creat~",
                table: "Conversations",
                columns: new[] { "OrganisationId", "IsUrgent", "Priority", "Status", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_Kind_Status",
                table: "Conversations",
                columns: new[] { "OrganisationId", "Kind", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_NeedsHuman_Status",
                table: "Conversations",
                columns: new[] { "OrganisationId", "NeedsHuman", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_Status_CreatedAt_Id",
                table: "Conversations",
                columns: new[] { "OrganisationId", "Status", "CreatedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
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
                name: "IX_Conversations_OrganisationId_IsUrgent_Priority_Status_Creat~",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_Kind_Status",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_NeedsHuman_Status",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_OrganisationId_Status_CreatedAt_Id",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "NeedsHuman",
                table: "Conversations");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_CreatedAt_Id",
                table: "Conversations",
                columns: new[] { "OrganisationId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_OrganisationId_IsUrgent_Priority_CreatedAt_Id",
                table: "Conversations",
                columns: new[] { "OrganisationId", "IsUrgent", "Priority", "CreatedAt", "Id" });
        }
    }
}
