using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bogus;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Demo;

/// <summary>What <c>civicdesk seed --synthetic N</c> makes.</summary>
/// <param name="Messages">Inbound messages in all.</param>
/// <param name="Organisations">Councils to spread them over (each with teams, channels and case services).</param>
/// <param name="CasesPerMessage">Cases opened per message (0.1: one million cases for ten million messages).</param>
/// <param name="Seed">Random seed: the same seed gives the same texts, labels and times.</param>
public sealed record SyntheticOptions(long Messages, int Organisations = 1, double CasesPerMessage = 0.1, int Seed = 20261202);

public sealed record SyntheticResult(int Organisations, long Conversations, long Messages, long Cases, TimeSpan Elapsed);

/// <summary>
/// Bulk synthetic data for benchmarks: realistic councils (teams, channels, case services, via EF), then
/// conversations, messages and cases generated with Bogus (en_GB streets, towns and names) from complaint, request,
/// question and compliment templates, labelled as triage would label them, over the last year. Places and hashtags
/// come from bounded per-organisation lists with a skewed popularity (<see cref="SyntheticTopics"/>), as a real
/// council's do: at most one street a conversation, and many reports name none (the session-11 generator made one up
/// per conversation: 262,038 distinct places a year at 1 M messages, so topic aggregates tracked messages, which no
/// gazetteer would give). Written straight to the tables, not through the ingest pipeline: PostgreSQL binary
/// <c>COPY</c>, SQLite one prepared INSERT per table bound by position, in one transaction with the secondary indexes and triggers deferred to its end (<see cref="DeferredMaintenance"/>; the app should not be serving the database meanwhile). Columns come from the EF model, so the rows stay in step with migrations.
/// No audit events are written (the audit chain stays empty and valid) and no staff accounts are made.
/// </summary>
public sealed class SyntheticSeeder(IServiceScopeFactory scopes, DbConnectionFactory connections, TimeProvider clock)
{
    private const int MessagesPerBatch = 50_000;

    private static readonly (string Team, string Slug)[] Teams =
    [
        ("Customer Services", "customer-services"), ("Highways", "highways"), ("Waste and Recycling", "waste"),
        ("Parks and Open Spaces", "parks"), ("Environmental Health", "environmental-health"), ("Street Lighting", "street-lighting"),
    ];

    private static readonly (ChannelKind Kind, string Name, double Share)[] Channels =
    [
        (ChannelKind.Twitter, "X (Twitter) @council", 0.35), (ChannelKind.Facebook, "Facebook page", 0.25), (ChannelKind.WebForm, "Report it form", 0.2),
        (ChannelKind.Email, "Contact email", 0.1), (ChannelKind.Bluesky, "Bluesky", 0.05), (ChannelKind.Api, "CRM integration", 0.05),
    ];

    /// <summary>Category → (team index, case service name, problem phrases).</summary>
    private static readonly (string Category, int Team, string Service, string[] Problems)[] Categories =
    [
        ("highways_road_surface", 1, "Potholes", ["a huge pothole", "a deep pothole", "the road surface breaking up", "a sunken drain cover"]),
        ("pavements_footways", 1, "Pavements", ["a cracked paving slab", "the pavement lifting", "a trip hazard on the footpath"]),
        ("flytipping", 4, "Fly-tipping", ["a dumped mattress", "bags of rubbish fly-tipped", "an old sofa dumped", "builders' rubble dumped"]),
        ("street_lighting", 5, "Street lights", ["a street light out", "a street light flickering all night", "the lamp post leaning"]),
        ("bins_refuse_recycling", 2, "Missed bins", ["our recycling not collected", "the green bin missed again", "the black bin not emptied"]),
        ("trees_vegetation", 3, "Trees and hedges", ["overgrown hedges blocking the path", "a fallen branch", "a tree blocking the light"]),
        ("drainage_flooding", 1, "Drains and flooding", ["a blocked drain", "flooding across the road", "water pouring from a drain"]),
        ("graffiti_flyposting", 4, "Graffiti", ["offensive graffiti", "graffiti all over the bus shelter", "fly-posters on the railings"]),
        ("abandoned_vehicles", 4, "Abandoned vehicles", ["an abandoned car", "a van with no tax left for weeks"]),
        ("parks_open_spaces", 3, "Parks", ["broken swings in the playground", "litter all over the park", "the park gates left open"]),
        ("street_cleaning_litter", 2, "Street cleaning", ["litter everywhere", "broken glass on the pavement", "dog mess all along the path"]),
        ("parking", 4, "Parking", ["cars parked on the pavement", "someone blocking the dropped kerb"]),
    ];

