using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;

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
