using CivicDesk.Web.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// The persist stage writes SQLite rows through <see cref="SqliteRowWriter"/> (bound by position) while EF and Dapper
/// read and write the same tables through Microsoft.Data.Sqlite: every value must be stored exactly as
/// Microsoft.Data.Sqlite stores it, or EF's comparisons and conversions (dates as text, booleans as 0/1) would break.
/// </summary>
public sealed class SqliteRowWriterTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public SqliteRowWriterTests()
    {
        _connection.Open();
        _connection.Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, s TEXT, l INTEGER, i INTEGER, b INTEGER, d REAL, at TEXT, blob BLOB, n TEXT)");
    }

    public static TheoryData<DateTime> Dates => new()
    {
        new DateTime(2026, 12, 3, 9, 15, 0, DateTimeKind.Utc),
        new DateTime(2026, 12, 3, 9, 15, 0, 123, DateTimeKind.Utc).AddTicks(4567),
        new DateTime(2024, 2, 29, 23, 59, 59, 999, DateTimeKind.Utc),
        DateTime.MinValue,
    };

    [Theory]
    [MemberData(nameof(Dates))]
    public void Every_value_is_stored_as_Microsoft_Data_Sqlite_stores_it(DateTime at)
    {
        object?[] values = ["Ŵelsh “quotes” and emoji 🚧\0after a NUL", long.MaxValue, -7, true, 51.8994, at, new byte[] { 0, 1, 254, 255 }, null];
        var fromAdo = _connection.ExecuteScalar<long>(
            "INSERT INTO t (k, s, l, i, b, d, at, blob, n) VALUES ('ado', @s, @l, @i, @b, @d, @at, @blob, @n) RETURNING id",
            new { s = values[0], l = values[1], i = values[2], b = values[3], d = values[4], at = values[5], blob = values[6], n = values[7] });

        using (var writer = SqliteRowWriter.PrepareInsert(_connection, "t", ["k", "s", "l", "i", "b", "d", "at", "blob", "n"]))
        {
            var id = writer.Insert(["raw", .. values]);
            id.ShouldBe(fromAdo + 1);
        }

        const string row = "SELECT typeof(s) || quote(s), typeof(l) || quote(l), typeof(i) || quote(i), typeof(b) || quote(b), typeof(d) || quote(d), typeof(at) || quote(at), typeof(blob) || quote(blob), typeof(n) || quote(n) FROM t WHERE k = @k";
        var ado = _connection.QuerySingle(row, new { k = "ado" }) as IDictionary<string, object>;
        var raw = _connection.QuerySingle(row, new { k = "raw" }) as IDictionary<string, object>;
        raw!.Values.ShouldBe(ado!.Values);
        _connection.QuerySingle<DateTime>("SELECT at FROM t WHERE k = 'raw'").ShouldBe(at);
    }

    [Fact]
    public void A_row_the_conflict_clause_skips_has_no_id_and_a_unique_clash_without_one_throws_the_usual_error()
    {
        using var writer = SqliteRowWriter.PrepareInsert(_connection, "t", ["k", "s"], "ON CONFLICT (k) DO NOTHING");
        writer.Insert(["a", "first"]).ShouldNotBeNull();
        writer.Insert(["a", "second"]).ShouldBeNull();
        writer.Insert(["b", "third"]).ShouldNotBeNull();
        _connection.ExecuteScalar<string>("SELECT s FROM t WHERE k = 'a'").ShouldBe("first");

        using var strict = SqliteRowWriter.PrepareInsert(_connection, "t", ["k", "s"]);
        var clash = Should.Throw<SqliteException>(() => strict.Insert(["a", "again"]));
        clash.SqliteErrorCode.ShouldBe(19);
        clash.SqliteExtendedErrorCode.ShouldBe(2067); // SQLITE_CONSTRAINT_UNIQUE, which the persist stage retries on
        strict.Insert(["c", "after the error the statement is reset and usable"]).ShouldNotBeNull();
    }

    [Fact]
    public void Rows_take_part_in_the_connections_transaction()
    {
        using (var tx = _connection.BeginTransaction())
        {
            using var writer = SqliteRowWriter.PrepareInsert(_connection, "t", ["k"]);
            writer.Insert(["rolled back"]);
            tx.Rollback();
        }

        _connection.ExecuteScalar<long>("SELECT COUNT(*) FROM t").ShouldBe(0);
    }

    [Fact]
    public void Numbered_parameters_may_repeat_and_the_value_count_must_match()
    {
        _connection.Execute("INSERT INTO t (k, b, s) VALUES ('x', 0, 'Normal')");
        using var update = SqliteRowWriter.Prepare(_connection, "UPDATE t SET b = (b OR ?1), s = CASE WHEN ?1 THEN 'Urgent' ELSE s END WHERE k = ?2");
        update.Execute([true, "x"]).ShouldBe(1);
        update.Execute([false, "nobody"]).ShouldBe(0);
        _connection.ExecuteScalar<string>("SELECT s || b FROM t WHERE k = 'x'").ShouldBe("Urgent1");
        Should.Throw<ArgumentException>(() => update.Execute([true]));
        Should.Throw<NotSupportedException>(() => update.Execute([Guid.NewGuid(), "x"]));
    }

    public void Dispose() => _connection.Dispose();
}