    private static readonly string[] Openers = ["There's", "There is", "Can someone look at", "Reporting", "Please sort out", "Again:", "Still"];
    private static readonly string[] Complaints =
    [
        "Reported it three weeks ago and nothing has been done.", "This is the third time I've reported it.", "Absolutely disgraceful.",
        "Why do we pay council tax?", "Someone is going to get hurt.", "Fed up with waiting.", "",
    ];
    private static readonly string[] Requests = ["Please can you send someone?", "Could this be fixed soon please?", "Thanks in advance.", ""];
    private static readonly string[] Questions =
    [
        "When will the bins be collected over the bank holiday?", "Is the tip open on Sunday?", "How do I apply for a parking permit?",
        "Who do I contact about a noisy neighbour?", "Are the libraries open this weekend?",
    ];
    private static readonly string[] Compliments =
    [
        "Thank you to the crew who fixed the street light so quickly!", "Well done to the parks team, the gardens look brilliant.",
        "Great job clearing the fly-tipping, much appreciated.",
    ];
    private static readonly string[] NoStreet = ["outside my house", "on our road", "near the school", "by the shops", "at the end of my street", "round the corner from us"];
    private static readonly string[] Urgent = ["Exposed wires hanging from the lamp post", "Smell of gas near the school", "Manhole cover missing in the road"];

    public async Task<SyntheticResult> SeedAsync(SyntheticOptions options, TextWriter? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Messages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Organisations);
        var watch = Stopwatch.StartNew();
        var now = Ingestion.MessageStore.ToMicroseconds(clock.GetUtcNow().UtcDateTime);
        Randomizer.Seed = new Random(options.Seed);
        var faker = new Faker("en_GB");
        var orgs = await CreateOrganisationsAsync(options, faker, now, ct);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var provider = connections.Provider;
        using var conversations = new EntityWriter<Conversation>(db.Model, provider);
        using var messages = new EntityWriter<Message>(db.Model, provider);
        using var cases = new EntityWriter<Case>(db.Model, provider);
        var stages = new SeedStages();
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;

        await using var connection = await connections.OpenAsync(ct);
        var rollbackJournal = false;
        if (provider == DatabaseProvider.Sqlite)
        {
            await SqliteCacheAsync(connection, SqliteSeedCacheKiB, ct);
            // Leaving WAL needs every other connection to the file closed, and this process's pool keeps the start's
            // schema connection and the organisations' context connection open while idle: without this the switch
            // waited out the 30-s busy timeout, then the whole seed ran in WAL mode (100,000 messages: 35 s, not 4 s).
            // (Going back to WAL at the end needs no such thing: in rollback mode idle connections hold no lock.)
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            rollbackJournal = await SqliteJournalAsync(connection, "TRUNCATE", ct);
            stages.Journal = rollbackJournal ? "a rollback journal" : "WAL (other connections had the database open)";
        }

