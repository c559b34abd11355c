using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MonthlyMessageCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MonthlyMessageCounts",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    ChannelId = table.Column<long>(type: "bigint", nullable: false),
                    TeamId = table.Column<long>(type: "bigint", nullable: false),
                    Direction = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Listening = table.Column<bool>(type: "boolean", nullable: false),
                    Kind = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Category = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Sentiment = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StaffId = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    MonthStart = table.Column<DateOnly>(type: "date", nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MonthlyMessageCounts", x => new { x.OrganisationId, x.MonthStart, x.ChannelId, x.TeamId, x.Direction, x.Listening, x.Kind, x.Category, x.Sentiment, x.StaffId });
                });

            // Filled from the daily rows already aggregated (the worker and the rebuild keep it from now on).
            migrationBuilder.Sql(@"INSERT INTO ""MonthlyMessageCounts"" (""OrganisationId"", ""MonthStart"", ""ChannelId"", ""TeamId"", ""Direction"", ""Listening"", ""Kind"", ""Category"", ""Sentiment"", ""StaffId"", ""Count"") SELECT ""OrganisationId"", date_trunc('month', ""Day"")::date, ""ChannelId"", ""TeamId"", ""Direction"", ""Listening"", ""Kind"", ""Category"", ""Sentiment"", ""StaffId"", SUM(""Count"") FROM ""DailyMessageCounts"" GROUP BY ""OrganisationId"", 2, ""ChannelId"", ""TeamId"", ""Direction"", ""Listening"", ""Kind"", ""Category"", ""Sentiment"", ""StaffId""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MonthlyMessageCounts");
        }
    }
}
