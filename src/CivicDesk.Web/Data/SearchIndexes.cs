namespace CivicDesk.Web.Data;

/// <summary>
/// Keeps the SQLite full-text indexes' triggers in place. The FTS5 tables and their triggers come from migrations
/// (CaseTextSearch, InboxPaging), but SQLite cannot alter most columns in place, so a later migration that changes the indexed
/// table rebuilds it (create a copy, drop the old table, rename) and the triggers go with the old table, silently:
/// the index would then miss every new case. Run at start-up after the migrations: where a trigger is missing it is
/// re-created and the index rebuilt from its table. PostgreSQL alters tables in place, so its search indexes and triggers stay.
/// </summary>
public static class SearchIndexes
{
    /// <summary>An external-content FTS5 table over some columns of a table whose integer key is "Id".</summary>
    internal sealed record Fts5Index(string Table, string Source, string TriggerPrefix, IReadOnlyList<string> Columns)
    {
        private string ColumnList => string.Join(", ", Columns.Select(c => $"\"{c}\""));

        private string Values(string row) => string.Join(", ", Columns.Select(c => $"{row}.\"{c}\""));

        private string Insert(string row) =>
            $"""INSERT INTO "{Table}" (rowid, {ColumnList}) VALUES ({row}."Id", {Values(row)});""";

        private string Delete(string row) =>
            $"""INSERT INTO "{Table}" ("{Table}", rowid, {ColumnList}) VALUES ('delete', {row}."Id", {Values(row)});""";

        public IReadOnlyList<string> TriggerNames => [TriggerPrefix + "_ins", TriggerPrefix + "_del", TriggerPrefix + "_upd"];

        public IEnumerable<string> CreateTriggers()
        {
            yield return $"""CREATE TRIGGER IF NOT EXISTS {TriggerPrefix}_ins AFTER INSERT ON "{Source}" BEGIN {Insert("NEW")} END;""";
            yield return $"""CREATE TRIGGER IF NOT EXISTS {TriggerPrefix}_del AFTER DELETE ON "{Source}" BEGIN {Delete("OLD")} END;""";
            yield return $"""CREATE TRIGGER IF NOT EXISTS {TriggerPrefix}_upd AFTER UPDATE OF {ColumnList} ON "{Source}" BEGIN {Delete("OLD")} {Insert("NEW")} END;""";
        }

        public string Rebuild => $"""INSERT INTO "{Table}" ("{Table}") VALUES ('rebuild');""";

        /// <summary>
        /// Indexes the rows from an id on, as the insert trigger would have one by one: for a bulk load that ran with
        /// the triggers dropped (Features/Demo/SyntheticData.cs) and restores them afterwards.
        /// </summary>
        public string IndexFrom(long firstId) =>
            $"""INSERT INTO "{Table}" (rowid, {ColumnList}) SELECT "Id", {ColumnList} FROM "{Source}" WHERE "Id" >= {firstId.ToString(System.Globalization.CultureInfo.InvariantCulture)};""";
    }

    internal static readonly IReadOnlyList<Fts5Index> Sqlite =
    [
        new("CaseSearch", "Cases", "cd_case_search", ["Reference", "Title", "Description", "Address"]),
        new("ConversationSearch", "Conversations", "cd_conversation_search", ["Reference", "Subject", "CitizenHandle", "CitizenName"]),
    ];

    /// <summary>Re-creates missing triggers and rebuilds their index; returns the FTS tables that needed it.</summary>
    public static async Task<IReadOnlyList<string>> EnsureAsync(CivicDeskDb db, CancellationToken ct)
    {
        await using var connection = await SchemaConnection.ForAsync(db, ct);
        return await EnsureAsync(connection, ct);
    }

    /// <inheritdoc cref="EnsureAsync(CivicDeskDb, CancellationToken)"/>
    public static async Task<IReadOnlyList<string>> EnsureAsync(SchemaConnection db, CancellationToken ct)
    {
        var repaired = new List<string>();
        if (db.Provider != DatabaseProvider.Sqlite)
        {
            return repaired;
        }

        foreach (var index in Sqlite)
        {
            var names = index.TriggerNames.ToList();
            var tableExists = await db.ScalarAsync(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @table", ct, ("table", index.Table)) > 0;
            var triggers = await db.ScalarAsync(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = @source AND name IN (@t0, @t1, @t2)", ct,
                ("source", index.Source), ("t0", names[0]), ("t1", names[1]), ("t2", names[2]));
            if (!tableExists || triggers == names.Count)
            {
                // No table: its migration has not run (or was reverted), nothing to keep in step.
                continue;
            }

            await using var tx = await db.BeginAsync(ct);
            foreach (var sql in index.CreateTriggers())
            {
                await db.ExecuteAsync(sql, ct);
            }

            await db.ExecuteAsync(index.Rebuild, ct);
            await tx.CommitAsync(ct);
            repaired.Add(index.Table);
        }

        return repaired;
    }
}
