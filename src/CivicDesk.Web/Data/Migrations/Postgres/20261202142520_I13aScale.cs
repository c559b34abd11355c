using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
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
                type: "character varying(400)",
                maxLength: 400,
                nullable: true);

            // Keep each message's labels and scores; the explanations (most of the bytes) go, recomputed when viewed.
            migrationBuilder.Sql("""
                UPDATE "Messages" AS m SET "TriageScores" = left(
                    'kind=' || (s.j #>> '{Kind,Value}') || ':' || round((s.j #>> '{Kind,Confidence}')::numeric, 3) || coalesce(':' || (s.j #>> '{Kind,Source}'), '')
                    || ';category=' || (s.j #>> '{Category,Value}') || ':' || round((s.j #>> '{Category,Confidence}')::numeric, 3) || coalesce(':' || (s.j #>> '{Category,Source}'), '')
                    || ';sentiment=' || (s.j #>> '{Sentiment,Value}') || ':' || round((s.j #>> '{Sentiment,Confidence}')::numeric, 3) || coalesce(':' || (s.j #>> '{Sentiment,Source}'), '')
                    || coalesce(';crisis_type=' || (s.j #>> '{CrisisType,Value}') || ':' || round((s.j #>> '{CrisisType,Confidence}')::numeric, 3)
                        || coalesce(':' || (s.j #>> '{CrisisType,Source}'), ''), ''), 400)
                FROM (SELECT "Id", "TriageJson"::jsonb AS j FROM "Messages" WHERE "TriageJson" IS NOT NULL) AS s
                WHERE m."Id" = s."Id" AND (s.j #>> '{Kind,Value}') IS NOT NULL;
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
                type: "text",
                nullable: true);
        }
    }
}
