using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Question = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Answer = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    IsPublished = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CreatedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SourceQuestionId = table.Column<long>(type: "INTEGER", nullable: true)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    AreaKind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CentreLatitude = table.Column<double>(type: "REAL", nullable: true),
                    CentreLongitude = table.Column<double>(type: "REAL", nullable: true),
                    RadiusMetres = table.Column<double>(type: "REAL", nullable: true),
                    AreaGeoJson = table.Column<string>(type: "TEXT", maxLength: 200000, nullable: true),
                    Keywords = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Guidance = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    DeclaredAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    DeclaredById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    DeclaredByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StoodDownAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    StoodDownByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Summary = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    Hashtag = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Account = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ChannelIds = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    StartsAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndsAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CreatedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Statement = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    FirstSeenAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    EvidenceNotes = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CreatedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    VerdictStatus = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Facts = table.Column<string>(type: "TEXT", maxLength: 3000, nullable: true),
                    VerdictPublishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    VerdictPublishedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RebuttalText = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    RebuttalChannelIds = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    RebuttalReference = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    IncidentId = table.Column<long>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    PostedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    PostedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    PostedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PhotoId = table.Column<Guid>(type: "TEXT", nullable: true),
                    PhotoContentType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    PhotoStoredPath = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    PhotoAlt = table.Column<string>(type: "TEXT", maxLength: 250, nullable: true),
                    ChannelIds = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    PublicationReference = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    SessionId = table.Column<long>(type: "INTEGER", nullable: false),
                    MessageId = table.Column<long>(type: "INTEGER", nullable: false),
                    ConversationId = table.Column<long>(type: "INTEGER", nullable: false),
                    ChannelId = table.Column<long>(type: "INTEGER", nullable: false),
                    AuthorHandle = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AskedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FaqEntryId = table.Column<long>(type: "INTEGER", nullable: true),
                    AskerNotifiedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    ClaimId = table.Column<long>(type: "INTEGER", nullable: false),
                    ChannelId = table.Column<long>(type: "INTEGER", nullable: false),
                    AuthorHandle = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ConversationId = table.Column<long>(type: "INTEGER", nullable: false),
                    SendAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    QueuedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    QueuedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    ClaimId = table.Column<long>(type: "INTEGER", nullable: false),
                    MessageId = table.Column<long>(type: "INTEGER", nullable: false),
                    ConversationId = table.Column<long>(type: "INTEGER", nullable: false),
                    ChannelId = table.Column<long>(type: "INTEGER", nullable: false),
                    AuthorHandle = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SeenAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    AddedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AddedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
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
