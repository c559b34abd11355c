using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CivicDesk.Benchmarks;

public sealed class IngestBenchmarkOptions
{
    public bool Postgres { get; set; }
    public int Batches { get; set; } = 20;
    public int Clients { get; set; } = 4;
    /// <summary>Rows per statement of the Dapper baseline (default: 4 on SQLite, 500 on PostgreSQL).</summary>
    public int? BaselineRows { get; set; }
    /// <summary>
    /// Null: the app runs in this process (its stage timings are read from its meters). Otherwise the app runs as its
    /// own process from this CivicDesk.Web.dll ("" for the Release build), and the peak working set is the server's
    /// alone, without the benchmark's client.
    /// </summary>
    public string? ServerProcess { get; set; }
    /// <summary>Only the API run, without the baselines (A/B runs of a setting; no ratio is printed).</summary>
    public bool ApiOnly { get; set; }
    public const int BatchSize = 1_000;
}

/// <summary>
/// POSTs N batches of 1,000 messages to the real app on Kestrel (127.0.0.1) and reports messages per second; then
/// inserts the same rows with a bare Dapper multi-row INSERT into a fresh database of the same kind, as the
/// baseline the pipeline (HTTP, JSON, validation, normalise, triage, route, threading, audit) is measured against.
/// </summary>
public sealed class IngestBenchmark(IngestBenchmarkOptions options)
{
    private const int Citizens = 5_000;
    private const int CopyRows = -1;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var provider = options.Postgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        var admin = options.Postgres
            ? Environment.GetEnvironmentVariable("CIVICDESK_BENCH_PG") ?? Environment.GetEnvironmentVariable("CIVICDESK_TEST_PG")
              ?? throw new InvalidOperationException("--provider postgres needs CIVICDESK_BENCH_PG (a connection string to a server where databases may be created).")
            : null;
        var texts = LoadTexts();
        Console.WriteLine($"CivicDesk ingest benchmark: {provider}, {options.Batches} batches x {IngestBenchmarkOptions.BatchSize} messages, " +
                          $"{options.Clients} concurrent clients, {Environment.ProcessorCount} cores, {texts.Source}");

