using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CivicDesk.Web.Data;

/// <summary>Raw ADO.NET connections for Dapper on hot paths (ingest), on the same database as EF.</summary>
public sealed class DbConnectionFactory(DatabaseProvider provider, string connectionString)
{
    public DatabaseProvider Provider => provider;

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        DbConnection connection = provider == DatabaseProvider.Postgres
            ? new NpgsqlConnection(connectionString)
            : new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>An open SQLite connection outside the pool: settings made on it never reach another user of the pool.</summary>
    public SqliteConnection OpenUnpooledSqlite()
    {
        if (provider != DatabaseProvider.Sqlite)
        {
            throw new InvalidOperationException("Not a SQLite database.");
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
