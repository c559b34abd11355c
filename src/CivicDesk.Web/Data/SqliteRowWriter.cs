using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace CivicDesk.Web.Data;

/// <summary>
/// One SQLite statement prepared once and executed per row with its values bound by position, for the hot write
/// paths (the ingest persist stage, the demo's history). Microsoft.Data.Sqlite binds every parameter of every
/// execution by name (a UTF-8 conversion and a linear <c>sqlite3_bind_parameter_index</c> search each), and returns
/// generated ids through a data reader; profiling the persist stage put most of its time there. Runs on the
/// connection's own handle, so it takes part in the connection's open transaction.
/// </summary>
/// <remarks>
/// Values are stored exactly as Microsoft.Data.Sqlite (and so EF Core) stores them — booleans as 0/1, DateTime as
/// <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c> text — so rows written here read back identically through EF (a test compares
/// both writers column by column).
/// </remarks>
public sealed class SqliteRowWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int _parameters;

    private SqliteRowWriter(SqliteConnection connection, string sql)
    {
        _connection = connection;
        _db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, _db);
        _parameters = raw.sqlite3_bind_parameter_count(_statement);
    }

    /// <summary>A statement with numbered parameters (<c>?1</c>, <c>?2</c>, …; one may be used more than once).</summary>
    public static SqliteRowWriter Prepare(DbConnection connection, string sql) => new((SqliteConnection)connection, sql);

    /// <summary><c>INSERT INTO table (columns) VALUES (?1, …) tail</c>, e.g. with an ON CONFLICT clause as the tail.</summary>
    public static SqliteRowWriter PrepareInsert(DbConnection connection, string table, IReadOnlyList<string> columns, string tail = "") =>
        Prepare(connection, InsertSql(table, columns, tail));

    /// <summary>The statement <see cref="PrepareInsert"/> prepares.</summary>
    public static string InsertSql(string table, IReadOnlyList<string> columns, string tail = "")
    {
        var sql = new StringBuilder(64 + (columns.Count * 16));
        sql.Append("INSERT INTO \"").Append(table).Append("\" (");
        sql.AppendJoin(", ", columns.Select(c => "\"" + c + "\""));
        sql.Append(") VALUES (");
        for (var i = 1; i <= columns.Count; i++)
        {
            sql.Append(i == 1 ? "?" : ", ?").Append(i.ToString(CultureInfo.InvariantCulture));
        }

        return sql.Append(") ").Append(tail).ToString();
    }

    /// <summary>Inserts one row; its rowid, or null when the statement's conflict clause skipped it.</summary>
    public long? Insert(ReadOnlySpan<object?> values) =>
        Execute(values) == 1 ? raw.sqlite3_last_insert_rowid(_db) : null;

    /// <summary>Runs the statement with these values (one per numbered parameter); the rows it changed directly.</summary>
    public int Execute(ReadOnlySpan<object?> values)
    {
        try
        {
            BindAndStep(values);
            // Triggers' own changes are not counted, nor do they move last_insert_rowid once they end.
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>
    /// Runs a query with these values (one per numbered parameter) and reads its first row, if any, with
    /// <paramref name="read"/> (through <see cref="Number"/> and <see cref="Text"/>); default when it returns no row.
    /// </summary>
    public T? First<T>(ReadOnlySpan<object?> values, Func<SqliteRowWriter, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return BindAndStep(values) == raw.SQLITE_ROW ? read(this) : default;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Binds the values by position and takes the statement's first step: SQLITE_ROW or SQLITE_DONE (else throws).</summary>
    private int BindAndStep(ReadOnlySpan<object?> values)
    {
        if (values.Length != _parameters)
        {
            throw new ArgumentException($"The statement has {_parameters} parameters; {values.Length} values were given.", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            Bind(i + 1, values[i]);
        }

        var rc = raw.sqlite3_step(_statement);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }

        return rc;
    }

    /// <summary>Column <paramref name="column"/> (from 0) of the row <see cref="First{T}"/> is reading, as an integer.</summary>
    public long Number(int column) => raw.sqlite3_column_int64(_statement, column);

    /// <summary>Column <paramref name="column"/> (from 0) of the row <see cref="First{T}"/> is reading, as text (null for NULL).</summary>
    public string? Text(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL
        ? null
        : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    /// <summary>A DateTime as this writer (and Microsoft.Data.Sqlite) stores it, for values formatted ahead of the write.</summary>
    public static string Format(DateTime value) => value.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _statement.Dispose();
        GC.KeepAlive(_connection);
    }

    private void Bind(int index, object? value)
    {
        var rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(_statement, index),
            string s => raw.sqlite3_bind_text(_statement, index, s),
            long l => raw.sqlite3_bind_int64(_statement, index, l),
            int n => raw.sqlite3_bind_int64(_statement, index, n),
            bool b => raw.sqlite3_bind_int64(_statement, index, b ? 1 : 0),
            double d when double.IsNaN(d) => throw new InvalidOperationException("Cannot store NaN in SQLite."),
            double d => raw.sqlite3_bind_double(_statement, index, d),
            DateTime t => raw.sqlite3_bind_text(_statement, index, Format(t)),
            byte[] bytes => raw.sqlite3_bind_blob(_statement, index, bytes),
            _ => throw new NotSupportedException($"SqliteRowWriter does not bind {value.GetType().Name} values."),
        };
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