        var workDir = Directory.CreateTempSubdirectory("civicdesk-bench-").FullName;
        var databases = new List<string>();
        try
        {
            var apiDb = await NewDatabaseAsync(provider, admin, Path.Combine(workDir, "api"), databases, ct);
            var api = await RunApiAsync(provider, apiDb, Path.Combine(workDir, "api"), texts.Texts, ct);
            // Baselines: the same rows, one transaction per 1,000, each on a fresh database. A bare Dapper multi-row
            // INSERT with the rows per statement that suits the database (SQLite binds parameters by linear search, so
            // a few rows; PostgreSQL saves round trips with many), and on SQLite also a reused one-row statement.
            var baselines = new List<(string Name, TimeSpan Elapsed)>();
            int[] rowsPerStatement = options.ApiOnly ? [] : provider == DatabaseProvider.Sqlite ? [options.BaselineRows ?? 4] : [options.BaselineRows ?? 500];
            foreach (var rows in rowsPerStatement)
            {
                var db = await NewDatabaseAsync(provider, admin, Path.Combine(workDir, $"baseline-{rows}"), databases, ct);
                baselines.Add(($"bare Dapper multi-row INSERT, {rows} rows a statement", await RunBaselineAsync(provider, db, texts.Texts, rows, ct)));
            }

            if (options.ApiOnly)
            {
                // No baseline: the A/B run's figures are compared with its pair, not printed as a ratio.
            }
            else if (provider == DatabaseProvider.Sqlite)
            {
                var db = await NewDatabaseAsync(provider, admin, Path.Combine(workDir, "baseline-prepared"), databases, ct);
                baselines.Add(("reused one-row prepared INSERT (ADO.NET)", await RunBaselineAsync(provider, db, texts.Texts, 0, ct)));
            }
            else
            {
                // The pipeline writes messages with binary COPY on PostgreSQL, so COPY of the same rows is its bare insert.
                var db = await NewDatabaseAsync(provider, admin, Path.Combine(workDir, "baseline-copy"), databases, ct);
                baselines.Add(("bare binary COPY", await RunBaselineAsync(provider, db, texts.Texts, CopyRows, ct)));
            }

            var total = options.Batches * IngestBenchmarkOptions.BatchSize;
            Console.WriteLine();
            Console.WriteLine($"API      {total,9:N0} messages in {api.Elapsed.TotalSeconds,7:F2} s = {total / api.Elapsed.TotalSeconds,9:N0} messages/s " +
                              $"(request p50 {api.P50:F0} ms, p95 {api.P95:F0} ms)");
            foreach (var (name, elapsed) in baselines)
            {
                Console.WriteLine($"Baseline {total,9:N0} messages in {elapsed.TotalSeconds,7:F2} s = {total / elapsed.TotalSeconds,9:N0} messages/s ({name}); " +
                                  $"ratio API/baseline = {elapsed.TotalSeconds / api.Elapsed.TotalSeconds:F2}");
            }

            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            if (admin is not null)
            {
                await using var connection = new NpgsqlConnection(admin);
                await connection.OpenAsync(CancellationToken.None);
                foreach (var name in databases)
                {
                    await connection.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                }
            }

            try { Directory.Delete(workDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private async Task<(TimeSpan Elapsed, double P50, double P95)> RunApiAsync(DatabaseProvider provider, string connectionString, string dataDir,
        IReadOnlyList<string> texts, CancellationToken ct)
    {
        Directory.CreateDirectory(dataDir);
        if (options.ServerProcess is not null)
        {
            return await RunServerProcessAsync(provider, connectionString, dataDir, texts, ct);
        }

        using var factory = new BenchFactory(provider, connectionString, dataDir);
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.ClientOptions.BaseAddress;
        var (organisationId, key) = await CreateOrganisationAsync(factory.Services, ct);
        Console.WriteLine($"app listening on {address}, organisation {organisationId}");

        // The first batch warms up (JIT, pools, caches) and is not timed. Each client builds its next body (about 1 ms
        // for 1,000 messages) outside its request's latency; building all of them up front would hold a million
        // messages in memory and blur the RSS figure.
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        await PostAsync(http, key, Encoding.UTF8.GetBytes(Body(0, texts)), ct);


        using var meters = new PipelineMeters();
        using var memory = new PeakMemory();
        Console.WriteLine($"load average before: {LoadAverage()}");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var gen2 = GC.CollectionCount(2);
        var clock = Stopwatch.StartNew();
        var latencies = await DriveAsync(http, key, texts, ct);
        clock.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Console.WriteLine($"API: managed allocations {allocated / (double)(options.Batches * IngestBenchmarkOptions.BatchSize):N0} B/message, " +
                          $"{GC.CollectionCount(2) - gen2} full collections");
        Console.WriteLine($"API: wall {clock.Elapsed.TotalSeconds:F2} s, process CPU {cpu.TotalSeconds:F2} s = {cpu.TotalMicroseconds / (options.Batches * IngestBenchmarkOptions.BatchSize):F0} µs/message (client and server share the process); " +
                          $"{meters.Transactions} persist transactions");
        Console.WriteLine($"Time in each stage, summed over batches: {meters.Stages}");
        Console.WriteLine($"load average after: {LoadAverage()}; peak working set during the run {memory.PeakMegabytes:N0} MB " +
                          $"(client and server in one process; managed heap now {GC.GetTotalMemory(false) / 1048576.0:N0} MB)");
        Console.WriteLine($"at the peak: {memory.PeakBreakdown}");

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var stored = await db.Messages.IgnoreQueryFilters().CountAsync(m => m.OrganisationId == organisationId, ct);
        var expected = (options.Batches + 1) * IngestBenchmarkOptions.BatchSize;
        if (stored != expected)
        {
            throw new InvalidOperationException($"Expected {expected} stored messages, found {stored}.");
        }

        if (provider == DatabaseProvider.Sqlite)
        {
            // What the pipeline's rows cost on disk (messages, conversations, audit events, indexes) beyond text and payload.
            await using var c = new SqliteConnection(connectionString);
            await c.OpenAsync(ct);
            await c.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE);");
            var total = await c.ExecuteScalarAsync<long>("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
            var payload = await c.ExecuteScalarAsync<double>("""SELECT SUM(length(CAST("Text" AS BLOB)) + COALESCE(length(CAST("RawPayload" AS BLOB)), 0)) FROM "Messages" """);
            Console.WriteLine($"storage: {total / (double)stored:N0} B per message in all; text + raw payload {payload / stored:N0} B; everything else {(total - payload) / stored:N0} B per message (target <= 1,536)");
        }

        latencies.Sort();
        return (clock.Elapsed, latencies[latencies.Count / 2], latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.95))]);
    }

