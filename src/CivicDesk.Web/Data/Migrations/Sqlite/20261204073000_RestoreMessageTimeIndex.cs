using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <summary>
    /// Restores IX_Messages_OrganisationId_CreatedAt where it is missing. I11Dashboards created it, but on SQLite the
    /// later I13aScale dropped a column of Messages by rebuilding the table from a model made on a branch without the
    /// index, so every SQLite database upgraded through both lost it while the model snapshot still lists it. Without
    /// it the aggregate worker and the rebuild scan every message of the organisation for each batch of hours (found
    /// with EXPLAIN QUERY PLAN on a 6.6-million-message database, where catch-up ran at ~25 hours a minute).
    /// IF NOT EXISTS keeps it a no-op where the index survived (PostgreSQL drops columns in place).
    /// </summary>
    [DbContext(typeof(SqliteCivicDeskDb))]
    [Migration("20261204073000_RestoreMessageTimeIndex")]
    public partial class RestoreMessageTimeIndex : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""CREATE INDEX IF NOT EXISTS "IX_Messages_OrganisationId_CreatedAt" ON "Messages" ("OrganisationId", "CreatedAt");""");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Nothing: the index belongs to the model since I11Dashboards; removing it here would break that migration's Down.
        }
    }
}
