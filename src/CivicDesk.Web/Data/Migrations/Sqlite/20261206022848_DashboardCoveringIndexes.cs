using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DashboardCoveringIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_WeeklyOrganisationTopicCounts_OrganisationId_WeekStart_TopicKind_Topic_Count_Negative_Neutral_Positive_Unclassified",
                table: "WeeklyOrganisationTopicCounts",
                columns: new[] { "OrganisationId", "WeekStart", "TopicKind", "Topic", "Count", "Negative", "Neutral", "Positive", "Unclassified" });

            migrationBuilder.CreateIndex(
                name: "IX_WeeklyMessageCounts_OrganisationId_WeekStart_ChannelId_Direction_Listening_Sentiment_TeamId_Count",
                table: "WeeklyMessageCounts",
                columns: new[] { "OrganisationId", "WeekStart", "ChannelId", "Direction", "Listening", "Sentiment", "TeamId", "Count" });

            migrationBuilder.CreateIndex(
                name: "IX_MonthlyOrganisationTopicCounts_OrganisationId_MonthStart_TopicKind_Topic_Count_Negative_Neutral_Positive_Unclassified",
                table: "MonthlyOrganisationTopicCounts",
                columns: new[] { "OrganisationId", "MonthStart", "TopicKind", "Topic", "Count", "Negative", "Neutral", "Positive", "Unclassified" });

            migrationBuilder.CreateIndex(
                name: "IX_DailyOrganisationTopicCounts_OrganisationId_Day_TopicKind_Topic_Count_Negative_Neutral_Positive_Unclassified",
                table: "DailyOrganisationTopicCounts",
                columns: new[] { "OrganisationId", "Day", "TopicKind", "Topic", "Count", "Negative", "Neutral", "Positive", "Unclassified" });

            migrationBuilder.CreateIndex(
                name: "IX_DailyMessageCounts_OrganisationId_Day_ChannelId_Direction_Listening_Sentiment_TeamId_Count",
                table: "DailyMessageCounts",
                columns: new[] { "OrganisationId", "Day", "ChannelId", "Direction", "Listening", "Sentiment", "TeamId", "Count" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WeeklyOrganisationTopicCounts_OrganisationId_WeekStart_TopicKind_Topic_Count_Negative_Neutral_Positive_Unclassified",
                table: "WeeklyOrganisationTopicCounts");

            migrationBuilder.DropIndex(
                name: "IX_WeeklyMessageCounts_OrganisationId_WeekStart_ChannelId_Direction_Listening_Sentiment_TeamId_Count",
                table: "WeeklyMessageCounts");

            migrationBuilder.DropIndex(
                name: "IX_MonthlyOrganisationTopicCounts_OrganisationId_MonthStart_TopicKind_Topic_Count_Negative_Neutral_Positive_Unclassified",
                table: "MonthlyOrganisationTopicCounts");

            migrationBuilder.DropIndex(
                name: "IX_DailyOrganisationTopicCounts_OrganisationId_Day_TopicKind_Topic_Count_Negative_Neutral_Positive_Unclassified",
                table: "DailyOrganisationTopicCounts");

            migrationBuilder.DropIndex(
                name: "IX_DailyMessageCounts_OrganisationId_Day_ChannelId_Direction_Listening_Sentiment_TeamId_Count",
                table: "DailyMessageCounts");
        }
    }
}
