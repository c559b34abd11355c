using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TopicRankingIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_DailyTopicCounts_OrganisationId_TopicKind_Day_Topic_TeamId_Count",
                table: "DailyTopicCounts",
                columns: new[] { "OrganisationId", "TopicKind", "Day", "Topic", "TeamId", "Count" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DailyTopicCounts_OrganisationId_TopicKind_Day_Topic_TeamId_Count",
                table: "DailyTopicCounts");
        }
    }
}
