using Microsoft.Data.Sqlite;

namespace CivicDesk.Web.Data;

/// <summary>
/// Makes SQLite migrations survive a process killed while it migrated. EF Core's SQLite migration lock is a row in
/// <c>__EFMigrationsLock</c> that only the process holding it deletes: after a kill -9, an OOM kill or a power cut
/// during start-up, every later start (web app or command line) waited for it for ever, silently — found when a
/// benchmark's killed start left a row and the next start hung for an hour. An operating-system lock on a file beside
/// the database is released by the kernel when its holder dies, so CivicDesk takes that first: while this process holds
/// it no other live CivicDesk process can be migrating the file, and any row in the EF lock table is a dead process's.
/// PostgreSQL needs none of this: its lock is a table lock that ends with the holder's connection.
/// </summary>
internal static class SqliteMigrationGate
{
    /// <summary>
    /// Takes the file lock (waiting while another live process migrates) and clears a dead holder's EF lock row.
    /// Returns null for databases that are not a plain file (in-memory), which no other process can share.
    /// </summary>
    public static async Task<IDisposable?> EnterAsync(SchemaConnection db, ILogger logger, CancellationToken ct)
    {
        var dataSource = new SqliteConnectionStringBuilder(db.Connection.ConnectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var path = Path.GetFullPath(dataSource) + ".migrate-lock";
        var waitingLogged = false;
        FileStream gate;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock(2) on Linux and a share-mode lock on Windows: both end with the process.
                gate = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                break;
            }
            catch (IOException) when (!ct.IsCancellationRequested)
            {
                if (!waitingLogged)
                {
                    logger.LogInformation("Another CivicDesk process is migrating {Database}; waiting for it to finish", dataSource);
                    waitingLogged = true;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            }
        }

        try
        {
            var hasLockTable = await db.ScalarAsync(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'", ct) > 0;
            if (hasLockTable)
            {
                var stale = await db.StringsAsync("SELECT CAST(\"Timestamp\" AS TEXT) FROM \"__EFMigrationsLock\"", ct);
                if (stale.Count > 0)
                {
                    await db.ExecuteAsync("DELETE FROM \"__EFMigrationsLock\";", ct);
                    logger.LogWarning(
                        "Removed a migration lock left by a CivicDesk process that stopped while migrating {Database} (taken at {Taken}); migrating now",
                        dataSource, string.Join(", ", stale));
                }
            }

            return gate;
        }
        catch
        {
            await gate.DisposeAsync();
            throw;
        }
    }
}
