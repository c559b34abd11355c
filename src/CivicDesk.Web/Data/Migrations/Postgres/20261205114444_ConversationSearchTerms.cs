using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <summary>
    /// Nothing on PostgreSQL: the SQLite migration of this name adds the FTS5 index's vocabulary table, which the
    /// GIN index of the inbox search does not need.
    /// </summary>
    public partial class ConversationSearchTerms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
