using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WeeklyMessageCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "WeeklyMessageCounts",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    ChannelId = table.Column<long>(type: "INTEGER", nullable: false),
                    TeamId = table.Column<long>(type: "INTEGER", nullable: false),
                    Direction = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Listening = table.Column<bool>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Sentiment = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    StaffId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    WeekStart = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WeeklyMessageCounts", x => new { x.OrganisationId, x.WeekStart, x.ChannelId, x.TeamId, x.Direction, x.Listening, x.Kind, x.Category, x.Sentiment, x.StaffId });
                });

            // Weeks of the days already aggregated, summed once here; from now on the worker keeps them.
            migrationBuilder.Sql(@"INSERT INTO ""WeeklyMessageCounts"" (""WeekStart"", ""OrganisationId"", ""ChannelId"", ""TeamId"", ""Direction"", ""Listening"", ""Kind"", ""Category"", ""Sentiment"", ""StaffId"", ""Count"") SELECT date(""Day"", '-' || ((CAST(strftime('%w', ""Day"") AS INTEGER) + 6) % 7) || ' days'), ""OrganisationId"", ""ChannelId"", ""TeamId"", ""Direction"", ""Listening"", ""Kind"", ""Category"", ""Sentiment"", ""StaffId"", SUM(""Count"") FROM ""DailyMessageCounts"" GROUP BY 1, ""OrganisationId"", ""ChannelId"", ""TeamId"", ""Direction"", ""Listening"", ""Kind"", ""Category"", ""Sentiment"", ""StaffId""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WeeklyMessageCounts");
        }
    }
}
