using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.Data;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Sqlite (default, a file under the data directory) or Postgres.</summary>
    [Required] public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// For Postgres: the connection string, normally from the environment (<c>ConnectionStrings__CivicDesk</c>).
    /// For Sqlite: optional; defaults to <c>civicdesk.db</c> in the data directory.
    /// </summary>
    public string? ConnectionString { get; set; }
}
