using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <summary>
    /// Case search by text (Features/Cases/CaseSearch.cs): a GIN index on the 'simple' tsvector of reference, title,
    /// description and address, punctuation turned into spaces first. An expression index rather than a stored
    /// column: nothing to keep in step and nothing stored in the table. The expression must stay identical to
    /// CaseSearch.PostgresDocument, or the planner cannot use the index (CaseSearchTests checks the plan).
    /// </summary>
    public partial class CaseTextSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE INDEX "IX_Cases_Search" ON "Cases" USING GIN (to_tsvector('simple'::regconfig, regexp_replace(coalesce("Reference", '') || ' ' || coalesce("Title", '') || ' ' || coalesce("Description", '') || ' ' || coalesce("Address", ''), '[^[:alnum:]]+', ' ', 'g')));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_Cases_Search";""");
        }
    }
}
