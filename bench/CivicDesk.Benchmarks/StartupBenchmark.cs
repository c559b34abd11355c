using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Dashboards;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Benchmarks;

/// <summary>
/// Warm start and memory at rest (issue 13 part 5) on a database seeded beforehand (<c>civicdesk seed --synthetic N</c>):
/// <code>dotnet run -c Release --project bench/CivicDesk.Benchmarks -- startup --data-dir DIR [--runs 3] [--rest-seconds 60] [--app PATH/CivicDesk.Web.dll]</code>
/// Starts the real app (src/CivicDesk.Web/bin/Release, as run.sh does: its own process, Production environment, demo
/// off) on 127.0.0.1 and times, from process start: listening, <c>GET /health</c>, and the first inbox page of a signed-in
/// agent (sign-in included). "Warm" means the binaries were built and the database file was read before (the OS file cache
/// holds it), as on a restart after an upgrade. After the first page the process is left alone for the rest period with
/// its background workers running, and its resident set (VmRSS) is read at the end and at its largest during the rest.
/// Baseline in the same run: the same app started on an empty data directory (migrations applied from nothing).
/// </summary>
public static class StartupBenchmark
{
    private const string BenchEmail = "startup-bench@civicdesk.invalid";

    public static async Task<int> RunAsync(string[] args)
    {
        string? dataDir = null;
        var runs = 3;
        var restSeconds = 60;
        string? app = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--data-dir": dataDir = args[i + 1]; break;
                case "--runs": runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--rest-seconds": restSeconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--app": app = args[i + 1]; break;
            }
        }

        var dll = Path.GetFullPath(app ?? Path.Combine("src", "CivicDesk.Web", "bin", "Release", "net10.0", "CivicDesk.Web.dll"));
        if (dataDir is null || !File.Exists(Path.Combine(dataDir, "civicdesk.db")) || runs < 1 || restSeconds < 0)
        {
            Console.Error.WriteLine("usage: startup --data-dir DIR (a seeded SQLite data directory) [--runs N] [--rest-seconds S] [--app PATH/CivicDesk.Web.dll (default: the Release build)]");
            return 2;
        }

        if (!File.Exists(dll))
        {
            Console.Error.WriteLine($"Build the app first: dotnet build src/CivicDesk.Web -c Release ({dll} is missing)");
            return 2;
        }

        Console.WriteLine($"CivicDesk warm start and memory at rest, {Environment.ProcessorCount} cores, load average {Load()}");
        var password = await PrepareAsync(dataDir);

        var empty = Directory.CreateTempSubdirectory("civicdesk-startup-empty-").FullName;
        try
        {
            Console.WriteLine($"{"run",-34} {"listening",10} {"/health",10} {"first page",11} {"CPU used",9} {"RSS at rest",12} {"RSS max",9}");
            var baseline = await StartOnceAsync(dll, empty, signIn: null, restSeconds: 0);
            Console.WriteLine(Row("baseline: empty data directory", baseline));
            Console.WriteLine("  " + baseline.CpuBySteps());
            var pages = new List<double>();
            var cpus = new List<double>();
            var rests = new List<double>();
            for (var run = 1; run <= runs; run++)
            {
                var r = await StartOnceAsync(dll, dataDir, (BenchEmail, password), run == runs ? restSeconds : 0);
                pages.Add(r.FirstPage.TotalMilliseconds);
                cpus.Add(r.CpuToPage);
                if (r.RestRss is not null)
                {
                    rests.Add(r.RestRss.Value);
                }

                Console.WriteLine(Row($"seeded database, run {run}", r));
                Console.WriteLine("  " + r.CpuBySteps());
            }

            pages.Sort();
            cpus.Sort();
            Console.WriteLine($"Warm start to first page: median {pages[pages.Count / 2] / 1000:F2} s (target ≤ 3 s), " +
                              $"{pages[pages.Count / 2] / Math.Max(1, baseline.Health.TotalMilliseconds):F1}× the empty app's start to /health; CPU to first page median {cpus[cpus.Count / 2]:F2} s " +
                              $"(the empty app's start to /health used {baseline.CpuToPage:F2} s); " +
                              (rests.Count > 0 ? $"memory at rest after {restSeconds} s: {rests[^1]:F0} MB (target ≤ 250 MB); " : "") +
                              $"load average {Load()}");
            return 0;
        }
        finally
        {
            try { Directory.Delete(empty, true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// <c>startup-model [--provider sqlite|postgres]</c>: in this fresh process, the CPU and wall time EF Core spends building
    /// the model on its first use (what the first request of a start pays), and then compiling a first query. Run it once
    /// per process: the second use of a model in a process is free.
    /// </summary>
    public static int Model(string[] args)
    {
        var postgres = args.Length >= 2 && args[0] == "--provider" && args[1] == "postgres";
        var cpu = System.Diagnostics.Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        var cpu0 = cpu.TotalProcessorTime;
        using CivicDeskDb db = postgres
            ? new PostgresDesignTimeFactory().CreateDbContext([])
            : new SqliteDesignTimeFactory().CreateDbContext([]);
        var entities = db.Model.GetEntityTypes().Count();
        cpu.Refresh();
        var cpu1 = cpu.TotalProcessorTime;
        var atModel = clock.Elapsed;
        var sql = db.Conversations.AsNoTracking().Where(c => c.AssignedTeamId == 1).OrderByDescending(c => c.LastMessageAt).Take(50).ToQueryString();
        cpu.Refresh();
        var cpu2 = cpu.TotalProcessorTime;
        var atQuery = clock.Elapsed;
        // What Migrate does before it applies anything unless PendingModelChangesWarning is ignored: build the last
        // migration's snapshot model and diff it against the model.
        var pending = db.Database.HasPendingModelChanges();
        cpu.Refresh();
        var cpu3 = cpu.TotalProcessorTime;
        Console.WriteLine($"{(postgres ? "PostgreSQL" : "SQLite")} model, {entities} entity types: built in {atModel.TotalSeconds:F2} s wall, " +
                          $"{(cpu1 - cpu0).TotalSeconds:F2} CPU s; first query compiled in {(atQuery - atModel).TotalSeconds:F2} s wall, " +
                          $"{(cpu2 - cpu1).TotalSeconds:F2} CPU s ({sql.Length} characters of SQL); pending model changes check ({pending}) " +
                          $"{(clock.Elapsed - atQuery).TotalSeconds:F2} s wall, {(cpu3 - cpu2).TotalSeconds:F2} CPU s; load average {Load()}");
        return 0;
    }

    private static string Row(string name, StartResult r) =>
        $"{name,-34} {r.Listening.TotalMilliseconds,8:F0}ms {r.Health.TotalMilliseconds,8:F0}ms {(r.FirstPage == TimeSpan.Zero ? "-" : r.FirstPage.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + "ms"),11} {r.CpuToPage,8:F2}s " +
        $"{(r.RestRss is null ? "-" : r.RestRss.Value.ToString("F0", CultureInfo.InvariantCulture) + " MB"),12} {(r.MaxRss is null ? "-" : r.MaxRss.Value.ToString("F0", CultureInfo.InvariantCulture) + " MB"),9}";

    // CpuToPage: CPU time the app process used from its start to the first page (or /health): what a start costs whatever
    // the machine's load, where the wall-clock figures depend on how much of the cores the process got.
    // Steps: the process's CPU seconds as each step ended, to see which step a start's CPU goes to.
    private sealed record StartResult(TimeSpan Listening, TimeSpan Health, TimeSpan FirstPage, double CpuToPage, double? RestRss, double? MaxRss,
        IReadOnlyList<(string Step, double Cpu)> Steps, string ByThread)
    {
        public string CpuBySteps()
        {
            var previous = 0.0;
            var parts = new List<string>();
            foreach (var (step, cpu) in Steps)
            {
                parts.Add($"{step} {cpu - previous:F2}");
                previous = cpu;
            }

            return "CPU s by step: " + string.Join(", ", parts) + "; by thread: " + ByThread;
        }
    }

    /// <summary>
    /// Once per database, in this process: apply migrations, let the aggregate worker catch up on what the seeding queued
    /// (so the measured start does not include a catch-up the seeding caused), and make an agent in the busiest team with a
    /// fresh password (the synthetic seeder makes no staff). Returns the password.
    /// </summary>
    private static async Task<string> PrepareAsync(string dataDir)
    {
        var clock = Stopwatch.StartNew();
        await using var factory = new Factory(dataDir);
        factory.StartServer();
        await using var scope = factory.Services.CreateAsyncScope();
        var marks = await scope.ServiceProvider.GetRequiredService<AggregateMaintainer>().DrainAsync(CancellationToken.None);
        await using var conn = new SqliteConnection(DataFeature.SqliteConnectionString(dataDir));
        await conn.OpenAsync();
        var (org, team) = await conn.QuerySingleAsync<(long, long)>(
            "SELECT \"OrganisationId\", \"AssignedTeamId\" FROM \"Conversations\" WHERE \"AssignedTeamId\" IS NOT NULL " +
            "GROUP BY \"OrganisationId\", \"AssignedTeamId\" ORDER BY COUNT(*) DESC LIMIT 1");
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffMember>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(Roles.Agent))
        {
            await roles.CreateAsync(new IdentityRole(Roles.Agent));
        }

        var password = "Bench-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        var member = await users.FindByEmailAsync(BenchEmail);
        if (member is null)
        {
            member = new StaffMember
            {
                UserName = BenchEmail, Email = BenchEmail, EmailConfirmed = true, DisplayName = "Start-up benchmark",
                OrganisationId = org, CreatedAt = DateTime.UtcNow,
            };
            member.Teams.Add(new TeamMembership { OrganisationId = org, StaffMemberId = member.Id, TeamId = team });
            Check(await users.CreateAsync(member, password));
            Check(await users.AddToRoleAsync(member, Roles.Agent));
        }
        else
        {
            Check(await users.RemovePasswordAsync(member));
            Check(await users.AddPasswordAsync(member, password));
        }

        Console.WriteLine($"Prepared in {clock.Elapsed.TotalSeconds:F1} s: migrations, aggregate catch-up of {marks:N0} dirty hours, " +
                          $"agent of team {team} in organisation {org}");
        return password;

        static void Check(IdentityResult result)
        {
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
            }
        }
    }

    private static async Task<StartResult> StartOnceAsync(string dll, string dataDir, (string Email, string Password)? signIn, int restSeconds)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "--contentRoot", Path.GetFullPath(Path.Combine("src", "CivicDesk.Web")), "--urls", address.ToString() })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CIVICDESK_DATA_DIR"] = dataDir;
        start.Environment["Demo__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (e.Data.Contains("Now listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The app exited on start-up:\n" + string.Join('\n', output)));
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromMinutes(5));
            var atListening = clock.Elapsed;
            var steps = new List<(string Step, double Cpu)> { ("listening", CpuSeconds(process.Id)) };
            using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() };
            using var http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
            (await http.GetAsync("/health")).EnsureSuccessStatusCode();
            var atHealth = clock.Elapsed;
            steps.Add(("/health", CpuSeconds(process.Id)));
            var atPage = TimeSpan.Zero;
            if (signIn is { } who)
            {
                var form = await http.GetStringAsync("/account/sign-in?ReturnUrl=%2Finbox");
                steps.Add(("sign-in form", CpuSeconds(process.Id)));
                var token = Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
                using var post = await http.PostAsync("/account/sign-in?ReturnUrl=%2Finbox", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["Input.Email"] = who.Email, ["Input.Password"] = who.Password, ["__RequestVerificationToken"] = token,
                }));
                if (post.StatusCode != HttpStatusCode.Redirect && post.StatusCode != HttpStatusCode.Found)
                {
                    throw new InvalidOperationException($"Sign-in answered {(int)post.StatusCode}, not a redirect (token found: {token.Length > 0})");
                }

                steps.Add(("sign-in", CpuSeconds(process.Id)));
                using var page = await http.GetAsync("/inbox");
                var html = await page.Content.ReadAsStringAsync();
                if (page.StatusCode != HttpStatusCode.OK || !html.Contains("Inbox", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"The inbox answered {(int)page.StatusCode}");
                }

                atPage = clock.Elapsed;
            }

            var cpu = CpuSeconds(process.Id);
            steps.Add((signIn is null ? "end" : "inbox", cpu));
            var byThread = CpuByThread(process.Id);

            double? rest = null, max = null;
            if (restSeconds > 0)
            {
                var until = DateTime.UtcNow.AddSeconds(restSeconds);
                while (DateTime.UtcNow < until)
                {
                    await Task.Delay(1000);
                    var now = Rss(process.Id);
                    max = Math.Max(max ?? 0, now);
                    rest = now;
                }
            }

            if (restSeconds > 0)
            {
                Console.WriteLine(RssByMapping(process.Id));
            }

            return new StartResult(atListening, atHealth, atPage, cpu, rest, max, steps, byThread);
        }
        catch
        {
            foreach (var line in output.TakeLast(40))
            {
                Console.Error.WriteLine("  app: " + line);
            }

            throw;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    /// <summary>User + system CPU seconds of a process so far, from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>
    /// CPU seconds so far by thread name (/proc/PID/task/*/stat), threads of one name summed: the runtime names its own
    /// (".NET Tiered Com" = tier-1 re-compilation, ".NET Server GC", ".NET TP Worker" = the thread pool, "dotnet" = main).
    /// </summary>
    private static string CpuByThread(int pid)
    {
        var byName = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var seconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
                byName[name] = byName.GetValueOrDefault(name) + seconds;
            }
            catch (IOException)
            {
                // The thread ended while we read.
            }
        }

        return string.Join(", ", byName.Where(kv => kv.Value >= 0.05).OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value:F2}"));
    }

    /// <summary>Resident set in MB from /proc (what the operating system charges the process, native SQLite cache included).</summary>
    private static double Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    /// <summary>
    /// Where the resident set is at rest, from /proc/PID/smaps: anonymous memory (the GC heap, SQLite's page caches, the
    /// runtime's own), the runtime's W^X double mapping of code (memfd:doublemapper) and the largest mapped files.
    /// </summary>
    private static string RssByMapping(int pid)
    {
        var byName = new Dictionary<string, long>(StringComparer.Ordinal);
        var name = "";
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
            {
                var path = fields.Length >= 6 ? string.Join(' ', fields[5..]) : "";
                name = path.Length == 0 || path.StartsWith('[') ? "anonymous" + (path.Length > 0 ? " " + path : "") : path.StartsWith("/memfd:", StringComparison.Ordinal) ? path : Path.GetFileName(path);
            }
            else if (fields.Length >= 2 && fields[0] == "Rss:")
            {
                byName[name] = byName.GetValueOrDefault(name) + long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }

        var files = byName.Where(kv => !kv.Key.StartsWith("anonymous", StringComparison.Ordinal) && !kv.Key.StartsWith("/memfd:", StringComparison.Ordinal)).ToList();
        var top = byName.OrderByDescending(kv => kv.Value).Take(14).Select(kv => $"{kv.Key} {kv.Value / 1024.0:F1}");
        return $"  RSS at rest by mapping (MB): mapped files {files.Sum(kv => kv.Value) / 1024.0:F1} in {files.Count} files; largest: {string.Join(", ", top)}";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private sealed class Factory(string dir) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var web = Path.GetFullPath(Path.Combine("src", "CivicDesk.Web"));
            builder.UseContentRoot(Directory.Exists(web) ? web : AppContext.BaseDirectory);
            builder.UseSetting("CIVICDESK_DATA_DIR", dir);
            builder.UseSetting("Dashboards:AggregateWorker", "false");
            builder.UseSetting("Demo:Enabled", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "None");
        }
    }
}
