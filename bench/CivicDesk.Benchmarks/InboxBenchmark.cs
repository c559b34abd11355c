using System.Diagnostics;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Cases;
using CivicDesk.Web.Features.Inbox;
using CivicDesk.Web.Platform;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Benchmarks;

/// <summary>
/// The inbox and the case search on a database seeded beforehand (<c>civicdesk seed --synthetic N</c>), issue 13 part 4:
/// <code>dotnet run -c Release --project bench/CivicDesk.Benchmarks -- inbox --data-dir DIR [--runs N]</code> (SQLite) or
/// <code>... -- inbox --postgres "Host=...;Database=..." [--runs N]</code>.
/// Each figure is p50/p95 of the database work of one page view through the code the pages run, not HTTP and Razor
/// rendering: the inbox view is <see cref="InboxQuery.LoadAsync"/>, which the inbox page calls (mentions left out: one
/// indexed look-up); the case search is the list's count and first page of rows. Baseline in the same run: one
/// conversation by primary key. <c>--sql "VIEW NAME"</c> runs one view once and prints each SQL statement it ran, its
/// time, and its plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL); a case search's name (with its
/// quotes: <c>--sql '"pothole"'</c>) does the same for that search.
/// </summary>
public static class InboxBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? dataDir = null, postgres = null, sql = null;
        var runs = 20;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--data-dir": dataDir = args[i + 1]; break;
                case "--postgres": postgres = args[i + 1]; break;
                case "--sql": sql = args[i + 1]; break;
                case "--runs": runs = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }

        if (dataDir is null == postgres is null)
        {
            Console.Error.WriteLine("usage: inbox --data-dir DIR | --postgres CONNECTION-STRING [--runs N] [--sql \"VIEW NAME\"]");
            return 2;
        }

        Console.WriteLine($"CivicDesk inbox and case search benchmark on an existing {(postgres is null ? "SQLite database in " + dataDir : "PostgreSQL database")}, {Environment.ProcessorCount} cores, load average {Load()}");
        var clock = Stopwatch.StartNew();
        await using var factory = new Factory(dataDir ?? Directory.CreateTempSubdirectory("civicdesk-inbox-bench-").FullName, postgres);
        factory.StartServer(); // applies migrations (InboxPaging, CaseTextSearch build their indexes on first start)
        Console.WriteLine($"Started (migrations applied) in {clock.Elapsed.TotalSeconds:F1} s");
        System.Data.Common.DbConnection conn = postgres is null
            ? new SqliteConnection(DataFeature.SqliteConnectionString(dataDir!))
            : new Npgsql.NpgsqlConnection(postgres);
        await using var _ = conn;
        await conn.OpenAsync();
        var (org, conversations) = await conn.QuerySingleAsync<(long, long)>(
            "SELECT \"OrganisationId\", COUNT(*) FROM \"Conversations\" GROUP BY \"OrganisationId\" ORDER BY COUNT(*) DESC LIMIT 1");
        var messages = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM \"Messages\"");
        var cases = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM \"Cases\"");
        var team = await conn.ExecuteScalarAsync<long>("SELECT \"AssignedTeamId\" FROM \"Conversations\" WHERE \"OrganisationId\" = @org AND \"AssignedTeamId\" IS NOT NULL LIMIT 1", new { org });
        var staff = await conn.ExecuteScalarAsync<string?>("SELECT \"AssignedStaffId\" FROM \"Conversations\" WHERE \"OrganisationId\" = @org AND \"AssignedStaffId\" IS NOT NULL LIMIT 1", new { org });
        var kind = await conn.ExecuteScalarAsync<string?>("SELECT \"Kind\" FROM \"Conversations\" WHERE \"OrganisationId\" = @org AND \"Kind\" IS NOT NULL LIMIT 1", new { org });
        var category = await conn.ExecuteScalarAsync<string?>("SELECT \"Category\" FROM \"Conversations\" WHERE \"OrganisationId\" = @org AND \"Category\" IS NOT NULL LIMIT 1", new { org });
        var conversationRef = await conn.ExecuteScalarAsync<string>("SELECT \"Reference\" FROM \"Conversations\" WHERE \"OrganisationId\" = @org AND \"Status\" IN ('New', 'Open', 'WaitingOnCitizen') ORDER BY \"Id\" DESC LIMIT 1", new { org });
        var caseRef = await conn.ExecuteScalarAsync<string?>("SELECT \"Reference\" FROM \"Cases\" WHERE \"OrganisationId\" = @org ORDER BY \"Id\" DESC LIMIT 1", new { org });
        Console.WriteLine($"{messages:N0} messages, {conversations:N0} conversations in organisation {org}, {cases:N0} cases");

        // Baseline: one conversation by primary key, random ids.
        var (minId, maxId) = await conn.QuerySingleAsync<(long, long)>("SELECT MIN(\"Id\"), MAX(\"Id\") FROM \"Conversations\"");
        var random = new Random(7);
        var lookups = new List<double>();
        for (var i = 0; i < 500; i++)
        {
            var id = random.NextInt64(minId, maxId + 1);
            var one = Stopwatch.StartNew();
            await conn.ExecuteScalarAsync<string>("SELECT \"Subject\" FROM \"Conversations\" WHERE \"Id\" = @id", new { id });
            lookups.Add(one.Elapsed.TotalMilliseconds);
        }

        lookups.Sort();
        var baseline = lookups[lookups.Count / 2];
        Console.WriteLine($"Baseline: one conversation by primary key   p50 {baseline:F2} ms, p95 {lookups[(int)(lookups.Count * 0.95)]:F2} ms (500 lookups)");

        var admin = new StaffViewer("bench-admin", "Bench admin", new HashSet<string> { Roles.Admin }, new HashSet<long>(), false, true);
        var agent = new StaffViewer("bench-agent", "Bench agent", new HashSet<string> { Roles.Agent }, new HashSet<long> { team }, false, true);
        string? secondPage = null;
        var inboxCases = new List<(string Name, StaffViewer Viewer, Func<InboxFilter> Filter)>
        {
            ("first page, no filter", admin, () => new InboxFilter()),
            ("status Closed", admin, () => new InboxFilter { Status = [ConversationStatus.Closed] }),
            ("team", admin, () => new InboxFilter { Team = team }),
            ("agent (team-scoped viewer)", agent, () => new InboxFilter()),
            ("channel Bluesky", admin, () => new InboxFilter { Channel = ChannelKind.Bluesky }),
            ("assigned person", new StaffViewer(staff ?? "nobody", "Staff", new HashSet<string> { Roles.Admin }, new HashSet<long>(), false, true), () => new InboxFilter { Mine = true }),
            ($"kind {kind}", admin, () => new InboxFilter { Kind = kind }),
            ($"category {category}", admin, () => new InboxFilter { Category = category }),
            ("urgent", admin, () => new InboxFilter { Urgent = true }),
            ("needs a human", admin, () => new InboxFilter { NeedsHuman = true }),
            ("overdue", admin, () => new InboxFilter { Overdue = true }),
            ("sort newest", admin, () => new InboxFilter { Sort = InboxSort.Newest }),
            ("page 2 via cursor", admin, () => new InboxFilter { After = secondPage }),
            ("text search \"bin\"", admin, () => new InboxFilter { Q = "bin" }),
            ("text search \"road pothole\"", admin, () => new InboxFilter { Q = "road pothole" }),
            ("text search by reference", admin, () => new InboxFilter { Q = conversationRef }),
        };

        var caseSearches = new List<(string Name, StaffViewer Viewer, CaseFilter Filter)>();
        foreach (var q in new[] { "pothole", "pothol", "street light", "bin collection", "road", caseRef ?? "CS-000000", "fly tipping lane" })
        {
            caseSearches.Add(($"\"{q}\"", admin, new CaseFilter { Q = q, AllStatuses = true }));
        }

        caseSearches.Add(("\"pothole\", open cases (the default)", admin, new CaseFilter { Q = "pothole" }));
        caseSearches.Add(("\"pothole\", page 3", admin, new CaseFilter { Q = "pothole", AllStatuses = true, Page = 3 }));
        caseSearches.Add(("\"pothole\", oldest first", admin, new CaseFilter { Q = "pothole", AllStatuses = true, Sort = CaseSort.Oldest }));
        caseSearches.Add(("\"pothole\", highest priority first", admin, new CaseFilter { Q = "pothole", AllStatuses = true, Sort = CaseSort.Priority }));
        caseSearches.Add(("\"pothole\", highest priority first, page 8", admin, new CaseFilter { Q = "pothole", AllStatuses = true, Sort = CaseSort.Priority, Page = 8 }));
        caseSearches.Add(("\"pothole\", due soonest first", admin, new CaseFilter { Q = "pothole", AllStatuses = true, Sort = CaseSort.Due }));
        caseSearches.Add(("\"road\", open cases, highest priority first", admin, new CaseFilter { Q = "road", Sort = CaseSort.Priority }));
        caseSearches.Add(("\"pothole\", agent (team-scoped)", agent, new CaseFilter { Q = "pothole", AllStatuses = true }));

        if (sql is not null)
        {
            var view = inboxCases.Find(c => c.Name.Equals(sql, StringComparison.OrdinalIgnoreCase));
            var search = caseSearches.Find(c => c.Name.Equals(sql, StringComparison.OrdinalIgnoreCase));
            if (search.Name is not null)
            {
                await CaseSearchAsync(factory, org, search.Viewer, search.Filter); // warm
                await ExplainAsync(conn, postgres is not null, () => CaseSearchAsync(factory, org, search.Viewer, search.Filter));
                return 0;
            }

            if (view.Name is null)
            {
                Console.Error.WriteLine($"no view \"{sql}\"; the views: {string.Join(", ", inboxCases.Select(c => "\"" + c.Name + "\"").Concat(caseSearches.Select(c => "'" + c.Name + "'")))}");
                return 2;
            }

            if (view.Name == "page 2 via cursor")
            {
                secondPage = (await InboxViewAsync(factory, org, admin, new InboxFilter())).Next;
            }

            await InboxViewAsync(factory, org, view.Viewer, view.Filter()); // warm
            await ExplainAsync(conn, postgres is not null, () => InboxViewAsync(factory, org, view.Viewer, view.Filter()));
            return 0;
        }

        Console.WriteLine($"{"Inbox view (database work)",-44} {"p50",8} {"p95",8} {"CPU",8}  rows  total");
        foreach (var (name, viewer, filter) in inboxCases)
        {
            var (p50, p95, cpu, rows, total, next) = await TimeAsync(runs, () => InboxViewAsync(factory, org, viewer, filter()));
            secondPage ??= next;
            Console.WriteLine($"{name,-44} {p50,6:F1}ms {p95,6:F1}ms {cpu,6:F1}ms  {rows,4}  {(total > InboxFilter.CountCap ? "1000+" : total.ToString(System.Globalization.CultureInfo.InvariantCulture)),5}   {p50 / baseline,6:N0}x baseline");
        }

        Console.WriteLine($"{"Case search by text (count + first page)",-44} {"p50",8} {"p95",8} {"CPU",8}  rows  total");
        foreach (var (name, viewer, filter) in caseSearches)
        {
            var (p50, p95, cpu, rows, total, _) = await TimeAsync(runs, () => CaseSearchAsync(factory, org, viewer, filter));
            Console.WriteLine($"{name,-44} {p50,6:F1}ms {p95,6:F1}ms {cpu,6:F1}ms  {rows,4}  {(total > CaseFilter.CountCap ? "1000+" : total.ToString(System.Globalization.CultureInfo.InvariantCulture)),5}   {p50 / baseline,6:N0}x baseline");
        }

        Console.WriteLine($"load average at end {Load()}");
        return 0;
    }

    /// <summary>
    /// Wall-clock p50/p95 of <paramref name="work"/>, and the process CPU time it took on average: on a machine shared
    /// at a load average of 20–40 the wall clock measures mostly the wait for a core, CPU time the work itself.
    /// </summary>
    private static async Task<(double P50, double P95, double Cpu, int Rows, int Total, string? Next)> TimeAsync(int runs,
        Func<Task<(int Rows, int Total, string? Next)>> work)
    {
        var times = new List<double>();
        (int Rows, int Total, string? Next) last = default;
        var process = Process.GetCurrentProcess();
        var cpu = TimeSpan.Zero;
        for (var i = 0; i < runs + 2; i++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var one = Stopwatch.StartNew();
            last = await work();
            if (i >= 2)
            {
                times.Add(one.Elapsed.TotalMilliseconds);
                process.Refresh();
                cpu += process.TotalProcessorTime - cpuBefore;
            }
        }

        times.Sort();
        return (times[times.Count / 2], times[Math.Min(times.Count - 1, (int)(times.Count * 0.95))], cpu.TotalMilliseconds / runs, last.Rows, last.Total, last.Next);
    }

    /// <summary>The database work of one inbox view: what IndexModel.OnGetAsync runs (mentions left out: one indexed look-up).</summary>
    private static async Task<(int Rows, int Total, string? Next)> InboxViewAsync(Factory factory, long org, StaffViewer viewer, InboxFilter filter)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(org);
        var view = await scope.ServiceProvider.GetRequiredService<InboxQuery>().LoadAsync(viewer, filter, DateTime.UtcNow, [], CancellationToken.None);
        return (view.Rows.Count, view.Total, view.NextCursor);
    }

    /// <summary>Runs <paramref name="work"/> once, capturing EF Core's commands, then prints each with its time and plan.</summary>
    private static async Task ExplainAsync(System.Data.Common.DbConnection conn, bool postgres, Func<Task<(int, int, string?)>> work)
    {
        var commands = new List<(string Sql, List<(string Name, object? Value)> Parameters, double Ms)>();
        // A warm view should compile no query: EF Core caches each query shape, and a miss costs milliseconds of CPU.
        var compilations = 0;
        using var subscription = DiagnosticListener.AllListeners.Subscribe(new Observer<DiagnosticListener>(listener =>
        {
            if (listener.Name == DbLoggerCategory.Name)
            {
                listener.Subscribe(new Observer<KeyValuePair<string, object?>>(e =>
                {
                    if (e.Key == CoreEventId.QueryCompilationStarting.Name)
                    {
                        compilations++;
                    }

                    if (e.Key == Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandExecuted.Name
                        && e.Value is Microsoft.EntityFrameworkCore.Diagnostics.CommandExecutedEventData d)
                    {
                        commands.Add((d.Command.CommandText, [.. d.Command.Parameters.Cast<System.Data.Common.DbParameter>().Select(p => (p.ParameterName, p.Value))],
                            d.Duration.TotalMilliseconds));
                    }
                }));
            }
        }));
        var clock = Stopwatch.StartNew();
        await work();
        Console.WriteLine($"One view: {clock.Elapsed.TotalMilliseconds:F1} ms, {commands.Count} statements, {compilations} EF Core query compilations");
        foreach (var (text, parameters, ms) in commands)
        {
            Console.WriteLine($"\n-- {ms:F2} ms  [{string.Join(", ", parameters.Select(p => p.Name + "=" + p.Value))}]\n{text}");
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = (postgres ? "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " : "EXPLAIN QUERY PLAN ") + text;
            foreach (var (name, value) in parameters)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = name;
                p.Value = value ?? DBNull.Value;
                cmd.Parameters.Add(p);
            }

            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                Console.WriteLine("   plan: " + reader.GetValue(reader.FieldCount - 1));
            }
        }
    }

    private sealed class Observer<T>(Action<T> next) : IObserver<T>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(T value) => next(value);
    }

    /// <summary>The case list's database work for a text search: the capped count and one page of rows (<see cref="CaseList.PageAsync"/>, what Features/Cases/Index.cshtml.cs runs).</summary>
    private static async Task<(int, int, string?)> CaseSearchAsync(Factory factory, long org, StaffViewer viewer, CaseFilter template)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(org);
        var list = scope.ServiceProvider.GetRequiredService<CaseList>();
        // A copy each time: PageAsync moves a page past the end back to the last one.
        var filter = new CaseFilter { Q = template.Q, AllStatuses = template.AllStatuses, Sort = template.Sort, Page = template.Page };
        var page = await list.PageAsync(filter, viewer, DateTime.UtcNow, CancellationToken.None);
        return (page.Rows.Count, page.Total, null);
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private sealed class Factory(string dir, string? postgres = null) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var web = Path.GetFullPath(Path.Combine("src", "CivicDesk.Web"));
            builder.UseContentRoot(Directory.Exists(web) ? web : AppContext.BaseDirectory);
            builder.UseSetting("CIVICDESK_DATA_DIR", dir);
            builder.UseSetting("Database:Provider", postgres is null ? "Sqlite" : "Postgres");
            if (postgres is not null)
            {
                builder.UseSetting("ConnectionStrings:CivicDesk", postgres);
            }

            builder.UseSetting("Dashboards:AggregateWorker", "false");
            builder.UseSetting("Demo:Enabled", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "None");
        }
    }
}
