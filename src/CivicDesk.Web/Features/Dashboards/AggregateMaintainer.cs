using CivicDesk.Web.Data;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Sla;
using CivicDesk.Web.Platform;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// Keeps HourlyMessageCounts, DailyMessageCounts, WeeklyMessageCounts, MonthlyMessageCounts, DailyTopicCounts,
/// WeeklyTopicCounts and the organisation's topic rows (DailyOrganisationTopicCounts, WeeklyOrganisationTopicCounts,
/// MonthlyOrganisationTopicCounts) equal to what a full query over messages would give, and DailyResponseTimes and HourlyOpenConversations equal to what one over conversations would give (the
/// property test in AggregateEquivalenceTests says so). Each batch claims the dirty hours the triggers recorded (a
/// message's hour, and the hour a conversation was opened when its team, status or times change), recomputes exactly
/// those hours from the messages and the local days they fall in from the hourly rows and the day's conversations
/// without holding a lock, and then replaces the rows and deletes the marks in one short transaction (see
/// ProcessBatchAsync). A crash loses nothing: unfinished marks stay in the log, claimed, and are taken again.
/// Idempotent, so running twice or after a rebuild is harmless.
/// See docs/dashboards.md for why a worker and not the persist transaction.
/// </summary>
public sealed class AggregateMaintainer(CivicDeskDb db, BusinessCalendars calendars, SqliteCheckpointer checkpointer, CivicDeskMetrics metrics, TimeProvider time,
    ILogger<AggregateMaintainer> log)
{
    // One batch at a time in this process; PostgreSQL also takes an advisory lock so two hosts do not interleave.
    // Write transactions take the audit gate like every other (gate first, then the database), so they stall audited
    // writers (the ingest pipeline, API requests) for as long as they run: a batch writes in two short ones and reads
    // between them, and is bounded by hours and by the messages in them (see ProcessBatchAsync).
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private const long AdvisoryLockKey = 11_0001;
    private static readonly ConversationStatus[] EveryStatus = Enum.GetValues<ConversationStatus>();

    /// <summary>
    /// A batch stops taking hours once they hold this many messages (but always takes one). Bounding by hours alone
    /// let a catch-up on a large organisation (200 hours of ~1,000 messages each, hashtags read from every text) hold
    /// SQLite's write lock past the 30 s busy timeout, and the outbound and webhook workers failed with "database is
    /// locked" (seen on the 10-million-message benchmark database).
    /// </summary>
    public const int DefaultMaxMessages = 20_000;

    /// <summary>Test seam: runs between a batch's read and its write, where another writer's change can land.</summary>
    internal Func<Task>? AfterRead { get; set; }

    /// <summary>
    /// Processes the dirty hours queued when it starts, until none of them are left; returns how many dirty marks
    /// were consumed. Marks added meanwhile wait for the next call: during a surge the ingest writer dirties the
    /// current hour every batch, and draining "until empty" then recomputed that hour and its day back to back,
    /// holding the audit gate and SQLite's write lock for most of the writer's time (bench/README.md, ingest, 2026-12-04).
    /// </summary>
    public async Task<int> DrainAsync(CancellationToken ct, int batchSize = 200, int maxMessages = DefaultMaxMessages)
    {
        var upTo = await db.AggregateDirtyHours.MaxAsync(d => (long?)d.Id, ct);
        if (upTo is null)
        {
            return 0;
        }

        var total = 0;
        while (true)
        {
            var n = await ProcessBatchAsync(batchSize, ct, maxMessages, upTo);
            total += n;
            if (n == 0)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// One batch: every dirty mark of up to <paramref name="batchSize"/> distinct hours in (organisation, hour) order,
    /// fewer hours when they hold more than <paramref name="maxMessages"/> messages (counted on the message time index);
    /// with <paramref name="upToId"/>, only marks up to that id. Returns how many marks were consumed (0 when none were queued).
    /// <para>
    /// Three steps, so that writers wait only for the two short ones. (1) Claim the marks in a write transaction of one
    /// UPDATE: from then on a change to a claimed hour adds a fresh mark (the SQLite trigger skips only unclaimed ones;
    /// PostgreSQL's log always appends), which the next batch takes. (2) Read the claimed hours' messages, their days'
    /// topics and conversations and the rest of their days' and weeks' rows, and compute the replacement rows, holding
    /// no lock: this is the part that grows with the day, and it used to hold the audit gate and SQLite's write lock
    /// for seconds while the ingest writer waited (36–64 % of its time, bench/README.md, 2026-12-04). (3) Replace those
    /// rows and delete the marks in one short write transaction. Whatever changed after step 1 has a mark of its own,
    /// so the reads need no snapshot, and a crash after step 1 leaves the marks claimed, which any later batch takes again.
    /// </para>
    /// </summary>
    public async Task<int> ProcessBatchAsync(int batchSize, CancellationToken ct, int maxMessages = DefaultMaxMessages, long? upToId = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        await Gate.WaitAsync(ct);
        // One connection for the three steps: on PostgreSQL it holds the session advisory lock that keeps another node's
        // batch (or a rebuild) from interleaving between them.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            CheckpointInBackground(true);
            await LockSessionAsync(ct);
            try
            {
                return await ProcessClaimedAsync(batchSize, maxMessages, upToId, ct);
            }
            finally
            {
                await UnlockSessionAsync();
            }
        }
        finally
        {
            db.ChangeTracker.Clear();
            CheckpointInBackground(false);
            await db.Database.CloseConnectionAsync();
            Gate.Release();
        }
    }

    private async Task<int> ProcessClaimedAsync(int batchSize, int maxMessages, long? upToId, CancellationToken ct)
    {
        var clock = Stopwatch.GetTimestamp();
        // Claimed marks left by a batch that never finished (a crash or shutdown between steps 1 and 3) are taken like
        // any other: this process holds the gate and, on PostgreSQL, the advisory lock, so no batch is in flight.
        // Every mark of the first batchSize distinct hours, not the first batchSize marks: PostgreSQL's log appends a row
        // per statement and hour, so a surge leaves thousands of marks on the same few hours, and taking them 200 at a
        // time recomputed the same hour again for each 200 (the worker's passes took 13 of a 17 s ingest run, session 20).
        string UpTo(string table) => upToId is { } last ? $"{table}\"Id\" <= {last}" : "1 = 1";
        var sql = $"""
            SELECT d."Id", d."OrganisationId", d."HourStart" FROM "AggregateDirtyHours" d
            JOIN (SELECT "OrganisationId", "HourStart" FROM "AggregateDirtyHours" WHERE {UpTo("")}
                  GROUP BY "OrganisationId", "HourStart" ORDER BY "OrganisationId", "HourStart" LIMIT {batchSize}) h
              ON h."OrganisationId" = d."OrganisationId" AND h."HourStart" = d."HourStart"
            WHERE {UpTo("d.")}
            ORDER BY d."OrganisationId", d."HourStart", d."Id"
            """;
        var candidates = await db.Database.SqlQueryRaw<DirtyMark>(sql).ToListAsync(ct);
        if (candidates.Count == 0)
        {
            return 0;
        }

        var dirty = new List<DirtyMark>();
        long messages = 0;
        foreach (var hour in candidates.GroupBy(c => (c.OrganisationId, HourStart: AggregateTime.Utc(c.HourStart))))
        {
            var (org, from) = hour.Key;
            var to = from.AddHours(1);
            var inHour = await db.Messages.IgnoreQueryFilters().LongCountAsync(m => m.OrganisationId == org && m.CreatedAt >= from && m.CreatedAt < to, ct);
            if (dirty.Count > 0 && messages + inHour > maxMessages)
            {
                break;
            }

            dirty.AddRange(hour);
            messages += inHour;
        }

        var ids = dirty.Select(d => d.Id).ToList();
        var claimedAt = time.GetUtcNow().UtcDateTime;
        await using (var tx = await db.BeginWriteTransactionAsync(ct))
        {
            await db.AggregateDirtyHours.Where(d => ids.Contains(d.Id)).ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimedAt, claimedAt), ct);
            await tx.CommitAsync(ct);
        }

        metrics.AggregatePhaseLatency.Record(Stopwatch.GetElapsedTime(clock).TotalMilliseconds, new KeyValuePair<string, object?>("phase", "claim"));
        clock = Stopwatch.GetTimestamp();
        var replacement = new Replacement();
        foreach (var org in dirty.GroupBy(d => d.OrganisationId))
        {
            await ComputeAsync(org.Key, org.Select(d => AggregateTime.Utc(d.HourStart)), replacement, ct);
        }

        metrics.AggregatePhaseLatency.Record(Stopwatch.GetElapsedTime(clock).TotalMilliseconds, new KeyValuePair<string, object?>("phase", "read"));
        if (AfterRead is { } between)
        {
            await between();
        }

        clock = Stopwatch.GetTimestamp();
        await using (var tx = await db.BeginWriteTransactionAsync(ct))
        {
            // A rebuild (the CLI, another process on SQLite) clears the log and recomputes from scratch: rows computed
            // before it must not overwrite its newer ones. Our marks still being there and claimed says it has not run.
            if (await db.AggregateDirtyHours.CountAsync(d => ids.Contains(d.Id) && d.ClaimedAt != null, ct) != ids.Count)
            {
                return dirty.Count;
            }

            await replacement.ApplyAsync(db, ct);
            await db.AggregateDirtyHours.Where(d => ids.Contains(d.Id)).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }

        RequestCheckpoint();

        metrics.AggregatePhaseLatency.Record(Stopwatch.GetElapsedTime(clock).TotalMilliseconds, new KeyValuePair<string, object?>("phase", "apply"));
        AggregateLog.Recomputed(log, dirty.Count);
        return dirty.Count;
    }

    /// <summary>
    /// Recomputes every aggregate of one organisation (or all) from the messages, a local day at a time, in transactions
    /// of whole days that hold up to <paramref name="maxMessages"/> messages (one day at least), so ingest is never
    /// blocked for long. Returns the number of days written.
    /// </summary>
    public async Task<int> RebuildAsync(long? organisationId, IProgress<string>? progress, CancellationToken ct, int maxMessages = DefaultMaxMessages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        // One connection for the whole rebuild, with its commits' checkpoints left to the background (see CheckpointInBackground).
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            CheckpointInBackground(true);
            return await RebuildOpenAsync(organisationId, progress, maxMessages, ct);
        }
        finally
        {
            CheckpointInBackground(false);
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<int> RebuildOpenAsync(long? organisationId, IProgress<string>? progress, int maxMessages, CancellationToken ct)
    {
        var orgs = await db.Organisations.AsNoTracking().Where(o => organisationId == null || o.Id == organisationId)
            .Select(o => new { o.Id }).ToListAsync(ct);
        var days = 0;
        foreach (var org in orgs)
        {
            var basis = await BasisAsync(org.Id, ct);
            var zone = basis.Calendar.Zone;
            await using (var tx = await db.BeginWriteTransactionAsync(ct))
            {
                await db.AggregateDirtyHours.Where(d => d.OrganisationId == org.Id).ExecuteDeleteAsync(ct);
                await db.HourlyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).ExecuteDeleteAsync(ct);
                await db.DailyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).ExecuteDeleteAsync(ct);
                await db.DailyTopicCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).ExecuteDeleteAsync(ct);
                await db.WeeklyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).ExecuteDeleteAsync(ct);
                await db.WeeklyTopicCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).ExecuteDeleteAsync(ct);
                await db.DailyOrganisationTopicCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).ExecuteDeleteAsync(ct);
                await db.WeeklyOrganisationTopicCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).ExecuteDeleteAsync(ct);
                await db.MonthlyOrganisationTopicCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).ExecuteDeleteAsync(ct);
                await db.MonthlyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).ExecuteDeleteAsync(ct);
                await db.DailyResponseTimes.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).ExecuteDeleteAsync(ct);
                await db.HourlyOpenConversations.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id).ExecuteDeleteAsync(ct);
                await tx.CommitAsync(ct);
            }

            // Every day from the first message or conversation to the last (a conversation's messages may all be gone).
            var messages = db.Messages.IgnoreQueryFilters().Where(m => m.OrganisationId == org.Id).Select(m => (DateTime?)m.CreatedAt);
            var conversations = db.Conversations.IgnoreQueryFilters().Where(c => c.OrganisationId == org.Id).Select(c => (DateTime?)c.CreatedAt);
            var starts = new[] { await messages.MinAsync(ct), await conversations.MinAsync(ct) }.Where(t => t is not null).ToList();
            var ends = new[] { await messages.MaxAsync(ct), await conversations.MaxAsync(ct) }.Where(t => t is not null).ToList();
            if (starts.Count == 0)
            {
                continue;
            }

            var (first, last) = (starts.Min()!.Value, ends.Max()!.Value);

            var lastDay = AggregateTime.LocalDay(last, zone);
            var day = AggregateTime.LocalDay(first, zone);
            while (day <= lastDay)
            {
                await Gate.WaitAsync(ct);
                try
                {
                    // Read and written in one transaction (unlike a batch's three steps): a rebuild is rare. Days are added
                    // to the transaction until they hold maxMessages messages, the bound a batch has, so writers wait about
                    // as long as for a batch. One commit a day cost 11 % of a rebuild at 1 M messages (2,700 a day; the
                    // write-ahead log's fsync, dotnet-trace, bench/README.md session 14); at 10 M a day is one transaction.
                    await using var tx = await db.BeginWriteTransactionAsync(ct);
                    await LockAsync(ct);
                    var inTransaction = 0;
                    do
                    {
                        var (from, to) = AggregateTime.DayRange(day, zone);
                        var replacement = new Replacement();
                        inTransaction += await ComputeAsync(org.Id, Enumerable.Range(0, (int)(to - from).TotalHours).Select(h => from.AddHours(h)), replacement, ct,
                            new RebuildDay(day, day == lastDay, basis));
                        await replacement.ApplyAsync(db, ct);
                        days++;
                        if (days % 30 == 0)
                        {
                            progress?.Report($"organisation {org.Id}: up to {day:yyyy-MM-dd}");
                        }

                        day = day.AddDays(1);
                    }
                    while (day <= lastDay && inTransaction < maxMessages);

                    await tx.CommitAsync(ct);
                }
                finally
                {
                    db.ChangeTracker.Clear();
                    Gate.Release();
                }

                RequestCheckpoint();
            }
        }

        return days;
    }

    /// <summary>
    /// SQLite: while on, this connection's commits do not copy the write-ahead log into the database file themselves
    /// (by default the commit that takes the log past 1,000 pages does, with its fsync); <see cref="RequestCheckpoint"/>
    /// hands that to <see cref="SqliteCheckpointer"/>'s own connection, as the ingest writer does. A day of a rebuild
    /// writes thousands of rows, so most commits ran a checkpoint, inside the write transaction and the audit gate, where
    /// ingest waits (commits were 13.5 % of a rebuild's time at 1 M messages, 11 % without the checkpoints: the rest is
    /// the log's fsync; dotnet-trace, bench/README.md, session 14). Put back before the connection returns to the pool.
    /// </summary>
    private void CheckpointInBackground(bool on)
    {
        if (db.Provider == DatabaseProvider.Sqlite && db.Database.GetDbConnection() is SqliteConnection { State: System.Data.ConnectionState.Open } sqlite)
        {
            SqliteCheckpointer.SetAutomatic(sqlite, on: !on);
        }
    }

    private void RequestCheckpoint()
    {
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            checkpointer.Request();
        }
    }

    private async Task LockAsync(CancellationToken ct)
    {
        if (db.Provider == DatabaseProvider.Postgres)
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", ct);
        }
    }

    // A batch's three steps span two transactions, so it takes the same key as a session lock on its open connection.
    // Should the unlock fail, Npgsql's reset of a pooled connection (DISCARD ALL) releases it.
    private async Task LockSessionAsync(CancellationToken ct)
    {
        if (db.Provider == DatabaseProvider.Postgres)
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        }
    }

    private async Task UnlockSessionAsync()
    {
        if (db.Provider == DatabaseProvider.Postgres)
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    /// <summary>The calendar and service targets the response-time rows of an organisation are measured against.</summary>
    public async Task<ResponseBasis> BasisAsync(long organisationId, CancellationToken ct)
    {
        var organisation = await db.Organisations.AsNoTracking().SingleAsync(o => o.Id == organisationId, ct);
        var policies = await db.SlaPolicies.IgnoreQueryFilters().AsNoTracking().Where(p => p.OrganisationId == organisationId).OrderBy(p => p.Id).ToListAsync(ct);
        BusinessCalendar calendar;
        try
        {
            calendar = calendars.For(organisation);
        }
        catch (TimeZoneNotFoundException)
        {
            // As AggregateTime.Zone does: a zone this machine does not know must not stop the counts; UTC stands in.
            calendar = calendars.For("UTC", organisation.WorkingHours, organisation.HolidayCalendar);
        }

        return new ResponseBasis(calendar, policies, ResponseBasis.Fingerprint(organisation, policies));
    }

    /// <summary>
    /// Recomputes the response-time rows whose basis (working hours, time zone, holidays or service targets) is no
    /// longer the organisation's, up to <paramref name="maxDays"/> days a call (one transaction each, so writers wait
    /// for one day at most); returns how many days it recomputed. The worker calls it after each drain.
    /// </summary>
    public async Task<int> RefreshStaleResponseTimesAsync(CancellationToken ct, int maxDays = 31)
    {
        var done = 0;
        foreach (var org in await db.Organisations.AsNoTracking().Select(o => o.Id).ToListAsync(ct))
        {
            var basis = await BasisAsync(org, ct);
            var stale = await db.DailyResponseTimes.IgnoreQueryFilters().AsNoTracking()
                .Where(r => r.OrganisationId == org && r.Basis != basis.Key).Select(r => r.Day).Distinct().OrderByDescending(d => d).Take(maxDays - done).ToListAsync(ct);
            foreach (var day in stale)
            {
                await Gate.WaitAsync(ct);
                try
                {
                    await using var tx = await db.BeginWriteTransactionAsync(ct);
                    await LockAsync(ct);
                    await RecomputeConversationsAsync(org, day, basis, ct);
                    await tx.CommitAsync(ct);
                }
                finally
                {
                    db.ChangeTracker.Clear();
                    Gate.Release();
                }

                done++;
            }

            if (done >= maxDays)
            {
                break;
            }
        }

        return done;
    }

    /// <summary>
    /// Computes, without writing, the rows that replace the aggregates of the given dirty hours of one organisation:
    /// the hourly rows of each local day's dirty hours (from the first to the last; the clean hours between are
    /// recomputed to what they already were), the day's daily rows (from those and the day's other hourly rows), topic,
    /// response-time and open-conversation rows, and each touched week's rows (from its other days' stored rows and the
    /// recomputed days). Only the maintainer writes these tables, under <see cref="Gate"/> (and the advisory lock), so
    /// the stored rows read here are the ones <see cref="Replacement.ApplyAsync"/> will replace or keep.
    /// </summary>
    private async Task<int> ComputeAsync(long org, IEnumerable<DateTime> hours, Replacement replacement, CancellationToken ct, RebuildDay? rebuild = null)
    {
        var messages = 0;
        var basis = rebuild?.Basis ?? await BasisAsync(org, ct);
        var zone = basis.Calendar.Zone;
        var days = new Dictionary<DateOnly, (List<DailyMessageCount> Daily, List<DailyTopicCount> Topics)>();
        foreach (var day in hours.Distinct().GroupBy(h => AggregateTime.LocalDay(h, zone)).OrderBy(g => g.Key))
        {
            var (first, end) = (day.Min(), day.Max().AddHours(1));
            var (from, to) = AggregateTime.DayRange(day.Key, zone);
            // One read of the day's messages serves the dirty hours and the day's topics: reading them twice (the hours,
            // then the topic candidates of the day) walked the same rows twice, a random table page each on a synthetic
            // seed (its rows are not stored in time order), 40 % of a rebuild's reading (bench/README.md, session 14).
            // Counted as they stream (AggregateFacts.HourTally): the day's messages are never held at once.
            var (hourTally, topicTally) = (new AggregateFacts.HourTally(), new AggregateFacts.TopicTally());
            await foreach (var f in MessageFacts(db, org, from, to).AsAsyncEnumerable().WithCancellation(ct))
            {
                messages++;
                if (f.CreatedAt >= first && f.CreatedAt < end)
                {
                    hourTally.Add(f);
                }

                if (f.Direction == MessageDirection.Inbound)
                {
                    topicTally.Add(f);
                }
            }

            var hourly = hourTally.Rows(org).ToList();
            var otherHours = await db.HourlyMessageCounts.IgnoreQueryFilters().AsNoTracking()
                .Where(r => r.OrganisationId == org && r.HourStart >= from && r.HourStart < to && (r.HourStart < first || r.HourStart >= end)).ToListAsync(ct);
            var daily = AggregateFacts.Daily(org, day.Key, otherHours.Concat(hourly)).ToList();
            var topics = topicTally.Rows(org, day.Key).ToList();
            var organisationTopics = OrganisationTopics.Sum(topics, t => (t.TopicKind, t.Topic, t.Sentiment, t.Count),
                (kind, topic) => new DailyOrganisationTopicCount { OrganisationId = org, Day = day.Key, TopicKind = kind, Topic = topic });
            var conversations = await ConversationFacts(db, org, from, to).ToListAsync(ct);
            replacement.Hours.Add((org, first, end, hourly));
            replacement.Days.Add(new DayRows(org, day.Key, from, to, daily, topics, organisationTopics,
                ConversationAggregates.Daily(org, day.Key, conversations, basis).ToList(), ConversationAggregates.OpenByHour(org, conversations).ToList()));
            days[day.Key] = (daily, topics);
        }

        // A rebuild goes forward a day at a time over an emptied organisation: a week's rows are computed once, with its
        // last day (or the rebuild's), from the days before it already written, not again with each of its seven days
        // (that rewrote every weekly row seven times, more rows than the days' own).
        foreach (var week in days.Keys.Select(AggregateTime.WeekStart).Distinct().Where(w => rebuild is null || rebuild.Last || w.AddDays(6) == rebuild.Day))
        {
            var last = week.AddDays(6);
            var recomputed = days.Keys.Where(d => AggregateTime.WeekStart(d) == week).ToList();
            var otherDays = await db.DailyMessageCounts.IgnoreQueryFilters().AsNoTracking()
                .Where(r => r.OrganisationId == org && r.Day >= week && r.Day <= last && !recomputed.Contains(r.Day)).ToListAsync(ct);
            var weekly = AggregateFacts.Weekly(org, week, otherDays.Concat(recomputed.SelectMany(d => days[d].Daily))).ToList();
            var otherTopics = await db.DailyTopicCounts.IgnoreQueryFilters().AsNoTracking()
                .Where(r => r.OrganisationId == org && r.Day >= week && r.Day <= last && !recomputed.Contains(r.Day)).ToListAsync(ct);
            var weeklyTopics = otherTopics.Concat(recomputed.SelectMany(d => days[d].Topics))
                .GroupBy(r => (r.TopicKind, r.Topic, r.TeamId, r.Sentiment))
                .Select(g => new WeeklyTopicCount
                {
                    OrganisationId = org, WeekStart = week, TopicKind = g.Key.TopicKind, Topic = g.Key.Topic, TeamId = g.Key.TeamId, Sentiment = g.Key.Sentiment,
                    Count = g.Sum(r => r.Count),
                }).ToList();
            var organisationWeek = OrganisationTopics.Sum(weeklyTopics, t => (t.TopicKind, t.Topic, t.Sentiment, t.Count),
                (kind, topic) => new WeeklyOrganisationTopicCount { OrganisationId = org, WeekStart = week, TopicKind = kind, Topic = topic });
            replacement.Weeks.Add((org, week, weekly, weeklyTopics, organisationWeek));
        }

        // Likewise a rebuild's months: summed once, with the month's last day (or the rebuild's), from the daily rows
        // written before it, instead of taking the difference with every day (MonthlyOrganisationTopics).
        if (rebuild is not null)
        {
            replacement.Rebuild = true;
            if (rebuild.Last || rebuild.Day == MonthlyOrganisationTopics.MonthEnd(rebuild.Day))
            {
                replacement.Months.Add((org, MonthlyOrganisationTopics.MonthStart(rebuild.Day)));
            }
        }

        return messages;
    }

    /// <summary>The day a rebuild is on, whether it is the rebuild's last, and the organisation's basis (read once per rebuild).</summary>
    private sealed record RebuildDay(DateOnly Day, bool Last, ResponseBasis Basis);

    /// <summary>One local day's replacement rows.</summary>
    private sealed record DayRows(long Org, DateOnly Day, DateTime From, DateTime To, List<DailyMessageCount> Daily, List<DailyTopicCount> Topics,
        List<DailyOrganisationTopicCount> OrganisationTopics, List<DailyResponseTime> ResponseTimes, List<HourlyOpenConversation> Open);

    /// <summary>
    /// Rows computed by <see cref="ComputeAsync"/>, written by <see cref="ApplyAsync"/>: each range's old rows deleted, the
    /// new ones inserted set-based (<see cref="AggregateRows"/>), in the caller's write transaction.
    /// </summary>
    private sealed class Replacement
    {
        public List<(long Org, DateTime From, DateTime To, List<HourlyMessageCount> Rows)> Hours { get; } = [];
        public List<DayRows> Days { get; } = [];
        public List<(long Org, DateOnly Week, List<WeeklyMessageCount> Rows, List<WeeklyTopicCount> Topics, List<WeeklyOrganisationTopicCount> OrganisationTopics)> Weeks { get; } = [];

        /// <summary>A rebuild's: the monthly topic rows are recounted (<see cref="Months"/>), not kept by difference.</summary>
        public bool Rebuild { get; set; }

        /// <summary>Months whose organisation topic rows are recounted from the daily rows once the days are written.</summary>
        public List<(long Org, DateOnly Month)> Months { get; } = [];

        public async Task ApplyAsync(CivicDeskDb db, CancellationToken ct)
        {
            foreach (var (org, from, to, rows) in Hours)
            {
                await db.HourlyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org && r.HourStart >= from && r.HourStart < to).ExecuteDeleteAsync(ct);
                await AggregateRows.InsertAsync(db, AggregateRows.Hourly, rows, ct);
            }

            // Before the days' topic rows are replaced: the monthly organisation rows take the difference between them.
            if (!Rebuild)
            {
                await MonthlyOrganisationTopics.ApplyAsync(db, Days.Select(d => (d.Org, d.Day, d.Topics)).ToList(), ct);
            }

            foreach (var d in Days)
            {
                await db.DailyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == d.Org && r.Day == d.Day).ExecuteDeleteAsync(ct);
                await db.DailyTopicCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == d.Org && r.Day == d.Day).ExecuteDeleteAsync(ct);
                await db.DailyOrganisationTopicCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == d.Org && r.Day == d.Day).ExecuteDeleteAsync(ct);
                await db.DailyResponseTimes.IgnoreQueryFilters().Where(r => r.OrganisationId == d.Org && r.Day == d.Day).ExecuteDeleteAsync(ct);
                await db.HourlyOpenConversations.IgnoreQueryFilters().Where(r => r.OrganisationId == d.Org && r.HourStart >= d.From && r.HourStart < d.To).ExecuteDeleteAsync(ct);
                await AggregateRows.InsertAsync(db, AggregateRows.Daily, d.Daily, ct);
                await AggregateRows.InsertAsync(db, AggregateRows.DailyTopics, d.Topics, ct);
                await AggregateRows.InsertAsync(db, AggregateRows.DailyOrganisationTopics, d.OrganisationTopics, ct);
                await AggregateRows.InsertAsync(db, AggregateRows.ResponseTimes, d.ResponseTimes, ct);
                await AggregateRows.InsertAsync(db, AggregateRows.OpenConversations, d.Open, ct);
            }

            foreach (var (org, week, rows, topics, organisationTopics) in Weeks)
            {
                await db.WeeklyMessageCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org && r.WeekStart == week).ExecuteDeleteAsync(ct);
                await db.WeeklyTopicCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org && r.WeekStart == week).ExecuteDeleteAsync(ct);
                await db.WeeklyOrganisationTopicCounts.IgnoreQueryFilters().Where(r => r.OrganisationId == org && r.WeekStart == week).ExecuteDeleteAsync(ct);
                await AggregateRows.InsertAsync(db, AggregateRows.Weekly, rows, ct);
                await AggregateRows.InsertAsync(db, AggregateRows.WeeklyTopics, topics, ct);
                await AggregateRows.InsertAsync(db, AggregateRows.WeeklyOrganisationTopics, organisationTopics, ct);
            }

            foreach (var (org, month) in Months)
            {
                await MonthlyOrganisationTopics.RecountAsync(db, org, month, ct);
            }

            // The monthly message counts are recounted from the days just written: a rebuild's months once, with their
            // last day; a batch's each month it touched (MonthlyMessageCounts says why a recount, not a difference).
            foreach (var (org, month) in Rebuild ? Months : Days.Select(d => (d.Org, MonthlyOrganisationTopics.MonthStart(d.Day))).Distinct())
            {
                await MonthlyMessageCounts.RecountAsync(db, org, month, ct);
            }

            // Rows added through the context instead (none of the tables above) are written here, in the same transaction.
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Replaces the DailyResponseTimes row of a local day and the HourlyOpenConversations rows of its hours.</summary>
    private async Task RecomputeConversationsAsync(long org, DateOnly day, ResponseBasis basis, CancellationToken ct)
    {
        var (from, to) = AggregateTime.DayRange(day, basis.Calendar.Zone);
        await db.DailyResponseTimes.IgnoreQueryFilters().Where(r => r.OrganisationId == org && r.Day == day).ExecuteDeleteAsync(ct);
        await db.HourlyOpenConversations.IgnoreQueryFilters().Where(r => r.OrganisationId == org && r.HourStart >= from && r.HourStart < to).ExecuteDeleteAsync(ct);
        var facts = await ConversationFacts(db, org, from, to).ToListAsync(ct);
        db.DailyResponseTimes.AddRange(ConversationAggregates.Daily(org, day, facts, basis));
        db.HourlyOpenConversations.AddRange(ConversationAggregates.OpenByHour(org, facts));
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    /// <summary>
    /// The dimensions of every live (not deleted) message created in [from, to), with its conversation's team, and the
    /// text of the inbound ones with a '#' in it (for hashtags; the rest is never read into .NET, and a message without
    /// '#' has no hashtag, so the day's topics come out as if every text had been read).
    /// </summary>
#pragma warning disable CA1847 // string overloads: the query is translated to SQL (instr/strpos), not run in .NET
    public static IQueryable<MessageFact> MessageFacts(CivicDeskDb db, long org, DateTime fromUtc, DateTime toUtc) =>
        from m in db.Messages.IgnoreQueryFilters()
        join c in db.Conversations.IgnoreQueryFilters() on m.ConversationId equals c.Id
        where m.OrganisationId == org && m.DeletedAt == null && m.CreatedAt >= fromUtc && m.CreatedAt < toUtc
        select new MessageFact
        {
            CreatedAt = m.CreatedAt, ChannelId = m.ChannelId, TeamId = c.AssignedTeamId, Direction = m.Direction, MatchedSearch = m.MatchedSearch,
            Kind = m.Kind, Category = m.Category, Sentiment = m.Sentiment, StaffId = m.SentByStaffId, Place = m.Place,
            Text = m.Direction == MessageDirection.Inbound && (m.Text.Contains("#") || m.Text.Contains("＃")) ? m.Text : null,
        };
#pragma warning restore CA1847

    /// <summary>
    /// What the conversations opened in [from, to) contribute. "Status IN (every status)" changes no result; it lets
    /// the read take one range per status of the index (OrganisationId, Status, CreatedAt, Id). Conversations have no
    /// index that starts (OrganisationId, CreatedAt), so without it SQLite walked every conversation of the
    /// organisation, with a table look-up each, for every day recomputed: 0.9 s of CPU a day at 1 M messages, about
    /// 90 % of a full rebuild (dotnet-trace and EXPLAIN QUERY PLAN, bench/README.md session 14); with it, 8 ms.
    /// </summary>
    public static IQueryable<ConversationFact> ConversationFacts(CivicDeskDb db, long org, DateTime fromUtc, DateTime toUtc) =>
        db.Conversations.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.OrganisationId == org && EF.Constant(EveryStatus).Contains(c.Status) && c.CreatedAt >= fromUtc && c.CreatedAt < toUtc)
            .Select(c => new ConversationFact(c.CreatedAt, c.AssignedTeamId, c.Category, c.Priority, c.Status, c.FirstResponseAt, c.ResolvedAt));

    /// <summary>A row of the dirty-hour log.</summary>
    public sealed class DirtyMark
    {
        public long Id { get; set; }
        public long OrganisationId { get; set; }
        public DateTime HourStart { get; set; }
    }
}

