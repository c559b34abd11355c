using CivicDesk.Web.Data;
using Dapper;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CivicDesk.Web.Platform;

/// <summary>
/// Claims a batch of due work rows (outbound replies, webhook deliveries) for this node in one statement, so several
/// nodes on one database never take the same row: <c>UPDATE … WHERE "Id" IN (SELECT … FOR UPDATE SKIP LOCKED)
/// RETURNING "Id"</c> on PostgreSQL (a row another node is claiming is skipped, not waited for), and the same
/// statement without the locking clause on SQLite, which runs one writer at a time, so the select-and-update is
/// atomic there too. The <c>SET</c> must push the rows out of the "due" condition (a lease: a later next-attempt
/// time), so a node that dies mid-batch leaves them to be claimed again once the lease has passed.
/// </summary>
public static class RowClaims
{
    /// <param name="db">The context whose connection runs the statement.</param>
    /// <param name="table">The quoted table name, e.g. <c>"OutboundMessages"</c>.</param>
    /// <param name="set">The SET list that leases the rows.</param>
    /// <param name="due">WHERE condition, ORDER BY and LIMIT of the rows to take.</param>
    /// <param name="parameters">Dapper parameters of both.</param>
    /// <param name="ct">Cancels the statement.</param>
    /// <returns>The ids claimed, in no particular order.</returns>
    public static async Task<IReadOnlyList<long>> ClaimAsync(CivicDeskDb db, string table, string set, string due, object parameters, CancellationToken ct)
    {
        if (db.Provider == DatabaseProvider.Sqlite && db.Database.CurrentTransaction is null)
        {
            // Gate first, then the database, as every write does (CivicDeskDb.BeginWriteTransactionAsync): a claim taking
            // SQLite's write lock on its own makes a gated writer that meets it sleep in Microsoft.Data.Sqlite's busy
            // retry (150 ms a time) while holding the gate, so every write behind it stalls too (seen under Open311 load).
            await using var tx = await db.BeginWriteTransactionAsync(ct);
            var ids = await ClaimAsync(db, table, set, due, parameters, ct);
            await tx.CommitAsync(ct);
            return ids;
        }


        var skipLocked = db.Provider == DatabaseProvider.Postgres ? " FOR UPDATE SKIP LOCKED" : "";
        var sql = $"""UPDATE {table} SET {set} WHERE "Id" IN (SELECT "Id" FROM {table} WHERE {due}{skipLocked}) RETURNING "Id" """;
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(ct);
        }

        try
        {
            var ids = await connection.QueryAsync<long>(new CommandDefinition(sql, parameters, db.Database.CurrentTransaction?.GetDbTransaction(), cancellationToken: ct));
            return [.. ids];
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }
}
