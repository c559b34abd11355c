using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <summary>
    /// The vocabulary of the inbox's FTS5 index (fts5vocab, one row per indexed word; it stores nothing and reads the
    /// index), so that the search can look up which words a typed word starts (Features/Inbox/ConversationSearch.cs).
    /// </summary>
    public partial class ConversationSearchTerms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""CREATE VIRTUAL TABLE "ConversationSearchTerms" USING fts5vocab("ConversationSearch", 'row');""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TABLE "ConversationSearchTerms";""");
        }
    }
}
