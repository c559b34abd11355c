using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <summary>
    /// The vocabulary of the case search's FTS5 index (fts5vocab, one row per indexed word; it stores nothing and reads
    /// the index), so that the search can read a prefix as the words it starts (Platform/TextSearch.cs, Fts5Vocabulary).
    /// </summary>
    public partial class CaseSearchTerms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""CREATE VIRTUAL TABLE "CaseSearchTerms" USING fts5vocab("CaseSearch", 'row');""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TABLE "CaseSearchTerms";""");
        }
    }
}