    /// <summary>The clients: each POSTs the next batch until all are sent; returns each request's latency in ms.</summary>
    private async Task<List<double>> DriveAsync(HttpClient http, string key, IReadOnlyList<string> texts, CancellationToken ct)
    {
        var next = 0;
        var latencies = new List<double>();
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(_ => Task.Run(async () =>
        {
            // Each client writes its bodies into one buffer it keeps: a new ~300 KB body string and byte array per
            // request went to the large-object heap and, in this one process, counted against the server's memory.
            var body = new ArrayBufferWriter<byte>(512 * 1024);
            int b;
            while ((b = Interlocked.Increment(ref next)) <= options.Batches)
            {
                body.ResetWrittenCount();
                WriteBody(body, b, texts);
                var started = Stopwatch.GetTimestamp();
                await PostAsync(http, key, body.WrittenMemory, ct);
                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }, ct)));
        latencies.Sort();
        return latencies;
    }

    /// <summary>
    /// The app as its own process (`dotnet CivicDesk.Web.dll` on 127.0.0.1, the runtime settings of its own
    /// runtimeconfig), the clients here: the server's peak working set and CPU are read from /proc for its process
    /// alone. The database is migrated and the organisation created first through the in-process factory, which is
    /// then disposed. Stage timings come from the app's meters and are not available across the process boundary.
    /// </summary>
    private async Task<(TimeSpan Elapsed, double P50, double P95)> RunServerProcessAsync(DatabaseProvider provider, string connectionString, string dataDir,
        IReadOnlyList<string> texts, CancellationToken ct)
    {
        long organisationId;
        string key;
        using (var setup = new BenchFactory(provider, connectionString, dataDir))
        {
            (organisationId, key) = await CreateOrganisationAsync(setup.Services, ct);
        }

        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        var dll = Path.GetFullPath(options.ServerProcess is { Length: > 0 } path ? path : Path.Combine("src", "CivicDesk.Web", "bin", "Release", "net10.0", "CivicDesk.Web.dll"));
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} not found: build it first (dotnet build src/CivicDesk.Web -c Release) or pass --server-process PATH.");
        }

        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        var address = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "--contentRoot", Path.GetFullPath(Path.Combine("src", "CivicDesk.Web")), "--urls", address.ToString() })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CIVICDESK_DATA_DIR"] = dataDir;
        start.Environment["Database__Provider"] = provider.ToString();
        start.Environment["Database__ConnectionString"] = connectionString;
        start.Environment["Demo__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        start.Environment["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "None";
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var server = new Process { StartInfo = start, EnableRaisingEvents = true };
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
                if (e.Data.Contains("Now listening on", StringComparison.Ordinal))
                {
                    listening.TrySetResult();
                }
            }
        };
        server.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
            }
        };
        server.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The app exited: " + string.Join(Environment.NewLine, output.TakeLast(20))));
        server.Start();
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromMinutes(2), ct);
            Console.WriteLine($"app (own process {server.Id}, {dll}) listening on {address}, organisation {organisationId}");
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
            await PostAsync(http, key, Encoding.UTF8.GetBytes(Body(0, texts)), ct);

            using var memory = new PeakMemory(server.Id);
            Console.WriteLine($"load average before: {LoadAverage()}");
            server.Refresh();
            var (serverCpu, clientCpu) = (server.TotalProcessorTime, Process.GetCurrentProcess().TotalProcessorTime);
            var clock = Stopwatch.StartNew();
            var latencies = await DriveAsync(http, key, texts, ct);
            clock.Stop();
            server.Refresh();
            var messages = options.Batches * IngestBenchmarkOptions.BatchSize;
            serverCpu = server.TotalProcessorTime - serverCpu;
            clientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientCpu;
            Console.WriteLine($"API: wall {clock.Elapsed.TotalSeconds:F2} s, server CPU {serverCpu.TotalSeconds:F2} s = {serverCpu.TotalMicroseconds / messages:F0} µs/message, " +
                              $"client CPU {clientCpu.TotalSeconds:F2} s = {clientCpu.TotalMicroseconds / messages:F0} µs/message");
            Console.WriteLine($"load average after: {LoadAverage()}; the server's peak working set during the run {memory.PeakMegabytes:N0} MB " +
                              $"(sampled every 100 ms; the kernel's high-water mark since its start, VmHWM, {PeakMemory.HighWaterMegabytes(server.Id):N0} MB)");
            Console.WriteLine($"at the peak: {memory.PeakBreakdown}");

            var expected = (options.Batches + 1) * IngestBenchmarkOptions.BatchSize;
            var stored = await CountStoredAsync(provider, connectionString, organisationId, ct);
            if (stored != expected)
            {
                throw new InvalidOperationException($"Expected {expected} stored messages, found {stored}.");
            }

            return (clock.Elapsed, latencies[latencies.Count / 2], latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.95))]);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    private static async Task<long> CountStoredAsync(DatabaseProvider provider, string connectionString, long organisationId, CancellationToken ct)
    {
        const string sql = """SELECT COUNT(*) FROM "Messages" WHERE "OrganisationId" = @organisationId""";
        if (provider == DatabaseProvider.Sqlite)
        {
            await using var sqlite = new SqliteConnection(connectionString);
            return await sqlite.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { organisationId }, cancellationToken: ct));
        }

        await using var postgres = new NpgsqlConnection(connectionString);
        return await postgres.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { organisationId }, cancellationToken: ct));
    }

    private static async Task PostAsync(HttpClient http, string key, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/messages") { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Api-Key", key);
        // The answer (ids of 1,000 messages, ~100 KB) is read through and dropped rather than buffered whole.
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        await response.Content.CopyToAsync(Stream.Null, ct);
    }

    /// <summary>The same body as <see cref="Body"/>, written as UTF-8 straight into <paramref name="output"/>.</summary>
    private static void WriteBody(IBufferWriter<byte> output, int batch, IReadOnlyList<string> texts)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteStartArray("messages");
        for (var i = 0; i < IngestBenchmarkOptions.BatchSize; i++)
        {
            json.WriteStartObject();
            json.WriteString("externalId", $"b{batch}-{i}");
            json.WriteString("text", texts[((batch * IngestBenchmarkOptions.BatchSize) + i) % texts.Count]);
            json.WriteString("authorHandle", Handle(batch, i));
            json.WriteString("createdAt", CreatedAt(batch, i));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static DateTime CreatedAt(int batch, int i) =>
        new DateTime(2026, 5, 1, 9, 0, 0, DateTimeKind.Utc).AddSeconds((batch * IngestBenchmarkOptions.BatchSize) + i);

    /// <summary>The same rows (minus what only the pipeline computes) with plain Dapper, 1,000 per transaction.</summary>
    // rowsPerStatement: rows per Dapper multi-row INSERT, 0 for a reused one-row ADO.NET command, CopyRows for binary COPY (PostgreSQL).
    private async Task<TimeSpan> RunBaselineAsync(DatabaseProvider provider, string connectionString, IReadOnlyList<string> texts, int rowsPerStatement,
        CancellationToken ct)
    {
        long organisationId, channelId, conversationId;
        await using (var db = CreateDb(provider, connectionString))
        {
            if (provider == DatabaseProvider.Sqlite)
            {
                await db.Database.OpenConnectionAsync(ct);
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
                await db.Database.CloseConnectionAsync();
            }

            await db.Database.MigrateAsync(ct);
            var now = DateTime.UtcNow;
            var organisation = new Organisation { Slug = "baseline", Name = "Baseline", CreatedAt = now };
            db.Organisations.Add(organisation);
            await db.SaveChangesAsync(ct);
            var channel = new Channel { OrganisationId = organisation.Id, Kind = ChannelKind.Api, Name = "Baseline", CreatedAt = now };
            db.Channels.Add(channel);
            await db.SaveChangesAsync(ct);
            var conversation = new Conversation
            {
                OrganisationId = organisation.Id, ChannelId = channel.Id, Reference = "CD-BASE00", CitizenHandle = "@all", Subject = "Baseline",
                CreatedAt = now, UpdatedAt = now, LastMessageAt = now,
            };
            db.Conversations.Add(conversation);
            await db.SaveChangesAsync(ct);
            (organisationId, channelId, conversationId) = (organisation.Id, channel.Id, conversation.Id);
        }

        string[] columns =
        [
            "OrganisationId", "ChannelId", "ConversationId", "Direction", "ExternalId", "AuthorHandle", "AuthorName", "Text", "Language", "CreatedAt",
            "ReceivedAt", "InReplyTo", "Latitude", "Longitude", "AttachmentsJson", "RawPayload", "Kind", "Category", "Sentiment", "IsUrgent",
            "UrgencyReason", "Place", "TriageScores", "RoutedTeamId", "RoutingRuleId", "RoutingReason", "NeedsHumanTriage",
        ];
        const string triageJson = "kind=complaint:0.8:model;category=none:0.4:model;sentiment=negative:0.7:model";
        var factory = new DbConnectionFactory(provider, connectionString);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var b = 1; b <= options.Batches; b++)
        {
            await using var connection = await factory.OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var now = DateTime.UtcNow;
            var rows = Enumerable.Range(0, IngestBenchmarkOptions.BatchSize).Select(i =>
            {
                var text = texts[((b * IngestBenchmarkOptions.BatchSize) + i) % texts.Count];
                return new object?[]
                {
                    organisationId, channelId, conversationId, "Inbound", $"b{b}-{i}", Handle(b, i), null, text, null, now, now, null, null, null,
                    null, RawMessage(b, i, text), "complaint", "none", "negative", false, null, null, triageJson, null, null, "no rule matched; default team", false,
                };
            }).ToList();
            var head = new StringBuilder("INSERT INTO \"Messages\" (").AppendJoin(", ", columns.Select(c => $"\"{c}\"")).Append(") VALUES ").ToString();
            const string tail = " ON CONFLICT (\"ChannelId\", \"ExternalId\") DO NOTHING";
            if (rowsPerStatement == CopyRows)
            {
                await RowInserter.CopyAsync(connection, "Messages", columns, rows, ct);
            }
            else if (rowsPerStatement == 0)
            {
                await using var command = connection.CreateCommand();
                command.Transaction = tx;
                command.CommandText = head + "(" + string.Join(", ", columns.Select((_, c) => "@p" + c.ToString(CultureInfo.InvariantCulture))) + ")" + tail;
                var parameters = columns.Select((_, c) =>
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = "@p" + c.ToString(CultureInfo.InvariantCulture);
                    command.Parameters.Add(parameter);
                    return parameter;
                }).ToArray();
                foreach (var row in rows)
                {
                    for (var c = 0; c < parameters.Length; c++)
                    {
                        parameters[c].Value = row[c] ?? DBNull.Value;
                    }

                    await command.ExecuteNonQueryAsync(ct);
                }
            }
            else
            {
                foreach (var chunk in rows.Chunk(rowsPerStatement))
                {
                    var sql = new StringBuilder(head);
                    var parameters = new DynamicParameters();
                    var p = 0;
                    for (var r = 0; r < chunk.Length; r++)
                    {
                        sql.Append(r == 0 ? "(" : ", (");
                        for (var c = 0; c < chunk[r].Length; c++)
                        {
                            sql.Append(c == 0 ? "" : ", ").Append("@p").Append(p);
                            parameters.Add("p" + p.ToString(CultureInfo.InvariantCulture), chunk[r][c]);
                            p++;
                        }

                        sql.Append(')');
                    }

                    await connection.ExecuteAsync(new CommandDefinition(sql.Append(tail).ToString(), parameters, tx, cancellationToken: ct));
                }
            }

            await tx.CommitAsync(ct);
        }

        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var name = rowsPerStatement switch { CopyRows => "binary COPY", 0 => "prepared one-row", _ => rowsPerStatement + " rows a statement" };
        Console.WriteLine($"Baseline ({name}): " +
                          $"wall {clock.Elapsed.TotalSeconds:F2} s, process CPU {cpu.TotalSeconds:F2} s = {cpu.TotalMicroseconds / (options.Batches * IngestBenchmarkOptions.BatchSize):F0} µs/message");
        return clock.Elapsed;
    }

    private static string Body(int batch, IReadOnlyList<string> texts) => "{\"messages\":[" + string.Join(',',
        Enumerable.Range(0, IngestBenchmarkOptions.BatchSize).Select(i => RawMessage(batch, i, texts[((batch * IngestBenchmarkOptions.BatchSize) + i) % texts.Count]))) + "]}";

    private static string RawMessage(int batch, int i, string text) => JsonSerializer.Serialize(new
    {
        externalId = $"b{batch}-{i}",
        text,
        authorHandle = Handle(batch, i),
        createdAt = CreatedAt(batch, i),
    }, Json);

    // Citizens recur across batches, so threading onto existing conversations is part of the work.
    private static string Handle(int batch, int i) => "@resident" + (((batch * 7919) + (i * 104729)) % Citizens).ToString(CultureInfo.InvariantCulture);

    private static async Task<(long OrganisationId, string Key)> CreateOrganisationAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = DateTime.UtcNow;
        var organisation = new Organisation { Slug = "bench", Name = "Benchmark Council", CreatedAt = now };
        db.Organisations.Add(organisation);
        await db.SaveChangesAsync(ct);
        var key = ApiKeys.Generate();
        db.Teams.AddRange(
            new Team { OrganisationId = organisation.Id, Name = "Customer Services", Slug = "customer-services", IsDefault = true, CreatedAt = now },
            new Team { OrganisationId = organisation.Id, Name = "Highways", Slug = "highways", CreatedAt = now });
        db.Channels.Add(new Channel { OrganisationId = organisation.Id, Kind = ChannelKind.Api, Name = "Bench API", ApiKeyHash = ApiKeys.Hash(key), CreatedAt = now });
        await db.SaveChangesAsync(ct);
        return (organisation.Id, key);
    }

    private static async Task<string> NewDatabaseAsync(DatabaseProvider provider, string? admin, string dataDir, List<string> created, CancellationToken ct)
    {
        Directory.CreateDirectory(dataDir);
        if (provider == DatabaseProvider.Sqlite)
        {
            return DataFeature.SqliteConnectionString(dataDir);
        }

        var name = "civicdesk_bench_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(ct);
        await connection.ExecuteAsync($"CREATE DATABASE {name}");
        created.Add(name);
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
    }

    private static CivicDeskDb CreateDb(DatabaseProvider provider, string connectionString) => provider == DatabaseProvider.Postgres
        ? new PostgresCivicDeskDb(new DbContextOptionsBuilder<PostgresCivicDeskDb>().UseNpgsql(connectionString).Options, new OrganisationContext())
        : new SqliteCivicDeskDb(new DbContextOptionsBuilder<SqliteCivicDeskDb>().UseSqlite(connectionString).Options, new OrganisationContext());

    /// <summary>Complaint tweets from shared/data (found by walking up, or CIVICDESK_SHARED_DATA), else generated text.</summary>
    private static (IReadOnlyList<string> Texts, string Source) LoadTexts()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("CIVICDESK_SHARED_DATA") is { Length: > 0 } shared)
        {
            candidates.Add(Path.Combine(shared, "complaints", "train.jsonl"));
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "shared", "data", "complaints", "train.jsonl"));
        }

        foreach (var path in candidates.Where(File.Exists))
        {
            var texts = File.ReadLines(path).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("text").GetString())
                .Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!).ToList();
            if (texts.Count > 0)
            {
                return (texts, $"{texts.Count:N0} texts from {path}");
            }
        }

        var random = new Random(13);
        string[] what = ["pothole", "overflowing bin", "broken streetlight", "fly-tipping", "blocked drain", "graffiti", "abandoned car"];
        string[] where = ["Dog Lane", "High Street", "Mill Road", "Elm Close", "the park by the school", "Station Approach"];
        var generated = Enumerable.Range(0, 2_000).Select(_ =>
            $"There is a {what[random.Next(what.Length)]} on {where[random.Next(where.Length)]}, reported {random.Next(2, 9)} times now. Please fix it.").ToList();
        return (generated, "generated texts (shared/data not found)");
    }

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>
    /// Samples the process's working set every 100 ms and keeps the highest, with what it was made of at that moment:
    /// the GC's committed memory, and the kernel's split into anonymous memory (GC heap, native heaps such as SQLite's
    /// page caches, thread stacks), mapped files (code, libraries) and shared memory (the JIT's double-mapped code, SQLite's WAL index).
    /// </summary>
    private sealed class PeakMemory : IDisposable
    {
        private readonly Timer _timer;
        private readonly int? _pid;
        private long _peak;
        private string _breakdown = "";

        /// <summary>This process, or the process <paramref name="pid"/> (then without the GC's own figure, which only it can read).</summary>
        public PeakMemory(int? pid = null)
        {
            _pid = pid;
            _timer = new Timer(_ =>
            {
                try
                {
                    using var process = pid is { } id ? Process.GetProcessById(id) : Process.GetCurrentProcess();
                    var now = process.WorkingSet64;
                    if (now > Interlocked.Read(ref _peak))
                    {
                        Interlocked.Exchange(ref _peak, now);
                        _breakdown = Breakdown();
                    }
                }
                catch (ArgumentException)
                {
                    // The process has exited.
                }
            }, null, 0, 100);
        }

        public double PeakMegabytes => Interlocked.Read(ref _peak) / 1048576.0;

        /// <summary>What the peak was made of.</summary>
        public string PeakBreakdown => _breakdown;

        /// <summary>The kernel's peak resident set of a process since it started (VmHWM), in MB; 0 where /proc has none.</summary>
        public static double HighWaterMegabytes(int pid) => Status(pid).TryGetValue("VmHWM", out var kb) ? kb / 1024.0 : 0;

        private static Dictionary<string, long> Status(int? pid)
        {
            var path = $"/proc/{(pid is { } id ? id.ToString(CultureInfo.InvariantCulture) : "self")}/status";
            var values = new Dictionary<string, long>();
            if (File.Exists(path))
            {
                foreach (var line in File.ReadLines(path))
                {
                    var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
                    {
                        values[fields[0].TrimEnd(':')] = kb;
                    }
                }
            }

            return values;
        }

        private string Breakdown()
        {
            var parts = _pid is null ? new List<string> { $"GC committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:N0} MB" } : [];
            var status = Status(_pid);
            foreach (var name in new[] { "RssAnon", "RssFile", "RssShmem" })
            {
                if (status.TryGetValue(name, out var kb))
                {
                    parts.Add($"{name} {kb / 1024.0:N0} MB");
                }
            }

            return string.Join(", ", parts);
        }

        public void Dispose() => _timer.Dispose();
    }

    /// <summary>Sums the pipeline's own instruments: time per stage, persist transactions.</summary>
    private sealed class PipelineMeters : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly Dictionary<string, double> _stageMs = [];
        private long _transactions;

        public PipelineMeters()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == CivicDeskMetrics.MeterName && instrument.Name is "civicdesk.ingest.batch.duration" or "civicdesk.ingest.stage.duration" or "civicdesk.aggregates.duration")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            {
                if (instrument.Name == "civicdesk.ingest.batch.duration")
                {
                    Interlocked.Increment(ref _transactions);
                    return;
                }

                foreach (var tag in tags)
                {
                    // Dashboard aggregate batches (their claim and apply steps hold the lock the writer waits for) as "aggregates.<phase>".
                    if (tag.Key is "stage" or "phase" && tag.Value is string name)
                    {
                        lock (_stageMs)
                        {
                            var stage = tag.Key == "phase" ? "aggregates." + name : name;
                            _stageMs[stage] = _stageMs.GetValueOrDefault(stage) + value;
                        }
                    }
                }
            });
            _listener.Start();
        }

        public long Transactions => Interlocked.Read(ref _transactions);

        public string Stages
        {
            get
            {
                lock (_stageMs)
                {
                    return string.Join(", ", _stageMs.Select(p => $"{p.Key} {p.Value / 1000:F2} s"));
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    private sealed class BenchFactory(DatabaseProvider provider, string connectionString, string dataDir) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // The factory looks for its manifest in the current directory, which `dotnet run` leaves at the caller's.
            var manifest = Path.Combine(AppContext.BaseDirectory, "MvcTestingAppManifest.json");
            var contentRoot = File.Exists(manifest)
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(manifest))!
                    .FirstOrDefault(p => p.Key.StartsWith("CivicDesk.Web,", StringComparison.Ordinal)).Value
                : null;
            builder.UseContentRoot(contentRoot is not null && Directory.Exists(contentRoot) ? contentRoot : AppContext.BaseDirectory);
            builder.UseEnvironment("Benchmark");
            builder.UseSetting("CIVICDESK_DATA_DIR", dataDir);
            builder.UseSetting("Database:Provider", provider.ToString());
            builder.UseSetting("Database:ConnectionString", connectionString);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning");
            // EF logs the expected miss of __EFMigrationsHistory on a fresh database as an error.
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "None");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Error");
        }
    }
}