/// <summary>A message's dimensions (member-initialised so EF can compose filters after the projection).</summary>
public sealed record MessageFact
{
    public DateTime CreatedAt { get; init; }
    public long ChannelId { get; init; }
    public long? TeamId { get; init; }
    public MessageDirection Direction { get; init; }
    public string? MatchedSearch { get; init; }
    public string? Kind { get; init; }
    public string? Category { get; init; }
    public string? Sentiment { get; init; }
    public string? StaffId { get; init; }
    public string? Place { get; init; }
    /// <summary>Only read for topics (hashtags): null unless the message is inbound with a '#' in its text.</summary>
    public string? Text { get; init; }
}

/// <summary>The grouping rules, shared by the maintainer and (independently re-stated) checked by the property test.</summary>
public static class AggregateFacts
{
    /// <summary>
    /// Messages counted per UTC hour and dimension as they are read. Counted, not grouped: LINQ's GroupBy keeps every
    /// element until the groups are read, so a busy day's batch held all its messages (the ingest benchmark's million
    /// in one day: ~110 MB of the server's peak working set, bench/README.md session 19).
    /// </summary>
    public sealed class HourTally
    {
        private readonly Dictionary<(DateTime Hour, (long, long, MessageDirection, bool, string, string, string, string) Key), int> _counts = [];