        // One transaction for the whole seed: the secondary indexes and triggers dropped below come back before it
        // commits, so a seed that fails or is killed leaves the database as it was (see DeferredMaintenance).
        await using var tx = await connection.BeginTransactionAsync(ct);
        var stage = Stopwatch.StartNew();
        var firstConversation = await NextIdAsync(connection, tx, "Conversations", ct);
        var firstCase = await NextIdAsync(connection, tx, "Cases", ct);
        var nextConversation = firstConversation;
        var nextMessage = await NextIdAsync(connection, tx, "Messages", ct);
        var nextCase = firstCase;
        var deferred = await DeferredMaintenance.BeginAsync(connection, tx, provider, ct);
        using var dirtyMarks = deferred.MarksDirtyHours ? SqliteRowWriter.Prepare(connection, SqliteDirtyMark) : null;
        stages.Prepare = stage.Elapsed;
        long written = 0, conversationCount = 0, caseCount = 0;
        var random = new Random(options.Seed);
        while (written < options.Messages)
        {
            stage.Restart();
            var chunk = (int)Math.Min(MessagesPerBatch, options.Messages - written);
            var convRows = new List<Conversation>(chunk / 2);
            var messageRows = new List<Message>(chunk);
            var caseRows = new List<Case>(chunk / 8);
            while (messageRows.Count < chunk)
            {
                var org = orgs[random.Next(orgs.Count)];
                var thread = Math.Min(chunk - messageRows.Count, 1 + (int)Math.Floor(-Math.Log(1 - random.NextDouble()) * 1.7));
                var (conversation, posts, kase) = Thread(org, faker, random, now, nextConversation++, ref nextMessage, thread, options.CasesPerMessage * thread);
                convRows.Add(conversation);
                messageRows.AddRange(posts);
                if (kase is not null)
                {
                    kase.Id = nextCase++;
                    caseRows.Add(kase);
                }
            }

            stages.Generate += stage.Elapsed;
            stage.Restart();
            await conversations.WriteAsync(connection, tx, convRows, ct);
            stages.Conversations += stage.Elapsed;
            stage.Restart();
            await messages.WriteAsync(connection, tx, messageRows, ct);
            stages.Messages += stage.Elapsed;
            stage.Restart();
            await cases.WriteAsync(connection, tx, caseRows, ct);
            if (dirtyMarks is not null)
            {
                // What the dropped aggregate triggers would have logged: each hour a message was written or a
                // conversation opened in (AggregateTriggers), once. The generator never sets NeedsHumanTriage, so the
                // dropped needs-human triggers would have done nothing.
                var hours = new HashSet<(long, DateTime)>();
                foreach (var c in convRows)
                {
                    hours.Add((c.OrganisationId, HourOf(c.CreatedAt)));
                }

                foreach (var m in messageRows)
                {
                    hours.Add((m.OrganisationId, HourOf(m.CreatedAt)));
                }

                foreach (var (org, hour) in hours)
                {
                    dirtyMarks.Execute([org, hour]);
                }
            }

            stages.Cases += stage.Elapsed;
            written += messageRows.Count;
            conversationCount += convRows.Count;
            caseCount += caseRows.Count;
            if (progress is not null)
            {
                await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{written:N0} messages, {conversationCount:N0} conversations, {caseCount:N0} cases ({written / watch.Elapsed.TotalSeconds:N0} messages/s)"));
            }
        }

        stage.Restart();
        await deferred.EndAsync(connection, tx, firstConversation, firstCase, ct);
        stages.Indexes = stage.Elapsed;
        stage.Restart();
        if (provider == DatabaseProvider.Postgres)
        {
            // Explicit ids were written: move the identity sequences past them, and refresh the planner's statistics.
            foreach (var table in new[] { "Conversations", "Messages", "Cases" })
            {
                await using var command = connection.CreateCommand();
                command.Transaction = tx;
                command.CommandText = $"""SELECT setval(pg_get_serial_sequence('"{table}"', 'Id'), (SELECT COALESCE(MAX("Id"), 1) FROM "{table}")); ANALYZE "{table}";""";
                await command.ExecuteNonQueryAsync(ct);
            }
        }

