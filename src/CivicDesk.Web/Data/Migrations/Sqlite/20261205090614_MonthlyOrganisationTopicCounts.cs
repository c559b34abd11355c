using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MonthlyOrganisationTopicCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MonthlyOrganisationTopicCounts",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    MonthStart = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    TopicKind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false),
                    Negative = table.Column<int>(type: "INTEGER", nullable: false),
                    Neutral = table.Column<int>(type: "INTEGER", nullable: false),
                    Positive = table.Column<int>(type: "INTEGER", nullable: false),
                    Unclassified = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MonthlyOrganisationTopicCounts", x => new { x.OrganisationId, x.MonthStart, x.TopicKind, x.Topic });
                });

            // Months of the days already aggregated, summed once here; from now on the worker keeps them.
            migrationBuilder.Sql(@"INSERT INTO ""MonthlyOrganisationTopicCounts"" (""MonthStart"", ""OrganisationId"", ""TopicKind"", ""Topic"", ""Count"", ""Negative"", ""Neutral"", ""Positive"", ""Unclassified"") SELECT date(""Day"", 'start of month'), ""OrganisationId"", ""TopicKind"", ""Topic"", SUM(""Count""), SUM(CASE WHEN ""Sentiment"" = 'negative' THEN ""Count"" ELSE 0 END), SUM(CASE WHEN ""Sentiment"" = 'neutral' THEN ""Count"" ELSE 0 END), SUM(CASE WHEN ""Sentiment"" = 'positive' THEN ""Count"" ELSE 0 END), SUM(CASE WHEN ""Sentiment"" = '' THEN ""Count"" ELSE 0 END) FROM ""DailyTopicCounts"" GROUP BY 1, ""OrganisationId"", ""TopicKind"", ""Topic""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MonthlyOrganisationTopicCounts");
        }
    }
}
