using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class I13aScale : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TriageScores",
                table: "Messages",
                type: "TEXT",
                maxLength: 400,
                nullable: true);

            // Keep each message's labels and scores; the explanations (most of the bytes) go, recomputed when viewed.
            migrationBuilder.Sql("""
                UPDATE "Messages" SET "TriageScores" = substr(
                    'kind=' || json_extract("TriageJson", '$.Kind.Value') || ':' || round(json_extract("TriageJson", '$.Kind.Confidence'), 3)
                        || COALESCE(':' || json_extract("TriageJson", '$.Kind.Source'), '')
                    || ';category=' || json_extract("TriageJson", '$.Category.Value') || ':' || round(json_extract("TriageJson", '$.Category.Confidence'), 3)
                        || COALESCE(':' || json_extract("TriageJson", '$.Category.Source'), '')
                    || ';sentiment=' || json_extract("TriageJson", '$.Sentiment.Value') || ':' || round(json_extract("TriageJson", '$.Sentiment.Confidence'), 3)
                        || COALESCE(':' || json_extract("TriageJson", '$.Sentiment.Source'), '')
                    || COALESCE(';crisis_type=' || json_extract("TriageJson", '$.CrisisType.Value') || ':' || round(json_extract("TriageJson", '$.CrisisType.Confidence'), 3)
                        || COALESCE(':' || json_extract("TriageJson", '$.CrisisType.Source'), ''), ''), 1, 400)
                WHERE "TriageJson" IS NOT NULL AND json_valid("TriageJson") AND json_extract("TriageJson", '$.Kind.Value') IS NOT NULL;
                """);

            migrationBuilder.DropColumn(
                name: "TriageJson",
                table: "Messages");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TriageScores",
                table: "Messages");

            migrationBuilder.AddColumn<string>(
                name: "TriageJson",
                table: "Messages",
                type: "TEXT",
                nullable: true);
        }
    }
}
