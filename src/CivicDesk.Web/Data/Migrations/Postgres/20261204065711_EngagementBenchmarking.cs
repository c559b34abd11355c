using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EngagementBenchmarking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BenchmarkOptIns",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    OptedInAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    OptedInById = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    OptedInByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BenchmarkOptIns", x => x.OrganisationId);
                    table.ForeignKey(
                        name: "FK_BenchmarkOptIns_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "EngagementPeers",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    Fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PublicKey = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Slug = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    InstanceId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    MethodsVersion = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ExportedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ImportedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ImportedById = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    ImportedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EngagementPeers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EngagementPeers_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "EngagementScoreSnapshots",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    Month = table.Column<DateOnly>(type: "date", nullable: false),
                    Score = table.Column<double>(type: "double precision", nullable: true),
                    ComponentsJson = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Coverage = table.Column<double>(type: "double precision", nullable: false),
                    Conversations = table.Column<int>(type: "integer", nullable: false),
                    MethodsVersion = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EngagementScoreSnapshots", x => new { x.OrganisationId, x.Month });
                    table.ForeignKey(
                        name: "FK_EngagementScoreSnapshots_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "EngagementSigningKeys",
                columns: table => new
                {
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    PublicKey = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    Fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ProtectedPrivateKey = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EngagementSigningKeys", x => x.OrganisationId);
                    table.ForeignKey(
                        name: "FK_EngagementSigningKeys_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InstanceIdentities",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    InstanceId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InstanceIdentities", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "EngagementPeerMonths",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    PeerId = table.Column<long>(type: "bigint", nullable: false),
                    Month = table.Column<DateOnly>(type: "date", nullable: false),
                    Score = table.Column<double>(type: "double precision", nullable: true),
                    ComponentsJson = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Coverage = table.Column<double>(type: "double precision", nullable: false),
                    Conversations = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EngagementPeerMonths", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EngagementPeerMonths_EngagementPeers_PeerId",
                        column: x => x.PeerId,
                        principalTable: "EngagementPeers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_EngagementPeerMonths_PeerId_Month",
                table: "EngagementPeerMonths",
                columns: new[] { "PeerId", "Month" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EngagementPeers_OrganisationId_Fingerprint",
                table: "EngagementPeers",
                columns: new[] { "OrganisationId", "Fingerprint" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EngagementScoreSnapshots_Month",
                table: "EngagementScoreSnapshots",
                column: "Month");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BenchmarkOptIns");

            migrationBuilder.DropTable(
                name: "EngagementPeerMonths");

            migrationBuilder.DropTable(
                name: "EngagementScoreSnapshots");

            migrationBuilder.DropTable(
                name: "EngagementSigningKeys");

            migrationBuilder.DropTable(
                name: "InstanceIdentities");

            migrationBuilder.DropTable(
                name: "EngagementPeers");
        }
    }
}
