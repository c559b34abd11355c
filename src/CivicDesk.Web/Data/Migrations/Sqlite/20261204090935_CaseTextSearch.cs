using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <summary>
    /// Case search by text (Features/Cases/CaseSearch.cs): an FTS5 index over reference, title, description and address.
    /// External content (content='Cases'): the table stores only the index and reads text from Cases, so the text is not
    /// stored twice. Triggers keep it in step with every insert, update of those columns and delete; 'rebuild' indexes
    /// the cases already there. unicode61 without diacritic folding reads words as PostgreSQL's 'simple' configuration
    /// does, so both databases find the same cases. A later table rebuild of Cases drops the triggers with the old table:
    /// Data/SearchIndexes.cs re-creates missing ones at start-up and rebuilds the index.
    /// </summary>
    public partial class CaseTextSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "CaseSearch" USING fts5("Reference", "Title", "Description", "Address",
                    content='Cases', content_rowid='Id', tokenize='unicode61 remove_diacritics 0');
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER cd_case_search_ins AFTER INSERT ON "Cases" BEGIN
                    INSERT INTO "CaseSearch" (rowid, "Reference", "Title", "Description", "Address")
                    VALUES (NEW."Id", NEW."Reference", NEW."Title", NEW."Description", NEW."Address");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER cd_case_search_del AFTER DELETE ON "Cases" BEGIN
                    INSERT INTO "CaseSearch" ("CaseSearch", rowid, "Reference", "Title", "Description", "Address")
                    VALUES ('delete', OLD."Id", OLD."Reference", OLD."Title", OLD."Description", OLD."Address");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER cd_case_search_upd AFTER UPDATE OF "Reference", "Title", "Description", "Address" ON "Cases" BEGIN
                    INSERT INTO "CaseSearch" ("CaseSearch", rowid, "Reference", "Title", "Description", "Address")
                    VALUES ('delete', OLD."Id", OLD."Reference", OLD."Title", OLD."Description", OLD."Address");
                    INSERT INTO "CaseSearch" (rowid, "Reference", "Title", "Description", "Address")
                    VALUES (NEW."Id", NEW."Reference", NEW."Title", NEW."Description", NEW."Address");
                END;
                """);
            migrationBuilder.Sql("""INSERT INTO "CaseSearch" ("CaseSearch") VALUES ('rebuild');""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS cd_case_search_upd;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS cd_case_search_del;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS cd_case_search_ins;");
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "CaseSearch";""");
        }
    }
}
