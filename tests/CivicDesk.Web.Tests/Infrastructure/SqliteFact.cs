using CivicDesk.Web.Data;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// A fact about SQLite itself (its journal, its pragmas): skipped, with the reason shown, on the PostgreSQL pass, so
/// that pass does not count as a pass a test that checked nothing.
/// </summary>
public sealed class SqliteFactAttribute : FactAttribute
{
    public SqliteFactAttribute()
    {
        if (CivicDeskFactory.Provider != DatabaseProvider.Sqlite)
        {
            Skip = "a SQLite behaviour: runs on the SQLite pass";
        }
    }
}
