using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseSortIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Cases_OrganisationId_DueAt_Id",
                table: "Cases",
                columns: new[] { "OrganisationId", "DueAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_OrganisationId_Priority_CreatedAt_Id",
                table: "Cases",
                columns: new[] { "OrganisationId", "Priority", "CreatedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_OrganisationId_DueAt_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_OrganisationId_Priority_CreatedAt_Id",
                table: "Cases");
        }
    }
}
