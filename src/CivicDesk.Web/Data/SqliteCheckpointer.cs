using Microsoft.Data.Sqlite;

namespace CivicDesk.Web.Data;

/// <summary>
/// Copies SQLite's write-ahead log into the database file on a background thread for the ingest writer. By default the
/// connection whose commit takes the log past 1,000 pages runs that checkpoint itself, inside its COMMIT call: for the
/// persist writer that is nearly every 1,000-message batch, and it ran while the writer held the audit gate, so every
/// other writer waited for the copy and its fsync too (the "commit" step was 36 µs a message over 1,000,000,
/// bench/README.md, session 13). The writer turns automatic checkpoints off on its connection, asks for one after each
/// commit, and this runs a PASSIVE checkpoint (it never blocks a writer or reader) on its own connection, one at a time;
/// requests made while one runs are folded into one more run. Other connections keep the default, so the log is
/// still checkpointed if this never ran.
/// </summary>
public sealed class SqliteCheckpointer(DbConnectionFactory connections, ILogger<SqliteCheckpointer> log)
{
    private int _state; // 0 idle, 1 running, 2 running and asked again

    /// <summary>The connection's automatic checkpoints, off for the ingest writer (see the class comment).</summary>
    public static void SetAutomatic(SqliteConnection connection, bool on)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = on ? "PRAGMA wal_autocheckpoint=1000;" : "PRAGMA wal_autocheckpoint=0;";
        command.ExecuteNonQuery();
    }

    /// <summary>Asks for a checkpoint soon; returns at once.</summary>
    public void Request()
    {
        if (Interlocked.Exchange(ref _state, 2) == 0)
        {
            _ = Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        do
        {
            Volatile.Write(ref _state, 1);
            try
            {
                await using var connection = await connections.OpenAsync(CancellationToken.None);
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                await command.ExecuteNonQueryAsync();
            }
            catch (SqliteException ex)
            {
                // The next commit asks again, and other connections still checkpoint automatically.
                CheckpointLog.Failed(log, ex);
            }
        }
        while (Interlocked.CompareExchange(ref _state, 0, 1) == 2);
    }
}

internal static partial class CheckpointLog
{
    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "SQLite checkpoint failed; the next ingest commit asks again")]
    public static partial void Failed(ILogger logger, Exception exception);
}
