using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TriageFeedback : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "NeedsHumanReason",
                table: "Messages",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "NeedsHumanTriage",
                table: "Messages",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "TriageFeedback",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    MessageId = table.Column<long>(type: "INTEGER", nullable: false),
                    Task = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    OldValue = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    NewValue = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    StaffId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    StaffName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TriageFeedback", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TriageFeedback_Messages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "Messages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Messages_OrganisationId_NeedsHumanTriage",
                table: "Messages",
                columns: new[] { "OrganisationId", "NeedsHumanTriage" });

            migrationBuilder.CreateIndex(
                name: "IX_TriageFeedback_MessageId",
                table: "TriageFeedback",
                column: "MessageId");

            migrationBuilder.CreateIndex(
                name: "IX_TriageFeedback_OrganisationId_Task_At",
                table: "TriageFeedback",
                columns: new[] { "OrganisationId", "Task", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TriageFeedback");

            migrationBuilder.DropIndex(
                name: "IX_Messages_OrganisationId_NeedsHumanTriage",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "NeedsHumanReason",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "NeedsHumanTriage",
                table: "Messages");
        }
    }
}
