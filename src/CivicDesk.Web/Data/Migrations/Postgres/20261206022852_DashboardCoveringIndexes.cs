using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DashboardCoveringIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_WeeklyOrganisationTopicCounts_OrganisationId_WeekStart_Topi~",
                table: "WeeklyOrganisationTopicCounts",
                columns: new[] { "OrganisationId", "WeekStart", "TopicKind", "Topic", "Count", "Negative", "Neutral", "Positive", "Unclassified" });

            migrationBuilder.CreateIndex(
                name: "IX_WeeklyMessageCounts_OrganisationId_WeekStart_ChannelId_Dire~",
                table: "WeeklyMessageCounts",
                columns: new[] { "OrganisationId", "WeekStart", "ChannelId", "Direction", "Listening", "Sentiment", "TeamId", "Count" });

            migrationBuilder.CreateIndex(
                name: "IX_MonthlyOrganisationTopicCounts_OrganisationId_MonthStart_To~",
                table: "MonthlyOrganisationTopicCounts",
                columns: new[] { "OrganisationId", "MonthStart", "TopicKind", "Topic", "Count", "Negative", "Neutral", "Positive", "Unclassified" });

            migrationBuilder.CreateIndex(
                name: "IX_DailyOrganisationTopicCounts_OrganisationId_Day_TopicKind_T~",
                table: "DailyOrganisationTopicCounts",
                columns: new[] { "OrganisationId", "Day", "TopicKind", "Topic", "Count", "Negative", "Neutral", "Positive", "Unclassified" });

            migrationBuilder.CreateIndex(
                name: "IX_DailyMessageCounts_OrganisationId_Day_ChannelId_Direction_L~",
                table: "DailyMessageCounts",
                columns: new[] { "OrganisationId", "Day", "ChannelId", "Direction", "Listening", "Sentiment", "TeamId", "Count" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WeeklyOrganisationTopicCounts_OrganisationId_WeekStart_Topi~",
                table: "WeeklyOrganisationTopicCounts");

            migrationBuilder.DropIndex(
                name: "IX_WeeklyMessageCounts_OrganisationId_WeekStart_ChannelId_Dire~",
                table: "WeeklyMessageCounts");

            migrationBuilder.DropIndex(
                name: "IX_MonthlyOrganisationTopicCounts_OrganisationId_MonthStart_To~",
                table: "MonthlyOrganisationTopicCounts");

            migrationBuilder.DropIndex(
                name: "IX_DailyOrganisationTopicCounts_OrganisationId_Day_TopicKind_T~",
                table: "DailyOrganisationTopicCounts");

            migrationBuilder.DropIndex(
                name: "IX_DailyMessageCounts_OrganisationId_Day_ChannelId_Direction_L~",
                table: "DailyMessageCounts");
        }
    }
}