        await tx.CommitAsync(ct);
        stages.Commit = stage.Elapsed;
        if (provider == DatabaseProvider.Sqlite)
        {
            stage.Restart();
            await using var command = connection.CreateCommand();
            // The statistics, read in full; where the seed ran in WAL mode, the WAL it grew (as large as what it wrote) cut
            // back. Not PRAGMA optimize: it samples (a limit of ~2,000 rows an index), and with one organisation owning
            // every row the sample read "672 rows per organisation" for 1,006,055 cases, so the planner chose plans
            // for a small organisation and the 10 M case searches took 2-3 times the CPU (bench/README.md, session 17).
            // A full ANALYZE is also what AnalyseNewIndexesAsync gives a table when a migration adds an index.
            command.CommandText = rollbackJournal ? "PRAGMA analysis_limit = 0; ANALYZE;" : "PRAGMA analysis_limit = 0; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);";
            await command.ExecuteNonQueryAsync(ct);
            if (rollbackJournal)
            {
                await SqliteJournalAsync(connection, "WAL", ct);
            }

            await SqliteCacheAsync(connection, SqliteDefaultCacheKiB, ct);
            stages.Commit += stage.Elapsed;
        }

        stages.Cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart;
        if (progress is not null)
        {
            await progress.WriteLineAsync(stages.ToString());
        }

