using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <summary>
    /// Nothing on PostgreSQL: the SQLite migration of this name adds the FTS5 case index's vocabulary table, which the
    /// GIN index of the case search does not need.
    /// </summary>
    public partial class CaseSearchTerms : Migration
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
