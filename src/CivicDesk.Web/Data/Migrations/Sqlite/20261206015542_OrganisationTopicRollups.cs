using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OrganisationTopicRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DailyOrganisationTopicCounts",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    TopicKind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false),
                    Negative = table.Column<int>(type: "INTEGER", nullable: false),
                    Neutral = table.Column<int>(type: "INTEGER", nullable: false),
                    Positive = table.Column<int>(type: "INTEGER", nullable: false),
                    Unclassified = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DailyOrganisationTopicCounts", x => new { x.OrganisationId, x.Day, x.TopicKind, x.Topic });
                });

            migrationBuilder.CreateTable(
                name: "WeeklyOrganisationTopicCounts",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    TopicKind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    WeekStart = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false),
                    Negative = table.Column<int>(type: "INTEGER", nullable: false),
                    Neutral = table.Column<int>(type: "INTEGER", nullable: false),
                    Positive = table.Column<int>(type: "INTEGER", nullable: false),
                    Unclassified = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WeeklyOrganisationTopicCounts", x => new { x.OrganisationId, x.WeekStart, x.TopicKind, x.Topic });
                });

            migrationBuilder.CreateIndex(
                name: "IX_DailyOrganisationTopicCounts_OrganisationId_Topic_Day_TopicKind_Count",
                table: "DailyOrganisationTopicCounts",
                columns: new[] { "OrganisationId", "Topic", "Day", "TopicKind", "Count" });

            // The days and weeks already aggregated, summed over teams once here; from now on the worker writes them
            // beside the team rows.
            migrationBuilder.Sql(@"INSERT INTO ""DailyOrganisationTopicCounts"" (""OrganisationId"", ""Day"", ""TopicKind"", ""Topic"", ""Count"", ""Negative"", ""Neutral"", ""Positive"", ""Unclassified"") SELECT ""OrganisationId"", ""Day"", ""TopicKind"", ""Topic"", SUM(""Count""), SUM(CASE WHEN ""Sentiment"" = 'negative' THEN ""Count"" ELSE 0 END), SUM(CASE WHEN ""Sentiment"" = 'neutral' THEN ""Count"" ELSE 0 END), SUM(CASE WHEN ""Sentiment"" = 'positive' THEN ""Count"" ELSE 0 END), SUM(CASE WHEN ""Sentiment"" = '' THEN ""Count"" ELSE 0 END) FROM ""DailyTopicCounts"" GROUP BY ""OrganisationId"", ""Day"", ""TopicKind"", ""Topic"" HAVING SUM(""Count"") <> 0");
            migrationBuilder.Sql(@"INSERT INTO ""WeeklyOrganisationTopicCounts"" (""OrganisationId"", ""WeekStart"", ""TopicKind"", ""Topic"", ""Count"", ""Negative"", ""Neutral"", ""Positive"", ""Unclassified"") SELECT ""OrganisationId"", ""WeekStart"", ""TopicKind"", ""Topic"", SUM(""Count""), SUM(CASE WHEN ""Sentiment"" = 'negative' THEN ""Count"" ELSE 0 END), SUM(CASE WHEN ""Sentiment"" = 'neutral' THEN ""Count"" ELSE 0 END), SUM(CASE WHEN ""Sentiment"" = 'positive' THEN ""Count"" ELSE 0 END), SUM(CASE WHEN ""Sentiment"" = '' THEN ""Count"" ELSE 0 END) FROM ""WeeklyTopicCounts"" GROUP BY ""OrganisationId"", ""WeekStart"", ""TopicKind"", ""Topic"" HAVING SUM(""Count"") <> 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DailyOrganisationTopicCounts");

            migrationBuilder.DropTable(
                name: "WeeklyOrganisationTopicCounts");
        }
    }
}
