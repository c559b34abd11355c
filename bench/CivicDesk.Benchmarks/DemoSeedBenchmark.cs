using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Demo;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CivicDesk.Benchmarks;

/// <summary>
/// How long a fresh demo takes to seed (issue 14: under 10 seconds), and whether the ingest API keeps answering meanwhile.
/// Starts the real app in demo mode on Kestrel (127.0.0.1, free port) on a fresh database, with the shipped year-long
/// corpus only (the shared datasets are hidden unless <c>--shared</c>), and while the background seeding runs POSTs one
/// message to <c>/api/v1/messages</c> every 100 ms, timing each answer. Baseline in the same process: the same number of
/// messages written by <c>seed --synthetic</c> (bulk inserts of messages, conversations and cases, no pipeline and no
/// history) into another fresh database of the same kind — the floor for writing that many rows.
/// Usage: demo-seed [--provider sqlite|postgres] [--shared]. Bounded to 5 minutes; deletes what it made.
/// </summary>
public static class DemoSeedBenchmark
{
    private const string ApiKey = "cdk_bench-demo-key-0123456789abcdefghijklmnopqrstuv";

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var postgres = false;
        var shared = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--provider" when i + 1 < args.Length && args[i + 1] is "sqlite" or "postgres":
                    postgres = args[++i] == "postgres";
                    break;
                case "--shared":
                    shared = true;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unknown or invalid argument: {args[i]}");
                    return 2;
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = timeout.Token;
        var provider = postgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        var admin = postgres
            ? Environment.GetEnvironmentVariable("CIVICDESK_BENCH_PG") ?? Environment.GetEnvironmentVariable("CIVICDESK_TEST_PG")
              ?? throw new InvalidOperationException("--provider postgres needs CIVICDESK_BENCH_PG.")
            : null;
        var work = Directory.CreateTempSubdirectory("civicdesk-demo-seed-").FullName;
        var databases = new List<string>();
        try
        {
            Console.WriteLine($"demo-seed benchmark: {provider}, {(shared ? "corpus and shared datasets" : "shipped corpus only")}, {Environment.ProcessorCount} cores; load average before: {IngestBenchmark.LoadAverage()}");
            var demo = await RunDemoAsync(provider, await NewDatabaseAsync(provider, admin, Path.Combine(work, "demo"), databases, ct),
                Path.Combine(work, "demo"), shared ? null : Directory.CreateDirectory(Path.Combine(work, "no-shared-data")).FullName, ct);
            Console.WriteLine($"load average after the demo: {IngestBenchmark.LoadAverage()}");

            var baseline = await RunBaselineAsync(provider, await NewDatabaseAsync(provider, admin, Path.Combine(work, "baseline"), databases, ct), demo.Messages, ct);
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Demo seeding   {demo.Messages,6:N0} messages in {demo.Elapsed.TotalSeconds,6:F2} s ({demo.Phases})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Baseline       {baseline.Messages,6:N0} messages in {baseline.Elapsed.TotalSeconds,6:F2} s (seed --synthetic: bulk rows, no pipeline, no history); ratio demo/baseline = {demo.Elapsed.TotalSeconds / baseline.Elapsed.TotalSeconds:F1}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"API during seeding: {demo.Probes.Count} requests, {demo.Probes.Count(p => p.Status != 200)} not 200 ({string.Join(", ", demo.Probes.Where(p => p.Status != 200).Select(p => p.Status).Distinct())}); "
                + $"p50 {Percentile(demo.Probes, 0.50):F0} ms, p99 {Percentile(demo.Probes, 0.99):F0} ms, max {(demo.Probes.Count == 0 ? 0 : demo.Probes.Max(p => p.Milliseconds)):F0} ms"));
            Console.WriteLine($"load average at the end: {IngestBenchmark.LoadAverage()}");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            if (admin is not null)
            {
                await using var connection = new NpgsqlConnection(admin);
                foreach (var name in databases)
                {
                    await connection.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                }
            }

            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private sealed record Probe(int Status, double Milliseconds);

    private sealed record DemoRun(int Messages, TimeSpan Elapsed, string Phases, List<Probe> Probes);

    private static async Task<DemoRun> RunDemoAsync(DatabaseProvider provider, string connectionString, string dataDir, string? sharedData, CancellationToken ct)
    {
        using var factory = new DemoBenchFactory(provider, connectionString, dataDir, sharedData);
        factory.UseKestrel(0);
        factory.StartServer(); // migrations and the organisation; the messages follow in the background
        var seeding = factory.Services.GetRequiredService<DemoStartup>().Completion;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        using var http = new HttpClient { BaseAddress = factory.ClientOptions.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var probes = new List<Probe>();
        for (var i = 0; !seeding.IsCompleted; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/messages")
            {
                Content = JsonContent.Create(new { messages = new[] { new { externalId = $"bench-{i}", text = $"Bin not collected on Mill Lane, call {i}", authorHandle = $"crm:{i}" } } }),
            };
            request.Headers.Add("X-Api-Key", ApiKey);
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request, ct);
            probes.Add(new Probe((int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            await Task.WhenAny(seeding, Task.Delay(100, ct));
        }

        var result = await seeding;
        // CPU time of the whole process (app, seeding, the probing client) while it seeded: on a machine shared with
        // other work the wall time mostly measures the queue for a core, this what seeding costs.
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var messages = result.Messages ?? throw new InvalidOperationException("The demo was already seeded.");
        return new DemoRun(messages.Count, messages.Elapsed, string.Create(CultureInfo.InvariantCulture, $"{messages.Phases}; process CPU {cpuUsed.TotalSeconds:F1} s"), probes);
    }

    private static async Task<(long Messages, TimeSpan Elapsed)> RunBaselineAsync(DatabaseProvider provider, string connectionString, int messages, CancellationToken ct)
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<OrganisationContext>();
        if (provider == DatabaseProvider.Postgres)
        {
            services.AddDbContext<CivicDeskDb, PostgresCivicDeskDb>(o => o.UseNpgsql(connectionString));
        }
        else
        {
            services.AddDbContext<CivicDeskDb, SqliteCivicDeskDb>(o => o.UseSqlite(connectionString));
        }

        services.AddSingleton(new DbConnectionFactory(provider, connectionString));
        services.AddSingleton<SyntheticSeeder>();
        await using var root = services.BuildServiceProvider();
        await using (var scope = root.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            if (provider == DatabaseProvider.Sqlite)
            {
                await db.Database.OpenConnectionAsync(ct);
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
                await db.Database.CloseConnectionAsync();
            }

            await db.Database.MigrateAsync(ct);
        }

        var result = await root.GetRequiredService<SyntheticSeeder>().SeedAsync(new SyntheticOptions(messages), null, ct);
        return (result.Messages, result.Elapsed);
    }

    private static double Percentile(List<Probe> probes, double p)
    {
        if (probes.Count == 0)
        {
            return 0;
        }

        var sorted = probes.Select(x => x.Milliseconds).Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static async Task<string> NewDatabaseAsync(DatabaseProvider provider, string? admin, string dataDir, List<string> created, CancellationToken ct)
    {
        Directory.CreateDirectory(dataDir);
        if (provider == DatabaseProvider.Sqlite)
        {
            return DataFeature.SqliteConnectionString(dataDir);
        }

        var name = "civicdesk_demo_bench_" + Guid.NewGuid().ToString("N")[..10];
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(ct);
        await connection.ExecuteAsync($"CREATE DATABASE {name}");
        created.Add(name);
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
    }

    private sealed class DemoBenchFactory(DatabaseProvider provider, string connectionString, string dataDir, string? sharedData) : WebApplicationFactory<Program>
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
            builder.UseSetting("Demo:Enabled", "true");
            builder.UseSetting("Demo:LiveFeed", "false");
            builder.UseSetting(DemoSeeder.ApiKeyVariable, ApiKey);
            if (sharedData is not null)
            {
                // An empty folder: the shared datasets are not found, as on a fresh clone.
                builder.UseSetting(DemoDataSource.SharedDataVariable, sharedData);
            }

            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:CivicDesk.Web.Features.Demo", "Information");
            builder.UseSetting("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "None");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Error");
        }
    }
}
