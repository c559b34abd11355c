using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace CivicDesk.Web.Data;

/// <summary>
/// Set-based inserts for the hot write paths (the ingest persist stage, the demo's history), where EF's change
/// tracking and per-row command building cost more than the database does.
/// </summary>
public static class RowInserter
{
    public const int PostgresRowsPerStatement = 500;

    /// <summary>
    /// Inserts rows, returning what the statement's RETURNING clause gives. PostgreSQL: multi-row
    /// <c>INSERT … VALUES (…), (…)</c>, 500 rows a statement, to save round trips. SQLite: the same statement with one
    /// row, prepared once and executed per row in the transaction. There are no round trips to save in-process, and
    /// Microsoft.Data.Sqlite binds named parameters by linear search, so a statement with k rows costs O(k²) to bind:
    /// on 5,000 message rows, Dapper with 16 rows a statement took about 28× the CPU of a reused one-row statement
    /// (bench/README.md). Without RETURNING, SQLite rows go through <see cref="SqliteRowWriter"/> (bound by position).
    /// </summary>
    public static async Task<List<T>> InsertAsync<T>(DatabaseProvider provider, DbConnection connection, DbTransaction tx, string table, string[] columns, List<object?[]> rows,
        string tail, CancellationToken ct)
    {
        var results = new List<T>(rows.Count);
        if (rows.Count == 0)
        {
            return results;
        }

        if (provider == DatabaseProvider.Postgres)
        {
            foreach (var chunk in rows.Chunk(PostgresRowsPerStatement))
            {
                var parameters = new RowParameters(chunk);
                results.AddRange(await connection.QueryAsync<T>(new CommandDefinition(InsertSql(table, columns, chunk.Length, tail), parameters, tx, cancellationToken: ct)));
            }

            return results;
        }

        if (!tail.Contains("RETURNING", StringComparison.OrdinalIgnoreCase))
        {
            using var writer = SqliteRowWriter.PrepareInsert(connection, table, columns, tail);
            foreach (var row in rows)
            {
                ct.ThrowIfCancellationRequested();
                writer.Execute(row);
            }

            return results;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = InsertSql(table, columns, 1, tail);
        var values = new DbParameter[columns.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = command.CreateParameter();
            values[i].ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
            command.Parameters.Add(values[i]);
        }

        Func<DbDataReader, T>? parse = null;
        foreach (var row in rows)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i].Value = row[i] ?? DBNull.Value;
            }

            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                parse ??= reader.GetRowParser<T>();
                results.Add(parse(reader));
            }
        }

        return results;
    }

    /// <summary>
    /// PostgreSQL: takes <paramref name="count"/> new ids from the table's identity sequence in one round trip, for
    /// rows written by <see cref="CopyAsync"/> (COPY cannot return the ids it assigns).
    /// </summary>
    public static async Task<long[]> NextIdsAsync(DbConnection connection, DbTransaction tx, string table, int count, CancellationToken ct)
    {
        var sql = $"SELECT nextval(pg_get_serial_sequence('\"{table}\"', 'Id')) FROM generate_series(1, @Count)";
        return [.. await connection.QueryAsync<long>(new CommandDefinition(sql, new { Count = count }, tx, cancellationToken: ct))];
    }

    /// <summary>
    /// PostgreSQL: writes rows with binary <c>COPY … FROM STDIN</c>, the cheapest way in for many rows (no SQL to
    /// parse, no parameters to bind, one stream). COPY has no ON CONFLICT: a row that breaks a unique index aborts the
    /// transaction, so callers check for existing keys first and retry on a clash. Values are written by their .NET
    /// type: string (text, varchar), long (bigint), int (integer), bool, double, DateTime (timestamptz, UTC), DateOnly (date),
    /// byte[] (bytea), null.
    /// </summary>
    public static async Task CopyAsync(DbConnection connection, string table, string[] columns, IEnumerable<object?[]> rows, CancellationToken ct)
    {
        var sql = $"COPY \"{table}\" ({string.Join(", ", columns.Select(c => "\"" + c + "\""))}) FROM STDIN (FORMAT BINARY)";
        await using var import = await ((NpgsqlConnection)connection).BeginBinaryImportAsync(sql, ct);
        foreach (var row in rows)
        {
            if (row.Length != columns.Length)
            {
                throw new ArgumentException($"COPY into {table} has {columns.Length} columns; a row has {row.Length} values.", nameof(rows));
            }

            await import.StartRowAsync(ct);
            foreach (var value in row)
            {
                switch (value)
                {
                    case null or DBNull: await import.WriteNullAsync(ct); break;
                    case string s: await import.WriteAsync(s, NpgsqlDbType.Text, ct); break;
                    case long l: await import.WriteAsync(l, NpgsqlDbType.Bigint, ct); break;
                    case int n: await import.WriteAsync(n, NpgsqlDbType.Integer, ct); break;
                    case bool b: await import.WriteAsync(b, NpgsqlDbType.Boolean, ct); break;
                    case double d: await import.WriteAsync(d, NpgsqlDbType.Double, ct); break;
                    case DateTime t: await import.WriteAsync(t.Kind == DateTimeKind.Utc ? t : t.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct); break;
                    case DateOnly d: await import.WriteAsync(d, NpgsqlDbType.Date, ct); break;
                    case byte[] bytes: await import.WriteAsync(bytes, NpgsqlDbType.Bytea, ct); break;
                    default: throw new NotSupportedException($"RowInserter.CopyAsync does not write {value.GetType().Name} values.");
                }
            }
        }

        await import.CompleteAsync(ct);
    }

    private static string InsertSql(string table, string[] columns, int rows, string tail)
    {
        var sql = new StringBuilder(64 + (columns.Length * rows * 8));
        sql.Append("INSERT INTO \"").Append(table).Append("\" (");
        sql.AppendJoin(", ", columns.Select(c => "\"" + c + "\""));
        sql.Append(") VALUES ");
        var p = 0;
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Length; c++)
            {
                sql.Append(c == 0 ? "@p" : ", @p").Append(p++);
            }

            sql.Append(')');
        }

        return sql.Append(' ').Append(tail).ToString();
    }

    private sealed class RowParameters(object?[][] rows) : SqlMapper.IDynamicParameters
    {
        public void AddParameters(IDbCommand command, SqlMapper.Identity identity)
        {
            var p = 0;
            foreach (var row in rows)
            {
                foreach (var value in row)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = "@p" + p++.ToString(CultureInfo.InvariantCulture);
                    parameter.Value = value ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                }
            }
        }
    }
}
