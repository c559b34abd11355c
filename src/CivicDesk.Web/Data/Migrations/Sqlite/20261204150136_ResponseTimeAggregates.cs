using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ResponseTimeAggregates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DailyResponseTimes",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    TeamId = table.Column<long>(type: "INTEGER", nullable: false),
                    Opened = table.Column<int>(type: "INTEGER", nullable: false),
                    Answered = table.Column<int>(type: "INTEGER", nullable: false),
                    AnsweredWithTarget = table.Column<int>(type: "INTEGER", nullable: false),
                    AnsweredWithinTarget = table.Column<int>(type: "INTEGER", nullable: false),
                    Resolved = table.Column<int>(type: "INTEGER", nullable: false),
                    ResolvedWithTarget = table.Column<int>(type: "INTEGER", nullable: false),
                    ResolvedWithinTarget = table.Column<int>(type: "INTEGER", nullable: false),
                    FirstResponseHours = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ResolutionHours = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Basis = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DailyResponseTimes", x => new { x.OrganisationId, x.Day, x.TeamId });
                });

            migrationBuilder.CreateTable(
                name: "HourlyOpenConversations",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    HourStart = table.Column<DateTime>(type: "TEXT", nullable: false),
                    TeamId = table.Column<long>(type: "INTEGER", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HourlyOpenConversations", x => new { x.OrganisationId, x.HourStart, x.TeamId });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DailyResponseTimes");

            migrationBuilder.DropTable(
                name: "HourlyOpenConversations");
        }
    }
}
