using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Data;

/// <summary>
/// A plain ADO.NET connection for the schema work of a start (the migration check, triggers, full-text repairs,
/// statistics). Not through CivicDeskDb on purpose: the first use of a DbContext in a process builds EF Core's
/// 99-entity model (0.7 CPU s, bench startup profile), even for <c>Database.ExecuteSqlRaw</c>, and every
/// <c>SqlQuery</c> shape is a LINQ query to compile. With this the start's main thread need not wait for the model,
/// which DataFeature.BuildModelInBackground builds meanwhile on the other core.
/// </summary>
public sealed class SchemaConnection(DbConnection connection, DatabaseProvider provider, bool owned) : IAsyncDisposable
{
    private DbTransaction? _transaction;
    private CivicDeskDb? _borrowedFrom;

    public DatabaseProvider Provider => provider;

    public DbConnection Connection => connection;

    public static async Task<SchemaConnection> OpenAsync(DbConnectionFactory factory, CancellationToken ct) =>
        new(await factory.OpenAsync(ct), factory.Provider, owned: true);

    /// <summary>Borrows a context's connection (opened here if it was closed; closed again on dispose if so).</summary>
    public static async Task<SchemaConnection> ForAsync(CivicDeskDb db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        return new SchemaConnection(db.Database.GetDbConnection(), db.Provider, owned: false) { _borrowedFrom = db };
    }

    /// <summary>A transaction the following commands run in, until it is committed or disposed.</summary>
    public async Task<Transaction> BeginAsync(CancellationToken ct)
    {
        _transaction = await connection.BeginTransactionAsync(ct);
        return new Transaction(this, _transaction);
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<long> ScalarAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>The first column of every row, as text.</summary>
    public async Task<List<string>> StringsAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var values = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private DbCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public async ValueTask DisposeAsync()
    {
        if (owned)
        {
            await connection.DisposeAsync();
        }
        else if (_borrowedFrom is { } db)
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Ends the connection's transaction: committed, or rolled back when disposed uncommitted.</summary>
    public sealed class Transaction(SchemaConnection owner, DbTransaction transaction) : IAsyncDisposable
    {
        public Task CommitAsync(CancellationToken ct) => transaction.CommitAsync(ct);

        public async ValueTask DisposeAsync()
        {
            owner._transaction = null;
            await transaction.DisposeAsync();
        }
    }
}