        public void Add(MessageFact f)
        {
            ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts, (AggregateTime.HourStart(f.CreatedAt), Key(f)), out _);
            count++;
        }

        public IEnumerable<HourlyMessageCount> Rows(long org) =>
            _counts.Select(c => Fill(new HourlyMessageCount { OrganisationId = org, HourStart = c.Key.Hour }, c.Key.Key, c.Value));
    }

    public static IEnumerable<DailyMessageCount> Daily(long org, DateOnly day, IEnumerable<HourlyMessageCount> hourly) =>
        hourly.GroupBy(h => (h.ChannelId, h.TeamId, h.Direction, h.Listening, h.Kind, h.Category, h.Sentiment, h.StaffId))
            .Select(g => Fill(new DailyMessageCount { OrganisationId = org, Day = day }, g.Key, g.Sum(h => h.Count)));

    public static IEnumerable<WeeklyMessageCount> Weekly(long org, DateOnly week, IEnumerable<DailyMessageCount> daily) =>
        daily.GroupBy(h => (h.ChannelId, h.TeamId, h.Direction, h.Listening, h.Kind, h.Category, h.Sentiment, h.StaffId))
            .Select(g => Fill(new WeeklyMessageCount { OrganisationId = org, WeekStart = week }, g.Key, g.Sum(h => h.Count)));

    /// <summary>Inbound messages counted per topic (place, listening search, hashtag), team and sentiment as they are read (see <see cref="HourTally"/>).</summary>
    public sealed class TopicTally
    {
        private readonly Dictionary<(TopicKind Kind, string Topic, long TeamId, string Sentiment), int> _counts = [];

        public void Add(MessageFact f)
        {
            if (f.Place is { Length: > 0 } place)
            {
                Count((TopicKind.Place, place, f.TeamId ?? 0, f.Sentiment ?? ""));
            }

            if (f.MatchedSearch is { Length: > 0 } search)
            {
                Count((TopicKind.ListeningSearch, search, f.TeamId ?? 0, f.Sentiment ?? ""));
            }

            foreach (var tag in Hashtags.Extract(f.Text))
            {
                Count((TopicKind.Hashtag, tag, f.TeamId ?? 0, f.Sentiment ?? ""));
            }
        }

        private void Count((TopicKind, string, long, string) key) => CollectionsMarshal.GetValueRefOrAddDefault(_counts, key, out _)++;

        public IEnumerable<DailyTopicCount> Rows(long org, DateOnly day) => _counts.Select(c => new DailyTopicCount
        {
            OrganisationId = org, Day = day, TopicKind = c.Key.Kind, Topic = c.Key.Topic, TeamId = c.Key.TeamId, Sentiment = c.Key.Sentiment, Count = c.Value,
        });
    }

    public static (long ChannelId, long TeamId, MessageDirection Direction, bool Listening, string Kind, string Category, string Sentiment, string StaffId) Key(MessageFact f) =>
        (f.ChannelId, f.TeamId ?? 0, f.Direction, f.MatchedSearch != null, f.Kind ?? "", f.Category ?? "", f.Sentiment ?? "",
            f.Direction == MessageDirection.Outbound ? f.StaffId ?? "" : "");

    private static T Fill<T>(T row, (long ChannelId, long TeamId, MessageDirection Direction, bool Listening, string Kind, string Category, string Sentiment, string StaffId) k, int count)
        where T : MessageCountRow
    {
        row.ChannelId = k.ChannelId;
        row.TeamId = k.TeamId;
        row.Direction = k.Direction;
        row.Listening = k.Listening;
        row.Kind = k.Kind;
        row.Category = k.Category;
        row.Sentiment = k.Sentiment;
        row.StaffId = k.StaffId;
        row.Count = count;
        return row;
    }
}

