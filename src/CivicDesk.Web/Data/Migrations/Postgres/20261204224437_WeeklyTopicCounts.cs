using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WeeklyTopicCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "WeeklyTopicCounts",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    WeekStart = table.Column<DateOnly>(type: "date", nullable: false),
                    TopicKind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Topic = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    TeamId = table.Column<long>(type: "bigint", nullable: false),
                    Sentiment = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WeeklyTopicCounts", x => new { x.OrganisationId, x.WeekStart, x.TopicKind, x.Topic, x.TeamId, x.Sentiment });
                });

            migrationBuilder.CreateIndex(
                name: "IX_WeeklyTopicCounts_OrganisationId_TopicKind_WeekStart_Topic_~",
                table: "WeeklyTopicCounts",
                columns: new[] { "OrganisationId", "TopicKind", "WeekStart", "Topic", "TeamId", "Count" });

            // Weeks of the days already aggregated, summed once here; from now on the worker keeps them.
            migrationBuilder.Sql(@"INSERT INTO ""WeeklyTopicCounts"" (""WeekStart"", ""OrganisationId"", ""TopicKind"", ""Topic"", ""TeamId"", ""Sentiment"", ""Count"") SELECT ""Day"" - (EXTRACT(ISODOW FROM ""Day"")::int - 1), ""OrganisationId"", ""TopicKind"", ""Topic"", ""TeamId"", ""Sentiment"", SUM(""Count"") FROM ""DailyTopicCounts"" GROUP BY 1, ""OrganisationId"", ""TopicKind"", ""Topic"", ""TeamId"", ""Sentiment""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WeeklyTopicCounts");
        }
    }
}
