using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CoveringTopicIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WeeklyTopicCounts_OrganisationId_TopicKind_WeekStart_Topic_TeamId_Count",
                table: "WeeklyTopicCounts");

            migrationBuilder.DropIndex(
                name: "IX_DailyTopicCounts_OrganisationId_Topic_Day",
                table: "DailyTopicCounts");

            migrationBuilder.DropIndex(
                name: "IX_DailyTopicCounts_OrganisationId_TopicKind_Day_Topic_TeamId_Count",
                table: "DailyTopicCounts");

            migrationBuilder.CreateIndex(
                name: "IX_WeeklyTopicCounts_OrganisationId_TopicKind_WeekStart_Topic_TeamId_Sentiment_Count",
                table: "WeeklyTopicCounts",
                columns: new[] { "OrganisationId", "TopicKind", "WeekStart", "Topic", "TeamId", "Sentiment", "Count" });

            migrationBuilder.CreateIndex(
                name: "IX_DailyTopicCounts_OrganisationId_Topic_Day_TopicKind_TeamId_Count",
                table: "DailyTopicCounts",
                columns: new[] { "OrganisationId", "Topic", "Day", "TopicKind", "TeamId", "Count" });

            migrationBuilder.CreateIndex(
                name: "IX_DailyTopicCounts_OrganisationId_TopicKind_Day_Topic_TeamId_Sentiment_Count",
                table: "DailyTopicCounts",
                columns: new[] { "OrganisationId", "TopicKind", "Day", "Topic", "TeamId", "Sentiment", "Count" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WeeklyTopicCounts_OrganisationId_TopicKind_WeekStart_Topic_TeamId_Sentiment_Count",
                table: "WeeklyTopicCounts");

            migrationBuilder.DropIndex(
                name: "IX_DailyTopicCounts_OrganisationId_Topic_Day_TopicKind_TeamId_Count",
                table: "DailyTopicCounts");

            migrationBuilder.DropIndex(
                name: "IX_DailyTopicCounts_OrganisationId_TopicKind_Day_Topic_TeamId_Sentiment_Count",
                table: "DailyTopicCounts");

            migrationBuilder.CreateIndex(
                name: "IX_WeeklyTopicCounts_OrganisationId_TopicKind_WeekStart_Topic_TeamId_Count",
                table: "WeeklyTopicCounts",
                columns: new[] { "OrganisationId", "TopicKind", "WeekStart", "Topic", "TeamId", "Count" });

            migrationBuilder.CreateIndex(
                name: "IX_DailyTopicCounts_OrganisationId_Topic_Day",
                table: "DailyTopicCounts",
                columns: new[] { "OrganisationId", "Topic", "Day" });

            migrationBuilder.CreateIndex(
                name: "IX_DailyTopicCounts_OrganisationId_TopicKind_Day_Topic_TeamId_Count",
                table: "DailyTopicCounts",
                columns: new[] { "OrganisationId", "TopicKind", "Day", "Topic", "TeamId", "Count" });
        }
    }
}
