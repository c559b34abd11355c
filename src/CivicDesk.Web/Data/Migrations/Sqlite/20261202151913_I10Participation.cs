using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class I10Participation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CaseEmailSubscriptions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    CaseId = table.Column<long>(type: "INTEGER", nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    UnsubscribeToken = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UnsubscribedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastNotifiedEventId = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CaseEmailSubscriptions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CaseEmailSubscriptions_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Challenges",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Question = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Background = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    OwnerTeamId = table.Column<long>(type: "INTEGER", nullable: false),
                    Moderation = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Hashtag = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ListeningSearchId = table.Column<long>(type: "INTEGER", nullable: true),
                    Latitude = table.Column<double>(type: "REAL", nullable: true),
                    Longitude = table.Column<double>(type: "REAL", nullable: true),
                    PlaceName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    OpensAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DiscussionFrom = table.Column<DateTime>(type: "TEXT", nullable: true),
                    SupportFrom = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ClosesAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ResponsePublishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ResponseSummary = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Challenges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Challenges_ListeningSearches_ListeningSearchId",
                        column: x => x.ListeningSearchId,
                        principalTable: "ListeningSearches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Challenges_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Challenges_Teams_OwnerTeamId",
                        column: x => x.OwnerTeamId,
                        principalTable: "Teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CitizenAccounts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    Postcode = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastSignedInAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    NotificationsOff = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CitizenAccounts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CitizenAccounts_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CitizenSignInTokens",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    TokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    BrowserHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RequestedFrom = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UsedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CitizenSignInTokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CitizenSignInTokens_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MapProjects",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: false),
                    Geometry = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    AttributesJson = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    PhotoRequired = table.Column<bool>(type: "INTEGER", nullable: false),
                    OwnerTeamId = table.Column<long>(type: "INTEGER", nullable: false),
                    CaseServiceCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Colour = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    IsOpen = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MapProjects", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MapProjects_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_MapProjects_Teams_OwnerTeamId",
                        column: x => x.OwnerTeamId,
                        principalTable: "Teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ChallengeDocuments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    ChallengeId = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChallengeDocuments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ChallengeDocuments_Challenges_ChallengeId",
                        column: x => x.ChallengeId,
                        principalTable: "Challenges",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "IdeaThemes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    ChallengeId = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Response = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IdeaThemes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IdeaThemes_Challenges_ChallengeId",
                        column: x => x.ChallengeId,
                        principalTable: "Challenges",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MapFeatures",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    MapProjectId = table.Column<long>(type: "INTEGER", nullable: false),
                    CitizenAccountId = table.Column<long>(type: "INTEGER", nullable: true),
                    GeometryJson = table.Column<string>(type: "TEXT", maxLength: 200000, nullable: false),
                    AttributesJson = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    PhotoFile = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    PhotoContentType = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    RejectedReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CaseId = table.Column<long>(type: "INTEGER", nullable: true),
                    ExternalId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ReviewedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MapFeatures", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MapFeatures_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_MapFeatures_CitizenAccounts_CitizenAccountId",
                        column: x => x.CitizenAccountId,
                        principalTable: "CitizenAccounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_MapFeatures_MapProjects_MapProjectId",
                        column: x => x.MapProjectId,
                        principalTable: "MapProjects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Ideas",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    ChallengeId = table.Column<long>(type: "INTEGER", nullable: false),
                    CitizenAccountId = table.Column<long>(type: "INTEGER", nullable: true),
                    Title = table.Column<string>(type: "TEXT", maxLength: 150, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: false),
                    Latitude = table.Column<double>(type: "REAL", nullable: true),
                    Longitude = table.Column<double>(type: "REAL", nullable: true),
                    PhotoFile = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    PhotoContentType = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Origin = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    MessageId = table.Column<long>(type: "INTEGER", nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    HiddenReason = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ThemeId = table.Column<long>(type: "INTEGER", nullable: true),
                    Response = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Ideas", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Ideas_Challenges_ChallengeId",
                        column: x => x.ChallengeId,
                        principalTable: "Challenges",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Ideas_CitizenAccounts_CitizenAccountId",
                        column: x => x.CitizenAccountId,
                        principalTable: "CitizenAccounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Ideas_IdeaThemes_ThemeId",
                        column: x => x.ThemeId,
                        principalTable: "IdeaThemes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "IdeaComments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    IdeaId = table.Column<long>(type: "INTEGER", nullable: false),
                    ParentCommentId = table.Column<long>(type: "INTEGER", nullable: true),
                    CitizenAccountId = table.Column<long>(type: "INTEGER", nullable: true),
                    Text = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    HiddenReason = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IdeaComments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IdeaComments_CitizenAccounts_CitizenAccountId",
                        column: x => x.CitizenAccountId,
                        principalTable: "CitizenAccounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_IdeaComments_IdeaComments_ParentCommentId",
                        column: x => x.ParentCommentId,
                        principalTable: "IdeaComments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_IdeaComments_Ideas_IdeaId",
                        column: x => x.IdeaId,
                        principalTable: "Ideas",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "IdeaSupports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    IdeaId = table.Column<long>(type: "INTEGER", nullable: false),
                    CitizenAccountId = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IdeaSupports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IdeaSupports_CitizenAccounts_CitizenAccountId",
                        column: x => x.CitizenAccountId,
                        principalTable: "CitizenAccounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_IdeaSupports_Ideas_IdeaId",
                        column: x => x.IdeaId,
                        principalTable: "Ideas",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ContentReports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<long>(type: "INTEGER", nullable: false),
                    IdeaId = table.Column<long>(type: "INTEGER", nullable: true),
                    CommentId = table.Column<long>(type: "INTEGER", nullable: true),
                    CitizenAccountId = table.Column<long>(type: "INTEGER", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ResolvedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ContentReports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ContentReports_CitizenAccounts_CitizenAccountId",
                        column: x => x.CitizenAccountId,
                        principalTable: "CitizenAccounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_ContentReports_IdeaComments_CommentId",
                        column: x => x.CommentId,
                        principalTable: "IdeaComments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ContentReports_Ideas_IdeaId",
                        column: x => x.IdeaId,
                        principalTable: "Ideas",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CaseEmailSubscriptions_CaseId_Email",
                table: "CaseEmailSubscriptions",
                columns: new[] { "CaseId", "Email" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CaseEmailSubscriptions_UnsubscribeToken",
                table: "CaseEmailSubscriptions",
                column: "UnsubscribeToken",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ChallengeDocuments_ChallengeId",
                table: "ChallengeDocuments",
                column: "ChallengeId");

            migrationBuilder.CreateIndex(
                name: "IX_Challenges_ListeningSearchId",
                table: "Challenges",
                column: "ListeningSearchId");

            migrationBuilder.CreateIndex(
                name: "IX_Challenges_OrganisationId_Slug",
                table: "Challenges",
                columns: new[] { "OrganisationId", "Slug" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Challenges_OwnerTeamId",
                table: "Challenges",
                column: "OwnerTeamId");

            migrationBuilder.CreateIndex(
                name: "IX_CitizenAccounts_OrganisationId_Email",
                table: "CitizenAccounts",
                columns: new[] { "OrganisationId", "Email" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CitizenSignInTokens_OrganisationId_Email_CreatedAt",
                table: "CitizenSignInTokens",
                columns: new[] { "OrganisationId", "Email", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_CitizenSignInTokens_TokenHash",
                table: "CitizenSignInTokens",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ContentReports_CitizenAccountId",
                table: "ContentReports",
                column: "CitizenAccountId");

            migrationBuilder.CreateIndex(
                name: "IX_ContentReports_CommentId",
                table: "ContentReports",
                column: "CommentId");

            migrationBuilder.CreateIndex(
                name: "IX_ContentReports_IdeaId",
                table: "ContentReports",
                column: "IdeaId");

            migrationBuilder.CreateIndex(
                name: "IX_ContentReports_OrganisationId_ResolvedAt",
                table: "ContentReports",
                columns: new[] { "OrganisationId", "ResolvedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_IdeaComments_CitizenAccountId",
                table: "IdeaComments",
                column: "CitizenAccountId");

            migrationBuilder.CreateIndex(
                name: "IX_IdeaComments_IdeaId_CreatedAt",
                table: "IdeaComments",
                columns: new[] { "IdeaId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_IdeaComments_ParentCommentId",
                table: "IdeaComments",
                column: "ParentCommentId");

            migrationBuilder.CreateIndex(
                name: "IX_Ideas_ChallengeId_MessageId",
                table: "Ideas",
                columns: new[] { "ChallengeId", "MessageId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Ideas_CitizenAccountId",
                table: "Ideas",
                column: "CitizenAccountId");

            migrationBuilder.CreateIndex(
                name: "IX_Ideas_OrganisationId_ChallengeId_State",
                table: "Ideas",
                columns: new[] { "OrganisationId", "ChallengeId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_Ideas_ThemeId",
                table: "Ideas",
                column: "ThemeId");

            migrationBuilder.CreateIndex(
                name: "IX_IdeaSupports_CitizenAccountId",
                table: "IdeaSupports",
                column: "CitizenAccountId");

            migrationBuilder.CreateIndex(
                name: "IX_IdeaSupports_IdeaId_CitizenAccountId",
                table: "IdeaSupports",
                columns: new[] { "IdeaId", "CitizenAccountId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_IdeaThemes_ChallengeId",
                table: "IdeaThemes",
                column: "ChallengeId");

            migrationBuilder.CreateIndex(
                name: "IX_MapFeatures_CaseId",
                table: "MapFeatures",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_MapFeatures_CitizenAccountId",
                table: "MapFeatures",
                column: "CitizenAccountId");

            migrationBuilder.CreateIndex(
                name: "IX_MapFeatures_MapProjectId_State",
                table: "MapFeatures",
                columns: new[] { "MapProjectId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_MapProjects_OrganisationId_Slug",
                table: "MapProjects",
                columns: new[] { "OrganisationId", "Slug" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MapProjects_OwnerTeamId",
                table: "MapProjects",
                column: "OwnerTeamId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CaseEmailSubscriptions");

            migrationBuilder.DropTable(
                name: "ChallengeDocuments");

            migrationBuilder.DropTable(
                name: "CitizenSignInTokens");

            migrationBuilder.DropTable(
                name: "ContentReports");

            migrationBuilder.DropTable(
                name: "IdeaSupports");

            migrationBuilder.DropTable(
                name: "MapFeatures");

            migrationBuilder.DropTable(
                name: "IdeaComments");

            migrationBuilder.DropTable(
                name: "MapProjects");

            migrationBuilder.DropTable(
                name: "Ideas");

            migrationBuilder.DropTable(
                name: "CitizenAccounts");

            migrationBuilder.DropTable(
                name: "IdeaThemes");

            migrationBuilder.DropTable(
                name: "Challenges");

        }
    }
}