        return new SyntheticResult(orgs.Count, conversationCount, written, caseCount, watch.Elapsed);
    }

    private const string SqliteDirtyMark = """
        INSERT INTO "AggregateDirtyHours" ("OrganisationId", "HourStart")
        SELECT ?1, strftime('%Y-%m-%d %H:00:00', ?2)
        WHERE NOT EXISTS (SELECT 1 FROM "AggregateDirtyHours" d WHERE d."OrganisationId" = ?1 AND d."HourStart" = strftime('%Y-%m-%d %H:00:00', ?2))
        """;

    private static DateTime HourOf(DateTime t) => new(t.Year, t.Month, t.Day, t.Hour, 0, 0, t.Kind);

    // SQLite's page cache while seeding (256 MiB, the default is 2 MiB): the batch's index pages and CREATE INDEX's
    // sort stay in memory longer before spilling to the WAL or a temporary file. Put back afterwards, as the connection
    // returns to the pool.
    private const int SqliteSeedCacheKiB = 262_144, SqliteDefaultCacheKiB = 2_000;

    private static async Task SqliteCacheAsync(DbConnection connection, int kib, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA cache_size = -{kib};");
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Switches the database's journal mode; false when it could not (another connection has it open in WAL mode, as
    /// in a test host: the seed then runs in WAL mode, which is fine for small seeds). Why not WAL for a large seed:
    /// the one transaction's pages spill to the WAL, and every later read of a page looks it up in the WAL's hash
    /// tables, newest first, one table per 4,096 frames; at 10 M messages (an 11 GB WAL) the index builds spent 75 % of
    /// their time in <c>walFindFrame</c> (perf). With a rollback journal the pages go to the database file, and a new
    /// page (nearly all of a bulk load) needs no journal entry. A seed killed mid-way leaves a hot journal that SQLite
    /// rolls back on the next open, and the next start-up puts WAL back (DataFeature.MigrateDatabaseAsync).
    /// </summary>
    private static async Task<bool> SqliteJournalAsync(DbConnection connection, string mode, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA journal_mode = {mode};";
        // Microsoft.Data.Sqlite retries a busy statement until the command timeout: connections that are really in use
        // elsewhere (a test host, a running web app) will not close within it, so answer soon and seed in WAL mode.
        command.CommandTimeout = 2;
        try
        {
            return string.Equals(Convert.ToString(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture), mode, StringComparison.OrdinalIgnoreCase);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode == 5)
        {
            return false; // SQLITE_BUSY: others have the database open
        }
    }

    /// <summary>
    /// The secondary indexes and triggers of the three bulk tables, dropped at the start of the seed's transaction and
    /// put back at its end. Profiled on SQLite (perf and strace, 200,000 messages, bench/README.md "Demo seeding"):
    /// with them in place 45 % of the time was in the kernel, writing a statement journal that every INSERT into a
    /// table with triggers opens (1.2 million <c>pwrite</c> calls to a /var/tmp file for 30,000 messages), and each
    /// batch's random inserts into the time-ordered indexes dirtied about one index page per row, so the WAL written
    /// per batch grew with the database (709 messages/s at 1 M). Building an index once from the finished table is
    /// a sort; the full-text index takes the new rows in one statement; the aggregate dirty log is written by the
    /// seeder per batch instead of per row. Unique indexes stay: their keys (external ids, references) grow with
    /// the ids, so they cost little and still reject a duplicate. Everything is restored from the catalogue's own SQL
    /// (sqlite_master, pg_indexes), not re-derived, so what comes back is exactly what was there. On PostgreSQL the
    /// triggers stay (statement-level for the aggregates: one insert per COPY); the GIN full-text indexes are among
    /// the dropped indexes. Both databases roll DDL back with the transaction. While the seed runs, the tables are
    /// locked against other writers, so the app should not be serving the same database.
    /// </summary>
    private sealed class DeferredMaintenance
    {
        private static readonly string[] Tables = ["Conversations", "Messages", "Cases"];
        private readonly DatabaseProvider _provider;
        private readonly List<string> _indexes = [];
        private readonly List<(string Name, string Sql)> _triggers = [];

        private DeferredMaintenance(DatabaseProvider provider) => _provider = provider;

        /// <summary>The aggregate triggers were dropped, so the seeder writes the dirty log itself.</summary>
        public bool MarksDirtyHours => _triggers.Any(t => t.Name.StartsWith("cd_agg_", StringComparison.Ordinal));

        public static async Task<DeferredMaintenance> BeginAsync(DbConnection connection, DbTransaction tx, DatabaseProvider provider, CancellationToken ct)
        {
            var result = new DeferredMaintenance(provider);
            var tables = string.Join(", ", Tables.Select(t => $"'{t}'"));
            var drops = new List<string>();
            if (provider == DatabaseProvider.Postgres)
            {
                await ExecuteAsync(connection, tx, "SET LOCAL maintenance_work_mem = '256MB'", ct);
                foreach (var (name, sql) in await ReadAsync(connection, tx,
                    $"SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ({tables}) AND indexdef NOT LIKE 'CREATE UNIQUE %'", ct))
                {
                    result._indexes.Add(sql);
                    drops.Add($"DROP INDEX \"{name}\"");
                }
            }
            else
            {
                foreach (var (name, sql) in await ReadAsync(connection, tx,
                    $"SELECT name, sql FROM sqlite_master WHERE tbl_name IN ({tables}) AND type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %' ORDER BY name", ct))
                {
                    result._indexes.Add(sql);
                    drops.Add($"DROP INDEX \"{name}\"");
                }

                foreach (var (name, sql) in await ReadAsync(connection, tx,
                    $"SELECT name, sql FROM sqlite_master WHERE tbl_name IN ({tables}) AND type = 'trigger' ORDER BY name", ct))
                {
                    result._triggers.Add((name, sql));
                    drops.Add($"DROP TRIGGER \"{name}\"");
                }
            }

            foreach (var sql in drops)
            {
                await ExecuteAsync(connection, tx, sql, ct);
            }

            return result;
        }

        /// <summary>Builds the dropped indexes, indexes the new rows for full-text search and restores the triggers.</summary>
        public async Task EndAsync(DbConnection connection, DbTransaction tx, long firstConversation, long firstCase, CancellationToken ct)
        {
            foreach (var sql in _indexes)
            {
                await ExecuteAsync(connection, tx, sql, ct);
            }

            if (_provider == DatabaseProvider.Sqlite)
            {
                foreach (var fts in SearchIndexes.Sqlite)
                {
                    // Only an index whose triggers were dropped here is behind (no table or no triggers: nothing kept it).
                    if (_triggers.Any(t => fts.TriggerNames.Contains(t.Name)))
                    {
                        await ExecuteAsync(connection, tx, fts.IndexFrom(fts.Source == "Cases" ? firstCase : firstConversation), ct);
                    }
                }
            }

            foreach (var (_, sql) in _triggers)
            {
                await ExecuteAsync(connection, tx, sql, ct);
            }
        }

        private static async Task<List<(string, string)>> ReadAsync(DbConnection connection, DbTransaction tx, string sql, CancellationToken ct)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<(string, string)>();
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }

            return rows;
        }

        private static async Task ExecuteAsync(DbConnection connection, DbTransaction tx, string sql, CancellationToken ct)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Wall time per stage of a seed and the process's CPU time, printed at the end so a slow seed says where its time went.</summary>
    private sealed class SeedStages
    {
        public TimeSpan Prepare, Generate, Conversations, Messages, Cases, Indexes, Commit, Cpu;
        public string? Journal;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"Stages: drop indexes and triggers {Prepare.TotalSeconds:0.0} s, generate {Generate.TotalSeconds:0.0} s, write conversations {Conversations.TotalSeconds:0.0} s, messages {Messages.TotalSeconds:0.0} s, cases and dirty hours {Cases.TotalSeconds:0.0} s, indexes, search and triggers {Indexes.TotalSeconds:0.0} s, commit {Commit.TotalSeconds:0.0} s; process CPU {Cpu.TotalSeconds:0.0} s{(Journal is null ? "" : "; written with " + Journal)}.");
    }

    private static (Conversation, List<Message>, Case?) Thread(SyntheticOrganisation org, Faker faker, Random random, DateTime now, long conversationId,
        ref long nextMessage, int count, double caseChance)
    {
        var channel = org.PickChannel(random.NextDouble());
        var handle = channel.Kind is ChannelKind.Email or ChannelKind.WebForm ? faker.Internet.Email() : "@" + faker.Internet.UserName().ToLowerInvariant();
        var name = faker.Name.FullName();
        var street = org.Topics.Street(random);
        // Only some reports name their street ("outside my house", "on our road" do not resolve to a place).
        var namesStreet = random.NextDouble() < SyntheticTopics.ShareNamingStreet;
        var social = channel.Kind is ChannelKind.Twitter or ChannelKind.Bluesky or ChannelKind.Facebook;
        var startedAt = now.AddSeconds(-random.Next(3_600, 365 * 24 * 3600));
        var (category, teamIndex, service, problems) = Categories[random.Next(Categories.Length)];
        var roll = random.NextDouble();
        var posts = new List<Message>(count);
        string kind = "complaint", sentiment = "negative", firstText = "";
        var urgent = false;
        var at = startedAt;
        for (var i = 0; i < count; i++)
        {
            string text;
            if (i == 0 && roll < 0.08)
            {
                (text, kind, sentiment, category) = (Questions[random.Next(Questions.Length)], "question", "neutral", "none");
            }
            else if (i == 0 && roll < 0.12)
            {
                (text, kind, sentiment, category) = (Compliments[random.Next(Compliments.Length)], "compliment", "positive", "none");
            }
            else if (i == 0 && roll < 0.13)
            {
                text = $"{Urgent[random.Next(Urgent.Length)]} on {street}, {org.Town}! Please send someone now.";
                urgent = true;
                namesStreet = true;
            }
            else
            {
                var request = random.NextDouble() < 0.45;
                kind = i == 0 ? (request ? "service_request" : "complaint") : kind;
                sentiment = request ? "neutral" : "negative";
                var tail = request ? Requests[random.Next(Requests.Length)] : Complaints[random.Next(Complaints.Length)];
                var where = namesStreet ? $"{street}, {org.Town}" : NoStreet[random.Next(NoStreet.Length)];
                text = i == 0
                    ? $"{Openers[random.Next(Openers.Length)]} {problems[random.Next(problems.Length)]} {where}. {tail}".TrimEnd()
                    : $"Any update on this? {Complaints[random.Next(Complaints.Length)]}".TrimEnd();
            }

            // Placed as the pipeline would place it: only a message whose text names the street (not a follow-up).
            var place = i == 0 && namesStreet && kind is not ("question" or "compliment") ? $"{street}, {org.Town}" : null;
            if (social)
            {
                text += org.Topics.Hashtags(random);
            }

            if (i == 0)
            {
                firstText = text;
            }

            at = i == 0 ? startedAt : at.AddMinutes(random.Next(5, 60 * 24));
            var id = nextMessage++;
            var external = $"syn-{id}";
            posts.Add(new Message
            {
                Id = id, OrganisationId = org.Id, ChannelId = channel.Id, ConversationId = conversationId, Direction = MessageDirection.Inbound,
                ExternalId = external, AuthorHandle = handle, AuthorName = name, Text = text, Language = "en", CreatedAt = at, ReceivedAt = at.AddSeconds(2),
                Kind = kind, Category = category, Sentiment = sentiment, IsUrgent = urgent, UrgencyReason = urgent ? "danger to people" : null,
                Place = place,
                TriageScores = string.Create(CultureInfo.InvariantCulture,
                    $"kind={kind}:{0.55 + (random.NextDouble() * 0.44):0.###}:model;category={category}:{0.4 + (random.NextDouble() * 0.59):0.###}:model;sentiment={sentiment}:{0.5 + (random.NextDouble() * 0.49):0.###}:model"),
                RoutedTeamId = org.TeamIds[teamIndex],
                RoutingReason = $"routed to {Teams[teamIndex].Team} by rule {teamIndex}: category is {category}",
                RawPayload = JsonSerializer.Serialize(new { externalId = external, text, authorHandle = handle, authorName = name, createdAt = at }),
            });
        }

        var last = posts[^1].CreatedAt;
        var age = now - startedAt;
        var status = age.TotalDays > 30 ? (random.NextDouble() < 0.85 ? ConversationStatus.Closed : ConversationStatus.Resolved)
            : age.TotalDays > 3 ? (ConversationStatus)random.Next(0, 5) : (random.NextDouble() < 0.6 ? ConversationStatus.New : ConversationStatus.Open);
        var conversation = new Conversation
        {
            Id = conversationId, OrganisationId = org.Id, ChannelId = channel.Id, Reference = Reference("CD-Z", conversationId), CitizenHandle = handle,
            CitizenName = name, Subject = firstText.Length > 120 ? firstText[..119] + "…" : firstText, Status = status,
            Priority = urgent ? Priority.Urgent : random.NextDouble() < 0.1 ? Priority.High : Priority.Normal, AssignedTeamId = org.TeamIds[teamIndex],
            CreatedAt = startedAt, UpdatedAt = last, LastMessageAt = last, MessageCount = count, Kind = kind, Category = category, Sentiment = sentiment,
            IsUrgent = urgent, RoutingReason = posts[0].RoutingReason,
            FirstResponseAt = status is ConversationStatus.New ? null : startedAt.AddHours(random.Next(1, 48)),
            ResolvedAt = status is ConversationStatus.Resolved or ConversationStatus.Closed ? last.AddDays(random.Next(1, 10)) : null,
        };

        Case? kase = null;
        if (category != "none" && random.NextDouble() < caseChance)
        {
            kase = new Case
            {
                OrganisationId = org.Id, Reference = "", ServiceCode = org.ServiceCodes[category], Title = $"{service}: {street}",
                Description = firstText, Address = $"{street}, {org.Town}", Latitude = org.Latitude + ((random.NextDouble() - 0.5) * 0.1),
                Longitude = org.Longitude + ((random.NextDouble() - 0.5) * 0.1), Priority = conversation.Priority, TeamId = org.TeamIds[teamIndex],
                Source = CaseSource.Message, CreatedAt = startedAt.AddMinutes(30), UpdatedAt = last, DueAt = startedAt.AddDays(10),
                NonPublic = false,
            };
            if (status is ConversationStatus.Closed && CaseWorkflow.CanMove(kase.Status, CaseStatus.Fixed))
            {
                kase.MoveTo(CaseStatus.Fixed, last.AddDays(3));
            }
        }

        if (kase is not null)
        {
            kase.Reference = Reference("CS-Z", conversationId);
        }

        return (conversation, posts, kase);
    }

    /// <summary>"CD-Z" + the id in the reference alphabet: 7 characters, never one of the 6-character random references.</summary>
    private static string Reference(string prefix, long id)
    {
        const string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        var chars = new char[6];
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            chars[i] = alphabet[(int)(id % 32)];
            id /= 32;
        }

        return prefix + new string(chars);
    }

    private async Task<List<SyntheticOrganisation>> CreateOrganisationsAsync(SyntheticOptions options, Faker faker, DateTime now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var result = new List<SyntheticOrganisation>();
        var existing = await db.Organisations.CountAsync(o => o.Slug.StartsWith("synthetic-"), ct);
        for (var o = 0; o < options.Organisations; o++)
        {
            var town = faker.Address.City();
            var slug = $"synthetic-{existing + o + 1}";
            var organisation = new Organisation { Slug = slug, Name = $"{town} Borough Council (synthetic)", CreatedAt = now };
            db.Organisations.Add(organisation);
            await db.SaveChangesAsync(ct);
            var teams = Teams.Select((t, i) => new Team
            {
                OrganisationId = organisation.Id, Name = t.Team, Slug = t.Slug, IsDefault = i == 0, SeesAllConversations = i == 0, CreatedAt = now,
            }).ToList();
            db.Teams.AddRange(teams);
            var channels = Channels.Select(c => new Channel { OrganisationId = organisation.Id, Kind = c.Kind, Name = c.Name, CreatedAt = now }).ToList();
            db.Channels.AddRange(channels);
            await db.SaveChangesAsync(ct);
            var services = Categories.Select(c => new CaseService
            {
                OrganisationId = organisation.Id, Code = c.Category.Replace('_', '-'), Name = c.Service, Group = c.Category, TeamId = teams[c.Team].Id, CreatedAt = now,
            }).ToList();
            db.CaseServices.AddRange(services);
            await db.SaveChangesAsync(ct);
            result.Add(new SyntheticOrganisation(organisation.Id, town, 51.5 + (faker.Random.Double() * 2), -2 + (faker.Random.Double() * 2),
                [.. teams.Select(t => t.Id)], [.. channels.Zip(Channels, (c, s) => (c.Id, c.Kind, s.Share))],
                services.ToDictionary(s => s.Group!, s => s.Code, StringComparer.Ordinal),
                SyntheticTopics.Draw(town, unchecked((options.Seed * 31) + existing + o))));
        }

        return result;
    }

    private static async Task<long> NextIdAsync(DbConnection connection, DbTransaction tx, string table, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"""SELECT COALESCE(MAX("Id"), 0) + 1 FROM "{table}" """;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private sealed record SyntheticOrganisation(long Id, string Town, double Latitude, double Longitude, long[] TeamIds,
        (long Id, ChannelKind Kind, double Share)[] Channels, Dictionary<string, string> ServiceCodes, SyntheticTopics Topics)
    {
        public (long Id, ChannelKind Kind, double Share) PickChannel(double roll)
        {
            foreach (var channel in Channels)
            {
                if ((roll -= channel.Share) < 0)
                {
                    return channel;
                }
            }

            return Channels[^1];
        }
    }
}
