using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class I9bSpeak : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "FaqEntries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    Question = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Answer = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: false),
                    Topic = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    IsPublished = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CreatedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    SourceQuestionId = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FaqEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FaqEntries_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Incidents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    Slug = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    Title = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: false),
                    Severity = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    AreaKind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CentreLatitude = table.Column<double>(type: "double precision", nullable: true),
                    CentreLongitude = table.Column<double>(type: "double precision", nullable: true),
                    RadiusMetres = table.Column<double>(type: "double precision", nullable: true),
                    AreaGeoJson = table.Column<string>(type: "character varying(200000)", maxLength: 200000, nullable: true),
                    Keywords = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Guidance = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    DeclaredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    DeclaredById = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    DeclaredByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    StoodDownAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    StoodDownByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Summary = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Incidents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Incidents_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QaSessions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    Title = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: false),
                    Hashtag = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Account = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ChannelIds = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    StartsAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EndsAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CreatedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QaSessions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QaSessions_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RumourClaims",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    Statement = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    FirstSeenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    EvidenceNotes = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CreatedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    VerdictStatus = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Facts = table.Column<string>(type: "character varying(3000)", maxLength: 3000, nullable: true),
                    VerdictPublishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    VerdictPublishedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    RebuttalText = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    RebuttalChannelIds = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    RebuttalReference = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RumourClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RumourClaims_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "IncidentUpdates",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    IncidentId = table.Column<long>(type: "bigint", nullable: false),
                    Text = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    PostedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    PostedById = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    PostedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PhotoId = table.Column<Guid>(type: "uuid", nullable: true),
                    PhotoContentType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    PhotoStoredPath = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    PhotoAlt = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: true),
                    ChannelIds = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    PublicationReference = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IncidentUpdates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IncidentUpdates_Incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "Incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QaQuestions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    SessionId = table.Column<long>(type: "bigint", nullable: false),
                    MessageId = table.Column<long>(type: "bigint", nullable: false),
                    ConversationId = table.Column<long>(type: "bigint", nullable: false),
                    ChannelId = table.Column<long>(type: "bigint", nullable: false),
                    AuthorHandle = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    AskedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FaqEntryId = table.Column<long>(type: "bigint", nullable: true),
                    AskerNotifiedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QaQuestions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QaQuestions_Messages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "Messages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_QaQuestions_QaSessions_SessionId",
                        column: x => x.SessionId,
                        principalTable: "QaSessions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RumourReplies",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    ClaimId = table.Column<long>(type: "bigint", nullable: false),
                    ChannelId = table.Column<long>(type: "bigint", nullable: false),
                    AuthorHandle = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ConversationId = table.Column<long>(type: "bigint", nullable: false),
                    SendAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    QueuedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    QueuedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RumourReplies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RumourReplies_RumourClaims_ClaimId",
                        column: x => x.ClaimId,
                        principalTable: "RumourClaims",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RumourSightings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganisationId = table.Column<long>(type: "bigint", nullable: false),
                    ClaimId = table.Column<long>(type: "bigint", nullable: false),
                    MessageId = table.Column<long>(type: "bigint", nullable: false),
                    ConversationId = table.Column<long>(type: "bigint", nullable: false),
                    ChannelId = table.Column<long>(type: "bigint", nullable: false),
                    AuthorHandle = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    SeenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    AddedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    AddedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RumourSightings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RumourSightings_Messages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "Messages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_RumourSightings_RumourClaims_ClaimId",
                        column: x => x.ClaimId,
                        principalTable: "RumourClaims",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FaqEntries_OrganisationId_IsPublished_Topic",
                table: "FaqEntries",
                columns: new[] { "OrganisationId", "IsPublished", "Topic" });

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_OrganisationId_Slug",
                table: "Incidents",
                columns: new[] { "OrganisationId", "Slug" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_OrganisationId_Status",
                table: "Incidents",
                columns: new[] { "OrganisationId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_IncidentUpdates_IncidentId_PostedAt",
                table: "IncidentUpdates",
                columns: new[] { "IncidentId", "PostedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_QaQuestions_MessageId",
                table: "QaQuestions",
                column: "MessageId");

            migrationBuilder.CreateIndex(
                name: "IX_QaQuestions_SessionId_MessageId",
                table: "QaQuestions",
                columns: new[] { "SessionId", "MessageId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QaSessions_OrganisationId",
                table: "QaSessions",
                column: "OrganisationId");

            migrationBuilder.CreateIndex(
                name: "IX_RumourClaims_OrganisationId_Status",
                table: "RumourClaims",
                columns: new[] { "OrganisationId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_RumourReplies_ClaimId_ChannelId_AuthorHandle",
                table: "RumourReplies",
                columns: new[] { "ClaimId", "ChannelId", "AuthorHandle" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RumourSightings_ClaimId_MessageId",
                table: "RumourSightings",
                columns: new[] { "ClaimId", "MessageId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RumourSightings_MessageId",
                table: "RumourSightings",
                column: "MessageId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FaqEntries");

            migrationBuilder.DropTable(
                name: "IncidentUpdates");

            migrationBuilder.DropTable(
                name: "QaQuestions");

            migrationBuilder.DropTable(
                name: "RumourReplies");

            migrationBuilder.DropTable(
                name: "RumourSightings");

            migrationBuilder.DropTable(
                name: "Incidents");

            migrationBuilder.DropTable(
                name: "QaSessions");

            migrationBuilder.DropTable(
                name: "RumourClaims");
        }
    }
}
