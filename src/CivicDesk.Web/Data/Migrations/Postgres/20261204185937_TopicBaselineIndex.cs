using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TopicBaselineIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_DailyTopicCounts_OrganisationId_Topic_Day",
                table: "DailyTopicCounts",
                columns: new[] { "OrganisationId", "Topic", "Day" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DailyTopicCounts_OrganisationId_Topic_Day",
                table: "DailyTopicCounts");
        }
    }
}
