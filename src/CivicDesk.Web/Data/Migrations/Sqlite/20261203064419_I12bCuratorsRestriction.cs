using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class I12bCuratorsRestriction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RestrictedBy",
                table: "Conversations",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RestrictedBy",
                table: "Cases",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AccountReminders",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    SocialAccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    SentAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Emailed = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountReminders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccountReminders_SocialAccounts_SocialAccountId",
                        column: x => x.SocialAccountId,
                        principalTable: "SocialAccounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CuratorGrants",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    CuratorId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    CuratorName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Affiliation = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ChannelId = table.Column<long>(type: "INTEGER", nullable: false),
                    StartsAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndsAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ReviewRequired = table.Column<bool>(type: "INTEGER", nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    GrantedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    GrantedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RevokedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    RevokedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CuratorGrants", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CuratorGrants_Channels_ChannelId",
                        column: x => x.ChannelId,
                        principalTable: "Channels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PublishedPacks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Json = table.Column<string>(type: "TEXT", nullable: false),
                    Contents = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    PublishedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    PublishedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    WithdrawnAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PublishedPacks", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccountReminders_OrganisationId_SentAt",
                table: "AccountReminders",
                columns: new[] { "OrganisationId", "SentAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountReminders_OrganisationId_SocialAccountId_Key",
                table: "AccountReminders",
                columns: new[] { "OrganisationId", "SocialAccountId", "Key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccountReminders_SocialAccountId",
                table: "AccountReminders",
                column: "SocialAccountId");

            migrationBuilder.CreateIndex(
                name: "IX_CuratorGrants_ChannelId",
                table: "CuratorGrants",
                column: "ChannelId");

            migrationBuilder.CreateIndex(
                name: "IX_CuratorGrants_CuratorId_EndsAt",
                table: "CuratorGrants",
                columns: new[] { "CuratorId", "EndsAt" });

            migrationBuilder.CreateIndex(
                name: "IX_CuratorGrants_OrganisationId_EndsAt",
                table: "CuratorGrants",
                columns: new[] { "OrganisationId", "EndsAt" });

            migrationBuilder.CreateIndex(
                name: "IX_PublishedPacks_OrganisationId_PublishedAt",
                table: "PublishedPacks",
                columns: new[] { "OrganisationId", "PublishedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccountReminders");

            migrationBuilder.DropTable(
                name: "CuratorGrants");

            migrationBuilder.DropTable(
                name: "PublishedPacks");

            migrationBuilder.DropColumn(
                name: "RestrictedBy",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "RestrictedBy",
                table: "Cases");
        }
    }
}
