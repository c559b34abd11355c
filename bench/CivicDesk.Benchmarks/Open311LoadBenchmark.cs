using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Open311;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Benchmarks;

/// <summary>
/// <c>open311-load [--seconds N] [--clients N]</c>: the real app on 127.0.0.1 (Kestrel, free port) with a temporary SQLite
/// database; N concurrent clients run each scenario for a fixed time: GET /health (baseline: the same HTTP stack with no
/// work), POST requests.xml (FixMyStreet-style form: a case, its reporter, audit and outbox rows committed per call) and
/// GET requests.xml (the last hour, at most 100). Prints calls/s and p50/p95/p99 latency, and each scenario's
/// throughput as a share of the baseline's. Stops by itself. <c>--warmup N</c> runs each scenario N seconds with all clients
/// before measuring (default: 1 second, one client): the POST path is large (EF Core's save pipeline), and at 1 second
/// most of it still runs unoptimised tier-0 code while the JIT's tiering thread takes a third of the process's CPU
/// (bench/README.md, session 12).
/// </summary>
public static class Open311LoadBenchmark
{
    private const string Jurisdiction = "bench";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = 10;
        var clients = 8;
        int? warmup = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--seconds" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is >= 1 and <= 120:
                    seconds = s;
                    i++;
                    break;
                case "--clients" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c is >= 1 and <= 64:
                    clients = c;
                    i++;
                    break;
                case "--warmup" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w is >= 1 and <= 300:
                    warmup = w;
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync("usage: open311-load [--seconds N (1-120, default 10)] [--clients N (1-64, default 8)] [--warmup N (1-300 s with all clients; default 1 s with one)]");
                    return 2;
            }
        }

        var dir = Directory.CreateTempSubdirectory("civicdesk-open311-bench-").FullName;
        try
        {
            using var factory = new Open311BenchFactory(dir);
            factory.UseKestrel(0);
            factory.StartServer();
            var key = await SetUpAsync(factory.Services);
            using var http = new HttpClient { BaseAddress = factory.ClientOptions.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            Console.WriteLine($"open311-load: app on {http.BaseAddress}, SQLite, {clients} clients × {seconds} s per scenario, {Environment.ProcessorCount} cores, " +
                              $"warm-up {(warmup is { } wu ? $"{wu} s × {clients} clients" : "1 s × 1 client")} per scenario, load average {LoadAverage()}");

            var number = 0;
            HttpRequestMessage Post() => new(HttpMethod.Post, "/open311/v2/requests.xml")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["jurisdiction_id"] = Jurisdiction, ["api_key"] = key, ["service_code"] = "potholes",
                    ["lat"] = (51.89 + (Interlocked.Increment(ref number) % 100 * 0.0003)).ToString("0.000000", CultureInfo.InvariantCulture), ["long"] = "-2.078300",
                    ["email"] = "bench@example.org", ["first_name"] = "Bench", ["last_name"] = "Client",
                    ["description"] = "title: Pothole\r\n\r\ndetail: Deep hole by the kerb.\r\n\r\nSubmitted via FixMyStreet\r\n", ["attribute[depth]"] = "deep",
                }),
            };
            HttpRequestMessage Health() => new(HttpMethod.Get, "/health");
            HttpRequestMessage List() => new(HttpMethod.Get,
                $"/open311/v2/requests.xml?jurisdiction_id={Jurisdiction}&max_requests=100&start_date={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture))}");

            var results = new List<(string Name, Result Result)>();
            foreach (var (name, make) in new (string, Func<HttpRequestMessage>)[] { ("GET /health (baseline)", Health), ("POST requests.xml", Post), ("GET requests.xml", List) })
            {
                await RunForAsync(http, make, warmup is null ? 1 : clients, TimeSpan.FromSeconds(warmup ?? 1)); // warm-up: JIT, pools, caches
                results.Add((name, await RunForAsync(http, make, clients, TimeSpan.FromSeconds(seconds))));
            }

            var baseline = results[0].Result.PerSecond;
            Console.WriteLine();
            Console.WriteLine("| Scenario | Calls | Errors | Calls/s | p50 ms | p95 ms | p99 ms | CPU ms/call | KB allocated/call | Calls/s if the cores were ours | Throughput vs baseline |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (name, r) in results)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {r.Calls} | {r.Errors} | {r.PerSecond:0} | {r.P50:0.0} | {r.P95:0.0} | {r.P99:0.0} | {r.CpuMsPerCall:0.00} | {r.KbPerCall:0} | {Environment.ProcessorCount * 1000 / Math.Max(r.CpuMsPerCall, 0.001):0} | {r.PerSecond / baseline:0.000} |"));
            }

            Console.WriteLine($"load average after: {LoadAverage()}");
            return results.Any(r => r.Result.Errors > 0) ? 1 : 0;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    // CpuMsPerCall: this process's CPU time (server, client and background workers together) per call; on the shared
    // machine, cores × 1000 / CpuMsPerCall is the rate with the cores to ourselves (as public-surge prints it).
    // KbPerCall: bytes the whole process allocated per call (GC.GetTotalAllocatedBytes), which drives its GC time.
    private sealed record Result(int Calls, int Errors, double PerSecond, double P50, double P95, double P99, double CpuMsPerCall, double KbPerCall);

    private static async Task<Result> RunForAsync(HttpClient http, Func<HttpRequestMessage> make, int clients, TimeSpan duration)
    {
        var latencies = new List<double>[clients];
        var errors = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = [];
            while (clock.Elapsed < duration)
            {
                using var request = make();
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        var kb = (GC.GetTotalAllocatedBytes() - allocated) / 1024.0;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Q(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)];
        return new Result(all.Length, errors, all.Length / elapsed, Q(0.50), Q(0.95), Q(0.99), all.Length == 0 ? 0 : cpuMs / all.Length, all.Length == 0 ? 0 : kb / all.Length);
    }

    private static async Task<string> SetUpAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = DateTime.UtcNow;
        var org = new Organisation { Slug = "bench", Name = "Bench council", CreatedAt = now };
        db.Organisations.Add(org);
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(org.Id);
        var team = new Team { OrganisationId = org.Id, Name = "Highways", Slug = "highways", IsDefault = true, CreatedAt = now };
        db.Teams.Add(team);
        await db.SaveChangesAsync();
        db.CaseServices.Add(new CaseService { OrganisationId = org.Id, Code = "potholes", Name = "Potholes", TeamId = team.Id, CreatedAt = now });
        db.Open311ServiceAttributes.Add(new Open311ServiceAttribute
        {
            OrganisationId = org.Id, ServiceCode = "potholes", Code = "depth", Datatype = Open311Datatype.SingleValueList, Required = true, Order = 1,
            Description = "How deep?", Values = [new("shallow", "Shallow"), new("deep", "Deep")],
        });
        await db.SaveChangesAsync();
        var keys = scope.ServiceProvider.GetRequiredService<Open311ClientKeys>();
        await keys.JurisdictionAsync(org.Id, Jurisdiction, default);
        return (await keys.IssueAsync(org.Id, "Load generator", default)).Key;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private sealed class Open311BenchFactory(string dataDir) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // As IngestBenchmark: `dotnet run` leaves the current directory at the caller's, so find the content root.
            var manifest = Path.Combine(AppContext.BaseDirectory, "MvcTestingAppManifest.json");
            var contentRoot = File.Exists(manifest)
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(manifest))!
                    .FirstOrDefault(p => p.Key.StartsWith("CivicDesk.Web,", StringComparison.Ordinal)).Value
                : null;
            builder.UseContentRoot(contentRoot is not null && Directory.Exists(contentRoot) ? contentRoot : AppContext.BaseDirectory);
            builder.UseEnvironment("Benchmark");
            builder.UseSetting("CIVICDESK_DATA_DIR", dataDir);
            builder.UseSetting("Database:Provider", nameof(DatabaseProvider.Sqlite));
            builder.UseSetting("Database:ConnectionString", DataFeature.SqliteConnectionString(dataDir));
            builder.UseSetting("Open311:RequestsPerMinute", "1000000");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "None");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Error");
        }
    }
}
