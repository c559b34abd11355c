using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Triage;
using CivicDesk.Web.Platform;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// The persist step: writes coalesced submissions in one transaction with no EF change tracking. SQLite: on the
/// writer's own connection, statements prepared once and kept, bound by position (<see cref="SqliteRowWriter"/>),
/// messages with <c>INSERT … ON CONFLICT ("ChannelId", "ExternalId") DO NOTHING</c> from rows the prepare step built
/// (<see cref="RowFor"/>); a profile of the writer puts most of its time inside SQLite itself now (bench/README.md, session 17).
/// PostgreSQL (round trips matter): set-based look-ups over arrays, messages by binary COPY with ids taken from the
/// sequence in one call, conversation counters in one statement.
/// <list type="number">
/// <item>Posts repeating a (channel, external id) earlier in the transaction, or already stored, become duplicates.</item>
/// <item>The rest are threaded per citizen (channel + author handle) onto the citizen's latest conversation that is
/// not Closed, or onto a new conversation (team, priority and routing reason from the first post's routing).</item>
/// <item>Messages are inserted; on SQLite a row another process stored meanwhile is skipped by ON CONFLICT and
/// reported as a duplicate; on PostgreSQL such a clash aborts the COPY and the transaction is retried.</item>
/// <item>Conversation counters and latest labels are updated (Resolved / WaitingOnCitizen go back to Open, urgency
/// is sticky), and a hash-chained "conversation.created" audit event is appended per new conversation.</item>
/// </list>
/// Holds <see cref="AuditChain.Gate"/> for the whole transaction (taken before the transaction, as EF's audited
/// SaveChanges does, so the two cannot wait on each other), and retries the transaction when a uniqueness clash
/// with another process (audit sequence, conversation reference) aborts it.
/// </summary>
public sealed class MessageStore(DbConnectionFactory connections, SqliteCheckpointer checkpointer, TimeProvider clock, CivicDeskMetrics metrics,
    IOptions<IngestionOptions> options, ILogger<MessageStore> logger) : IDisposable
{
    // The SQLite writer's connection and statements; only touched under AuditChain.Gate.
    private SqliteSession? _session;

    // Steps of the persist transaction, recorded as stages "persist.<step>" so a profile can say where its time goes.
    private static readonly KeyValuePair<string, object?> StepBegin = new("stage", "persist.begin");
    private static readonly KeyValuePair<string, object?> StepKnown = new("stage", "persist.known");
    private static readonly KeyValuePair<string, object?> StepFind = new("stage", "persist.find-conversations");
    private static readonly KeyValuePair<string, object?> StepCreate = new("stage", "persist.create-conversations");
    private static readonly KeyValuePair<string, object?> StepMessages = new("stage", "persist.insert-messages");
    private static readonly KeyValuePair<string, object?> StepCounters = new("stage", "persist.update-conversations");
    private static readonly KeyValuePair<string, object?> StepAudit = new("stage", "persist.audit");
    private static readonly KeyValuePair<string, object?> StepCommit = new("stage", "persist.commit");

    private const int MaxAttempts = 3;
    private const int KeysPerLookup = 1_000;
    private static readonly JsonSerializerOptions AuditJson = new(JsonSerializerDefaults.Web);

    private static readonly string[] MessageColumns =
    [
        "OrganisationId", "ChannelId", "ConversationId", "Direction", "ExternalId", "AuthorHandle", "AuthorName", "Text",
        "Language", "CreatedAt", "ReceivedAt", "InReplyTo", "Latitude", "Longitude", "AttachmentsJson", "RawPayload",
        "Kind", "Category", "Sentiment", "IsUrgent", "UrgencyReason", "Place", "TriageScores", "RoutedTeamId",
        "RoutingRuleId", "RoutingReason", "MatchedSearch", "NeedsHumanTriage", "NeedsHumanReason",
    ];

    private static readonly string[] CopyColumns = ["Id", .. MessageColumns];

    private static readonly string[] ConversationColumns =
    [
        "OrganisationId", "ChannelId", "Reference", "CitizenHandle", "CitizenName", "CitizenEmail", "Subject", "Status",
        "Priority", "AssignedTeamId", "CreatedAt", "UpdatedAt", "LastMessageAt", "MessageCount", "Kind", "Category",
        "Sentiment", "IsUrgent", "RoutingRuleId", "RoutingReason",
    ];

    private static readonly string InsertMessageSql = SqliteRowWriter.InsertSql("Messages", MessageColumns, "ON CONFLICT (\"ChannelId\", \"ExternalId\") DO NOTHING");
    private static readonly string InsertConversationSql = SqliteRowWriter.InsertSql("Conversations", ConversationColumns);

    /// <summary>UTC truncated to microseconds, the precision PostgreSQL keeps (and the audit hash uses).</summary>
    public static DateTime ToMicroseconds(DateTime value) => new(value.Ticks - (value.Ticks % 10), DateTimeKind.Utc);

    /// <summary>Stores the submissions in one transaction and sets each one's outcome; throws if nothing was stored.</summary>
    internal async Task SaveAsync(IReadOnlyList<IngestJob> jobs, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SaveOnceAsync(jobs, ct);
                break;
            }
            catch (DbException e) when (attempt < MaxAttempts && IsUniqueViolation(e))
            {
                IngestLog.BatchRetried(logger, jobs.Count, attempt);
            }
        }

        var transaction = new IngestTransaction(Stopwatch.GetElapsedTime(started));
        int accepted = 0, duplicates = 0;
        foreach (var job in jobs)
        {
            var items = new IngestItemResult[job.Posts.Length];
            for (var i = 0; i < items.Length; i++)
            {
                var post = job.Posts[i];
                var stored = post.SameAs ?? post;
                items[i] = new IngestItemResult(post.Post.ExternalId, stored.MessageId, stored.ConversationId, stored.Reference!, post.Duplicate);
            }

            var known = items.Count(i => i.Duplicate);
            job.Outcome = new IngestOutcome(items.Length - known, known, items);
            job.Transaction = transaction;
            accepted += items.Length - known;
            duplicates += known;
        }

        IngestLog.BatchStored(logger, accepted, duplicates, jobs.Count, transaction.Duration.TotalMilliseconds);
    }

    private async Task SaveOnceAsync(IReadOnlyList<IngestJob> jobs, CancellationToken ct)
    {
        var now = ToMicroseconds(clock.GetUtcNow().UtcDateTime);
        var fresh = new List<Fresh>();
        var firsts = new Dictionary<(long, string), StagedPost>();
        foreach (var job in jobs)
        {
            foreach (var post in job.Posts)
            {
                (post.MessageId, post.ConversationId, post.Reference, post.Duplicate, post.SameAs) = (0, 0, null, false, null);
                if (firsts.TryGetValue((job.Batch.ChannelId, post.Post.ExternalId), out var first))
                {
                    post.SameAs = first;
                    post.Duplicate = true;
                }
                else
                {
                    firsts.Add((job.Batch.ChannelId, post.Post.ExternalId), post);
                    fresh.Add(new Fresh(job, post));
                }
            }
        }

        var step = Stopwatch.GetTimestamp();
        await AuditChain.Gate.WaitAsync(ct);
        try
        {
            // Waiting for the gate and for SQLite's write lock (BEGIN IMMEDIATE) shows as "persist.begin".
            if (connections.Provider == DatabaseProvider.Sqlite)
            {
                var session = SqliteWriter();
                try
                {
                    await WriteAsync(session.Connection, fresh, now, step, ct);
                }
                catch
                {
                    // Whatever went wrong, the next transaction starts on a fresh connection.
                    DropSqliteWriter();
                    throw;
                }
            }
            else
            {
                await using var connection = await connections.OpenAsync(ct);
                await WriteAsync(connection, fresh, now, step, ct);
            }
        }
        finally
        {
            AuditChain.Gate.Release();
        }

        if (connections.Provider == DatabaseProvider.Sqlite)
        {
            checkpointer.Request();
        }
    }

    /// <summary>
    /// The SQLite writer's own connection, opened once and kept (used only under <see cref="AuditChain.Gate"/>).
    /// A pooled connection started each transaction with a cold page cache: in WAL mode SQLite empties a connection's
    /// cache when another connection has written since its last transaction, and the pool handed the writer whichever
    /// connection the readers had used last. The writer's own connection sees only its own writes (and the dashboard
    /// worker's every few seconds), so the pages a batch touches stay cached into the next, and its statements stay
    /// prepared. Its cache is larger than SQLite's 2 MB (<see cref="IngestionOptions.SqliteWriterCacheMegabytes"/>): a
    /// batch's messages go to conversations all over the table and its indexes. Automatic checkpoints are off on it
    /// (see <see cref="SqliteCheckpointer"/>). Not pooled, so none of this reaches a connection EF or a reader gets.
    /// </summary>
    private SqliteSession SqliteWriter()
    {
        if (_session is { Connection.State: System.Data.ConnectionState.Open } open)
        {
            return open;
        }

        DropSqliteWriter();
        var connection = connections.OpenUnpooledSqlite();
        try
        {
            SqliteCheckpointer.SetAutomatic(connection, on: false);
            using var command = connection.CreateCommand();
            command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA cache_size = -{options.Value.SqliteWriterCacheMegabytes * 1024};");
            command.ExecuteNonQuery();
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return _session = new SqliteSession(connection);
    }

    private void DropSqliteWriter()
    {
        _session?.Dispose();
        _session = null;
    }

    public void Dispose() => DropSqliteWriter();

    private async Task WriteAsync(DbConnection connection, List<Fresh> fresh, DateTime now, long step, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        step = Lap(step, StepBegin);

        await MarkKnownAsync(connection, tx, fresh, ct);
        fresh.RemoveAll(f => f.Post.Duplicate);
        step = Lap(step, StepKnown);

        var threads = new Dictionary<(long, string), CitizenThread>();
        foreach (var f in fresh)
        {
            var key = (f.Job.Batch.ChannelId, f.Post.Post.AuthorHandle);
            if (!threads.TryGetValue(key, out var thread))
            {
                threads.Add(key, thread = new CitizenThread(f.Job.Batch.OrganisationId, f.Job.Batch.ChannelId, f.Post.Post.AuthorHandle));
            }

            thread.Posts.Add(f);
        }

        var dataVersion = await FindOpenConversationsAsync(connection, tx, threads.Values, ct);
        step = Lap(step, StepFind);
        var created = threads.Values.Where(t => t.ConversationId == 0).ToList();
        await InsertConversationsAsync(connection, tx, created, now, ct);
        step = Lap(step, StepCreate);
        var raced = await InsertMessagesAsync(connection, tx, threads.Values, ct);
        step = Lap(step, StepMessages);
        if (raced.Count > 0)
        {
            // Another process stored these between our check and our insert: report them as theirs.
            var lost = raced.Select(f => f.Post).ToHashSet();
            foreach (var thread in threads.Values)
            {
                thread.Posts.RemoveAll(f => lost.Contains(f.Post));
            }

            foreach (var f in raced)
            {
                f.Post.MessageId = 0;
            }

            await MarkKnownAsync(connection, tx, raced, ct);
        }

        await UpdateConversationsAsync(connection, tx, threads.Values, now, ct);
        step = Lap(step, StepCounters);
        await AppendAuditAsync(connection, tx, created.Where(t => t.Posts.Count > 0).ToList(), now, ct);
        step = Lap(step, StepAudit);
        await tx.CommitAsync(ct);
        Lap(step, StepCommit);
        if (_session is { } session)
        {
            session.Remember(threads.Values, raced.Count == 0 ? dataVersion : null);
        }
    }

    private long Lap(long since, KeyValuePair<string, object?> step)
    {
        var now = Stopwatch.GetTimestamp();
        metrics.IngestStageLatency.Record(Stopwatch.GetElapsedTime(since, now).TotalMilliseconds, step);
        return now;
    }

    /// <summary>
    /// Which of these external ids the channel already has: the prepare step asks first so that re-deliveries skip
    /// triage. Outside any transaction (the writer checks again inside its own, which is what guarantees "once").
    /// </summary>
    public async Task<HashSet<string>> FindStoredAsync(long channelId, IEnumerable<string> externalIds, CancellationToken ct)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var sql = KeyLookups.StoredIds(connections.Provider);
        await using var connection = await connections.OpenAsync(ct);
        foreach (var chunk in externalIds.Distinct(StringComparer.Ordinal).Chunk(KeysPerLookup))
        {
            found.UnionWith(await connection.QueryAsync<string>(new CommandDefinition(sql, new { ChannelId = channelId, Ids = ListParameter(chunk) }, cancellationToken: ct)));
        }

        return found;
    }

    /// <summary>Marks posts whose (channel, external id) is already stored as duplicates of the stored message.</summary>
    private async Task MarkKnownAsync(DbConnection connection, DbTransaction tx, List<Fresh> posts, CancellationToken ct)
    {
        var sql = KeyLookups.KnownMessages(connections.Provider);
        foreach (var channel in posts.GroupBy(f => f.Job.Batch.ChannelId))
        {
            var byId = channel.ToDictionary(f => f.Post.Post.ExternalId, StringComparer.Ordinal);
            foreach (var chunk in byId.Keys.Chunk(KeysPerLookup))
            {
                var rows = await connection.QueryAsync<KnownMessage>(new CommandDefinition(sql, new { ChannelId = channel.Key, Ids = ListParameter(chunk) }, tx, cancellationToken: ct));
                foreach (var row in rows)
                {
                    var post = byId[row.ExternalId].Post;
                    (post.MessageId, post.ConversationId, post.Reference, post.Duplicate) = (row.MessageId, row.ConversationId, row.Reference, true);
                }
            }
        }
    }

    /// <summary>
    /// Finds each citizen's latest conversation on the channel that is not Closed. On SQLite, returns the database's
    /// data version as this transaction sees it (for <see cref="SqliteSession.Remember"/>); null on PostgreSQL.
    /// </summary>
    private async Task<long?> FindOpenConversationsAsync(DbConnection connection, DbTransaction tx, IEnumerable<CitizenThread> threads, CancellationToken ct)
    {
        if (_session is { } session)
        {
            // In-process there are no round trips to save: one indexed look-up per citizen on a statement prepared once,
            // read straight from SQLite, costs less than building, binding and unpacking a JSON list of handles and
            // mapping the rows through a data reader (that was most of this step, profiled). A citizen this writer
            // wrote to since anybody else last changed the database is answered from memory (SqliteSession.Citizens).
            var version = session.Validate();
            var find = session.Statement("""
                SELECT "Id", "Reference", "Status", "Kind", "Category", "Sentiment", COUNT(*) OVER () FROM "Conversations"
                WHERE "ChannelId" = ?1 AND "CitizenHandle" = ?2 AND "Status" <> 'Closed'
                ORDER BY "LastMessageAt" DESC, "Id" DESC LIMIT 1
                """);
            foreach (var thread in threads)
            {
                if (session.Citizens.TryGetValue((thread.ChannelId, thread.Handle), out var known))
                {
                    thread.Found(known, only: true);
                    continue;
                }

                var found = find.First([thread.ChannelId, thread.Handle], static row =>
                    (new OpenConversation { Id = row.Number(0), Reference = row.Text(1)!, Status = row.Text(2)!, Kind = row.Text(3), Category = row.Text(4), Sentiment = row.Text(5) }, row.Number(6) == 1));
                if (found.Item1 is { } conversation)
                {
                    thread.Found(conversation, found.Item2);
                }
            }

            return version;
        }

        const string sql = KeyLookups.PostgresOpenConversations;
        foreach (var channel in threads.GroupBy(t => t.ChannelId))
        {
            var byHandle = channel.ToDictionary(t => t.Handle, StringComparer.Ordinal);
            foreach (var chunk in byHandle.Keys.Chunk(KeysPerLookup))
            {
                var rows = await connection.QueryAsync<OpenConversation>(new CommandDefinition(sql, new { ChannelId = channel.Key, Handles = ListParameter(chunk) }, tx, cancellationToken: ct));
                foreach (var row in rows)
                {
                    var thread = byHandle[row.CitizenHandle];
                    if (thread.ConversationId == 0)
                    {
                        thread.Found(row, only: false);
                    }
                }
            }
        }

        return null;
    }

    private async Task InsertConversationsAsync(DbConnection connection, DbTransaction tx, List<CitizenThread> threads, DateTime now, CancellationToken ct)
    {
        var references = new HashSet<string>(StringComparer.Ordinal);
        var byReference = new Dictionary<string, CitizenThread>(StringComparer.Ordinal);
        var rows = new List<object?[]>(threads.Count);
        foreach (var thread in threads)
        {
            string reference;
            do
            {
                reference = References.NewConversationReference();
            }
            while (!references.Add(reference));

            var first = thread.Posts[0].Post;
            var last = thread.Posts[^1].Post;
            var urgent = thread.Posts.Any(f => f.Post.Triage?.Urgency.IsUrgent == true);
            var routing = first.Routing;
            byReference[reference] = thread;
            thread.PlannedCount = thread.Posts.Count;
            rows.Add([
                thread.OrganisationId, thread.ChannelId, reference, thread.Handle,
                thread.Posts.Select(f => f.Post.Post.AuthorName).FirstOrDefault(n => n is not null),
                thread.Posts.Select(f => f.Post.Post.CitizenEmail).FirstOrDefault(e => e is not null),
                PostNormaliser.Subject(first.Post.Text), nameof(ConversationStatus.New),
                (urgent ? Priority.Urgent : routing?.Priority ?? Priority.Normal).ToString(),
                routing?.TeamId, now, now, thread.Posts.Max(f => f.Job.ReceivedAt), thread.Posts.Count,
                Label(last.Triage?.Kind.Value, 64), Label(last.Triage?.Category.Value, 64), Label(last.Triage?.Sentiment.Value, 32),
                urgent, routing?.RuleId, Label(routing?.Reason, 500),
            ]);
        }

        if (connections.Provider == DatabaseProvider.Sqlite)
        {
            // Bound by position, the id from last_insert_rowid (a clash on Reference throws and the transaction retries).
            var insert = _session!.Statement(InsertConversationSql);
            foreach (var row in rows)
            {
                var thread = byReference[(string)row[2]!];
                (thread.ConversationId, thread.IsNew) = (insert.Insert(row)!.Value, true);
                thread.Reference = (string)row[2]!;
            }

            return;
        }

        foreach (var row in await InsertAsync<CreatedConversation>(connection, tx, "Conversations", ConversationColumns, rows, "RETURNING \"Id\", \"Reference\"", ct))
        {
            var thread = byReference[row.Reference];
            (thread.ConversationId, thread.Reference, thread.IsNew) = (row.Id, row.Reference, true);
        }
    }

    /// <summary>Inserts the threads' messages; returns the posts ON CONFLICT skipped (stored meanwhile by another process).</summary>
    private async Task<List<Fresh>> InsertMessagesAsync(DbConnection connection, DbTransaction tx, IEnumerable<CitizenThread> threads, CancellationToken ct)
    {
        var all = threads.SelectMany(t => t.Posts.Select(f => (Thread: t, Fresh: f))).ToList();
        var rows = new List<object?[]>(all.Count);
        foreach (var (thread, f) in all)
        {
            // Built by the prepare step, in parallel (a post found stored there and gone since has none yet).
            var row = f.Post.Row ??= RowFor(f.Job, f.Post);
            row[ConversationColumn] = thread.ConversationId;
            rows.Add(row);
        }

        if (_session is { } session)
        {
            var insert = session.Statement(InsertMessageSql);
            for (var i = 0; i < rows.Count; i++)
            {
                if (insert.Insert(rows[i]) is { } id)
                {
                    var (thread, f) = all[i];
                    (f.Post.MessageId, f.Post.ConversationId, f.Post.Reference) = (id, thread.ConversationId, thread.Reference);
                }
            }

            return all.Where(p => p.Fresh.Post.MessageId == 0).Select(p => p.Fresh).ToList();
        }

        // PostgreSQL: ids from the sequence in one call, then binary COPY (no per-row SQL or parameters). COPY has no
        // ON CONFLICT: these keys were checked in this transaction, and a row another node stored since then raises a
        // unique violation, which rolls back and retries the whole transaction (SaveAsync), whose check then finds it.
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = await RowInserter.NextIdsAsync(connection, tx, "Messages", rows.Count, ct);
        await RowInserter.CopyAsync(connection, "Messages", CopyColumns, rows.Select((row, i) => (object?[])[ids[i], .. row]), ct);
        for (var i = 0; i < all.Count; i++)
        {
            var (thread, f) = all[i];
            (f.Post.MessageId, f.Post.ConversationId, f.Post.Reference) = (ids[i], thread.ConversationId, thread.Reference);
        }

        return [];
    }

    private const int ConversationColumn = 2;

    /// <summary>
    /// A post's Messages row (<see cref="MessageColumns"/>; the conversation is filled in by the writer). The prepare
    /// step calls this in parallel so the single writer does not: the scores' text, the attachments' JSON, clamped
    /// labels and, on SQLite, the timestamps as the text SQLite stores.
    /// </summary>
    internal object?[] RowFor(IngestJob job, StagedPost staged)
    {
        var post = staged.Post;
        var triage = staged.Triage;
        var routing = staged.Routing;
        var sqlite = connections.Provider == DatabaseProvider.Sqlite;
        object Time(DateTime t) => sqlite ? SqliteRowWriter.Format(t) : t;
        return
        [
            job.Batch.OrganisationId, job.Batch.ChannelId, 0L, nameof(MessageDirection.Inbound), post.ExternalId,
            post.AuthorHandle, post.AuthorName, post.Text, post.Language, Time(post.CreatedAt ?? job.ReceivedAt), Time(job.ReceivedAt),
            post.InReplyTo, post.Latitude, post.Longitude,
            post.Attachments is { Count: > 0 } attachments ? JsonSerializer.Serialize(attachments) : null,
            post.RawPayload,
            Label(triage?.Kind.Value, 64), Label(triage?.Category.Value, 64), Label(triage?.Sentiment.Value, 32),
            triage?.Urgency.IsUrgent ?? false, Label(triage?.Urgency.Reason, 200), Label(triage?.Place?.Text, 200),
            TriageScores.Format(triage),
            routing?.TeamId, routing?.RuleId, Label(routing?.Reason, 500), Label(post.MatchedSearch, 120),
            triage?.NeedsHuman ?? false, Label(triage?.NeedsHumanReason, 200),
        ];
    }

    // The common case on SQLite: a conversation that stays as it is (not urgent, not Resolved or WaitingOnCitizen
    // as read in this transaction, which holds the write lock from BEGIN IMMEDIATE, so nobody can change the status
    // meanwhile). Setting only these columns leaves the indexes on Status, Priority and IsUrgent alone (SQLite
    // rewrites an index whenever an UPDATE sets one of its columns, even to the same value); updating counters
    // was the persist transaction's second-largest step (bench/README.md).
    // The labels it already has are left out too (a null label keeps the old one, as COALESCE does in the other
    // statements): Kind and Category each lead an inbox index, and setting an unchanged column costs what changing it
    // does (sqlite3, 100,000 updates of a table with three such indexes: 0.35-0.39 s user with two unchanged labels
    // in the SET list, 0.16-0.18 s without). One prepared statement per combination of changed labels.
    private static readonly string[] Counts = [.. Enumerable.Range(0, 8).Select(changed => $"""
        UPDATE "Conversations" SET
            "MessageCount" = "MessageCount" + ?1,
            "LastMessageAt" = ?2,
            "UpdatedAt" = ?3{((changed & 1) != 0 ? ", \"Kind\" = ?4" : "")}{((changed & 2) != 0 ? ", \"Category\" = ?5" : "")}{((changed & 4) != 0 ? ", \"Sentiment\" = ?6" : "")}
        WHERE "Id" = ?7
        """)];

    private async Task UpdateConversationsAsync(DbConnection connection, DbTransaction tx, IEnumerable<CitizenThread> threads, DateTime now, CancellationToken ct)
    {
        // SET expressions read the row as it was, so ResolvedAt sees the old Status. SQLite: one prepared statement
        // executed per conversation, bound by position (in-process, cheap). PostgreSQL: one statement over arrays, saving a round trip each.
        const string append = """
            UPDATE "Conversations" SET
                "MessageCount" = "MessageCount" + ?1,
                "LastMessageAt" = ?2,
                "UpdatedAt" = ?3,
                "Kind" = COALESCE(?4, "Kind"),
                "Category" = COALESCE(?5, "Category"),
                "Sentiment" = COALESCE(?6, "Sentiment"),
                "IsUrgent" = ("IsUrgent" OR ?7),
                "Priority" = CASE WHEN ?7 THEN 'Urgent' ELSE "Priority" END,
                "ResolvedAt" = CASE WHEN "Status" = 'Resolved' THEN NULL ELSE "ResolvedAt" END,
                "Status" = CASE WHEN "Status" IN ('Resolved', 'WaitingOnCitizen') THEN 'Open' ELSE "Status" END
            WHERE "Id" = ?8
            """;
        const string appendAll = """
            UPDATE "Conversations" AS c SET
                "MessageCount" = c."MessageCount" + u.added,
                "LastMessageAt" = u.last,
                "UpdatedAt" = @Now,
                "Kind" = COALESCE(u.kind, c."Kind"),
                "Category" = COALESCE(u.category, c."Category"),
                "Sentiment" = COALESCE(u.sentiment, c."Sentiment"),
                "IsUrgent" = (c."IsUrgent" OR u.urgent),
                "Priority" = CASE WHEN u.urgent THEN 'Urgent' ELSE c."Priority" END,
                "ResolvedAt" = CASE WHEN c."Status" = 'Resolved' THEN NULL ELSE c."ResolvedAt" END,
                "Status" = CASE WHEN c."Status" IN ('Resolved', 'WaitingOnCitizen') THEN 'Open' ELSE c."Status" END
            FROM unnest(@Ids, @Added, @Last, @Kinds, @Categories, @Sentiments, @Urgent) AS u(id, added, last, kind, category, sentiment, urgent)
            WHERE c."Id" = u.id
            """;
        var appended = threads.Where(t => !t.IsNew && t.Posts.Count > 0).Select(t =>
        {
            var last = t.Posts[^1].Post.Triage;
            return new
            {
                Id = t.ConversationId,
                Added = t.Posts.Count,
                Last = t.Posts.Max(f => f.Job.ReceivedAt),
                Now = now,
                Kind = Label(last?.Kind.Value, 64),
                Category = Label(last?.Category.Value, 64),
                Sentiment = Label(last?.Sentiment.Value, 32),
                Urgent = t.Posts.Any(f => f.Post.Triage?.Urgency.IsUrgent == true),
                Reopens = t.Status is nameof(ConversationStatus.Resolved) or nameof(ConversationStatus.WaitingOnCitizen),
                Changed = Changes(Label(last?.Kind.Value, 64), t.Kind, 1) | Changes(Label(last?.Category.Value, 64), t.Category, 2) | Changes(Label(last?.Sentiment.Value, 32), t.Sentiment, 4),
            };
        }).ToList();
        if (appended.Count > 0 && connections.Provider == DatabaseProvider.Postgres)
        {
            var arrays = new
            {
                Now = now,
                Ids = appended.Select(a => a.Id).ToArray(),
                Added = appended.Select(a => a.Added).ToArray(),
                Last = appended.Select(a => a.Last).ToArray(),
                Kinds = appended.Select(a => a.Kind).ToArray(),
                Categories = appended.Select(a => a.Category).ToArray(),
                Sentiments = appended.Select(a => a.Sentiment).ToArray(),
                Urgent = appended.Select(a => a.Urgent).ToArray(),
            };
            await connection.ExecuteAsync(new CommandDefinition(appendAll, arrays, tx, cancellationToken: ct));
        }
        else if (appended.Count > 0)
        {
            var session = _session!;
            foreach (var a in appended)
            {
                if (a.Urgent || a.Reopens)
                {
                    session.Statement(append).Execute([a.Added, a.Last, a.Now, a.Kind, a.Category, a.Sentiment, a.Urgent, a.Id]);
                }
                else
                {
                    session.Statement(Counts[a.Changed]).Execute([a.Added, a.Last, a.Now, a.Kind, a.Category, a.Sentiment, a.Id]);
                }
            }
        }

        // Rare: a new conversation lost posts to another process's concurrent insert.
        foreach (var thread in threads.Where(t => t.IsNew && t.Posts.Count != t.PlannedCount))
        {
            var sql = thread.Posts.Count == 0
                ? """DELETE FROM "Conversations" WHERE "Id" = @Id"""
                : """UPDATE "Conversations" SET "MessageCount" = @Count WHERE "Id" = @Id""";
            await connection.ExecuteAsync(new CommandDefinition(sql, new { Id = thread.ConversationId, Count = thread.Posts.Count }, tx, cancellationToken: ct));
        }
    }

    // The bit for a label when the new one is set and differs from what the conversation has.
    private static int Changes(string? label, string? stored, int bit) => label is not null && !string.Equals(label, stored, StringComparison.Ordinal) ? bit : 0;

    private async Task AppendAuditAsync(DbConnection connection, DbTransaction tx, List<CitizenThread> created, DateTime now, CancellationToken ct)
    {
        var events = created.Select(thread =>
        {
            var routing = thread.Posts[0].Post.Routing;
            return new AuditEvent
            {
                OrganisationId = thread.OrganisationId,
                At = now,
                ActorName = "system",
                Action = "conversation.created",
                TargetType = nameof(Conversation),
                TargetId = thread.ConversationId.ToString(CultureInfo.InvariantCulture),
                After = JsonSerializer.Serialize(new { reference = thread.Reference, teamId = routing?.TeamId, team = routing?.TeamName, routingReason = routing?.Reason }, AuditJson),
            };
        }).ToList();
        await AuditRows.AppendAsync(connections.Provider, connection, tx, events, ct);
    }

    private Task<List<T>> InsertAsync<T>(DbConnection connection, DbTransaction tx, string table, string[] columns, List<object?[]> rows,
        string tail, CancellationToken ct) => RowInserter.InsertAsync<T>(connections.Provider, connection, tx, table, columns, rows, tail, ct);

    // A list as one parameter: a JSON array that SQLite's json_each unpacks (Dapper's "IN @list" would expand it
    // into one parameter per item, quadratic to bind), a native array on PostgreSQL.
    private object ListParameter(string[] values) => connections.Provider == DatabaseProvider.Sqlite ? JsonSerializer.Serialize(values) : values;

    private static string? Label(string? value, int max) => PostNormaliser.Clamp(value, max);

    private static bool IsUniqueViolation(DbException e) => e switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    private sealed record Fresh(IngestJob Job, StagedPost Post);

    /// <summary>The SQLite writer's connection and its statements, each prepared once and kept while the connection is.</summary>
    private sealed class SqliteSession(SqliteConnection connection) : IDisposable
    {
        // Enough for a surge's active citizens (about 120 bytes each); past it the map starts again empty.
        private const int MaxCitizens = 50_000;

        private readonly Dictionary<string, SqliteRowWriter> _statements = new(StringComparer.Ordinal);
        private long? _version;

        public SqliteConnection Connection => connection;

        /// <summary>
        /// Each citizen's open conversation as this writer left it, for citizens with exactly one conversation that
        /// is not Closed (so "the latest" cannot depend on times): finding conversations was a sixth of the writer's
        /// time in a surge, where the same citizens write again and again. Valid only while nobody else has
        /// committed: <c>PRAGMA data_version</c> changes exactly when another connection (a person closing a
        /// conversation, the dashboard worker, another process) commits, and <see cref="Validate"/> then empties it.
        /// </summary>
        public Dictionary<(long ChannelId, string Handle), OpenConversation> Citizens { get; } = [];

        /// <summary>Inside the write transaction: empties <see cref="Citizens"/> if anybody else committed since this writer's last commit.</summary>
        public long Validate()
        {
            var version = Statement("PRAGMA data_version").First([], static row => row.Number(0));
            if (version != _version)
            {
                Citizens.Clear();
            }

            return version;
        }

        /// <summary>After a commit: what the transaction left each citizen's conversation as; null forgets everything.</summary>
        public void Remember(IEnumerable<CitizenThread> threads, long? version)
        {
            _version = version;
            if (version is null)
            {
                Citizens.Clear();
                return;
            }

            foreach (var thread in threads)
            {
                var key = (thread.ChannelId, thread.Handle);
                if (thread.Posts.Count == 0 || !(thread.IsNew || thread.Only))
                {
                    Citizens.Remove(key);
                    continue;
                }

                if (Citizens.Count >= MaxCitizens && !Citizens.ContainsKey(key))
                {
                    Citizens.Clear();
                }

                // What the INSERT or UPDATE wrote: a new conversation is New, a Resolved or waiting one is open again,
                // and a label the last post did not set keeps the conversation's old one.
                var last = thread.Posts[^1].Post.Triage;
                Citizens[key] = new OpenConversation
                {
                    Id = thread.ConversationId,
                    Reference = thread.Reference!,
                    Status = thread.IsNew ? nameof(ConversationStatus.New)
                        : thread.Status is nameof(ConversationStatus.Resolved) or nameof(ConversationStatus.WaitingOnCitizen) ? nameof(ConversationStatus.Open)
                        : thread.Status!,
                    Kind = Label(last?.Kind.Value, 64) ?? thread.Kind,
                    Category = Label(last?.Category.Value, 64) ?? thread.Category,
                    Sentiment = Label(last?.Sentiment.Value, 32) ?? thread.Sentiment,
                };
            }
        }

        public SqliteRowWriter Statement(string sql)
        {
            if (!_statements.TryGetValue(sql, out var statement))
            {
                _statements.Add(sql, statement = SqliteRowWriter.Prepare(connection, sql));
            }

            return statement;
        }

        public void Dispose()
        {
            // Statements first: a connection closed with statements open stays half-open until they are finalised.
            foreach (var statement in _statements.Values)
            {
                statement.Dispose();
            }

            connection.Dispose();
        }
    }

    /// <summary>The posts of one citizen on one channel in this transaction, and the conversation they go to.</summary>
    private sealed class CitizenThread(long organisationId, long channelId, string handle)
    {
        public long OrganisationId => organisationId;
        public long ChannelId => channelId;
        public string Handle => handle;
        public List<Fresh> Posts { get; } = [];
        public long ConversationId { get; set; }
        public string? Reference { get; set; }
        /// <summary>The existing conversation's status as read in this transaction (null for a new one).</summary>
        public string? Status { get; set; }
        /// <summary>The existing conversation's labels as read in this transaction: unchanged ones are not written again.</summary>
        public string? Kind { get; set; }
        public string? Category { get; set; }
        public string? Sentiment { get; set; }
        public bool IsNew { get; set; }
        /// <summary>The existing conversation is the citizen's only one that is not Closed.</summary>
        public bool Only { get; set; }
        public int PlannedCount { get; set; }

        public void Found(OpenConversation conversation, bool only)
        {
            (ConversationId, Reference, Status, Only) = (conversation.Id, conversation.Reference, conversation.Status, only);
            (Kind, Category, Sentiment) = (conversation.Kind, conversation.Category, conversation.Sentiment);
        }
    }

    /// <summary>
    /// Positional parameters @p0, @p1, … added straight to the command (Dapper's DynamicParameters checks each
    /// name against those already added, which is quadratic for thousands of them).
    /// </summary>
    private sealed class KnownMessage
    {
        public long MessageId { get; set; }
        public string ExternalId { get; set; } = "";
        public long ConversationId { get; set; }
        public string Reference { get; set; } = "";
    }

    private sealed class OpenConversation
    {
        public long Id { get; set; }
        public string Reference { get; set; } = "";
        public string CitizenHandle { get; set; } = "";
        public string Status { get; set; } = "";
        public string? Kind { get; set; }
        public string? Category { get; set; }
        public string? Sentiment { get; set; }
    }

    private sealed class CreatedConversation
    {
        public long Id { get; set; }
        public string Reference { get; set; } = "";
    }
}