/// <summary>What a conversation contributes to the response-time and backlog aggregates.</summary>
public sealed record ConversationFact(DateTime CreatedAt, long? TeamId, string? Category, Priority Priority, ConversationStatus Status, DateTime? FirstResponseAt, DateTime? ResolvedAt)
{
    public bool IsOpen => Status is ConversationStatus.New or ConversationStatus.Open or ConversationStatus.WaitingOnCitizen;
}

/// <summary>
/// The calendar and targets response times are measured against, and a short key naming them (a hash of the time zone,
/// working week, holiday calendar and every policy): rows computed under another key are out of date.
/// </summary>
public sealed record ResponseBasis(BusinessCalendar Calendar, IReadOnlyList<SlaPolicy> Policies, string Key)
{
    public static string Fingerprint(Organisation organisation, IEnumerable<SlaPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(organisation);
        var text = new StringBuilder().Append(organisation.TimeZoneId).Append('\n').Append(organisation.WorkingHours).Append('\n').Append(organisation.HolidayCalendar).Append('\n');
        foreach (var p in policies.OrderBy(p => p.Id))
        {
            text.Append(CultureInfo.InvariantCulture, $"{p.Id}|{p.TeamId}|{p.ServiceCode}|{p.Priority}|{p.FirstResponseHours:R}|{p.ResolutionHours:R}\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}

/// <summary>The grouping rules for conversations, shared by the maintainer and the property test's brute force.</summary>
public static class ConversationAggregates
{
    public static IEnumerable<DailyResponseTime> Daily(long org, DateOnly day, IEnumerable<ConversationFact> facts, ResponseBasis basis)
    {
        ArgumentNullException.ThrowIfNull(basis);
        foreach (var team in facts.GroupBy(f => f.TeamId ?? 0).OrderBy(g => g.Key))
        {
            var row = new DailyResponseTime { OrganisationId = org, Day = day, TeamId = team.Key, Basis = basis.Key };
            var first = new DurationSketch();
            var resolution = new DurationSketch();
            foreach (var c in team)
            {
                row.Opened++;
                var policy = SlaPolicy.Choose(basis.Policies, c.TeamId, c.Category, c.Priority);
                if (c.FirstResponseAt is { } answeredAt)
                {
                    // A reply stamped before the conversation (clocks of two networks) counts as immediate.
                    var hours = Math.Max(0, basis.Calendar.BusinessTimeBetween(c.CreatedAt, answeredAt).TotalHours);
                    first.Add(hours);
                    row.Answered++;
                    if (policy is not null)
                    {
                        row.AnsweredWithTarget++;
                        row.AnsweredWithinTarget += hours <= policy.FirstResponseHours ? 1 : 0;
                    }
                }

                if (c.ResolvedAt is { } resolvedAt)
                {
                    var hours = Math.Max(0, basis.Calendar.BusinessTimeBetween(c.CreatedAt, resolvedAt).TotalHours);
                    resolution.Add(hours);
                    row.Resolved++;
                    if (policy is not null)
                    {
                        row.ResolvedWithTarget++;
                        row.ResolvedWithinTarget += hours <= policy.ResolutionHours ? 1 : 0;
                    }
                }
            }

            row.FirstResponseHours = first.ToBytes();
            row.ResolutionHours = resolution.ToBytes();
            yield return row;
        }
    }

    public static IEnumerable<HourlyOpenConversation> OpenByHour(long org, IEnumerable<ConversationFact> facts) =>
        facts.Where(f => f.IsOpen).GroupBy(f => (Hour: AggregateTime.HourStart(AggregateTime.Utc(f.CreatedAt)), Team: f.TeamId ?? 0))
            .Select(g => new HourlyOpenConversation { OrganisationId = org, HourStart = g.Key.Hour, TeamId = g.Key.Team, Count = g.Count() });
}

/// <summary>Buckets: UTC hours, and local days of the organisation's time zone built from whole UTC hours.</summary>
public static class AggregateTime
{
    public static DateTime Utc(DateTime t) => t.Kind == DateTimeKind.Utc ? t : DateTime.SpecifyKind(t, DateTimeKind.Utc);

    public static DateTime HourStart(DateTime utc) => new(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc);

    public static TimeZoneInfo Zone(string? id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id ?? "Europe/London");
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    /// <summary>The Monday of the week a local day is in.</summary>
    public static DateOnly WeekStart(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>The local day an hour belongs to: the local date at the hour's start.</summary>
    public static DateOnly LocalDay(DateTime utc, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(HourStart(Utc(utc)), zone));

    /// <summary>[from, to) in UTC of the hours whose start falls on the local day (23, 24 or 25 of them).</summary>
    public static (DateTime From, DateTime To) DayRange(DateOnly day, TimeZoneInfo zone) => (StartOf(day, zone), StartOf(day.AddDays(1), zone));

    private static DateTime StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30); // a zone whose clocks skip midnight: the day starts at the first real instant
        }

        // Round up to a whole UTC hour so every hour belongs to exactly one day (exact for whole-hour offsets such as the UK's).
        var utc = TimeZoneInfo.ConvertTimeToUtc(local, zone);
        return utc.Minute == 0 && utc.Second == 0 ? utc : HourStart(utc).AddHours(1);
    }
}

internal static partial class AggregateLog
{
    [LoggerMessage(EventId = 11001, Level = LogLevel.Debug, Message = "Recomputed aggregates for {DirtyMarks} dirty hour marks")]
    public static partial void Recomputed(ILogger logger, int dirtyMarks);

    [LoggerMessage(EventId = 11002, Level = LogLevel.Error, Message = "Aggregate maintenance failed; the dirty hours stay queued")]
    public static partial void Failed(ILogger logger, Exception exception);
}
