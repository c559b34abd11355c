using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
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
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RestrictedBy",
                table: "Cases",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AccountReminders",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    SocialAccountId = table.Column<long>(type: "bigint", nullable: false),
                    Key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Text = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    SentAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Emailed = table.Column<int>(type: "integer", nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    CuratorId = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    CuratorName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Affiliation = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ChannelId = table.Column<long>(type: "bigint", nullable: false),
                    StartsAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EndsAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ReviewRequired = table.Column<bool>(type: "boolean", nullable: false),
                    Note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    GrantedById = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    GrantedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RevokedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    RevokedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    Name = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: false),
                    Description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Json = table.Column<string>(type: "text", nullable: false),
                    Contents = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    PublishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    PublishedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    WithdrawnAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
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
