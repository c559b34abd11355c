using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Participation;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Benchmarks;

/// <summary>
/// <c>participation [--citizens N] [--seconds N] [--features N]</c>, issue 10's numbers, on the real app (Kestrel on
/// 127.0.0.1, free port, temporary SQLite):
/// <list type="bullet">
/// <item>Support clicks per second on one idea: N citizens (default 100), each signed in by the emailed link (mail
/// written to the pickup folder and read back), click "Support this idea" over and over, concurrently, for the given
/// seconds. Each click is a real form POST with its antiforgery token (<c>INSERT … ON CONFLICT DO NOTHING</c>). Afterwards
/// the idea must have exactly N supports. Baseline in the same run: GET /health with the same connections.</item>
/// <item>GeoJSON import of N features (default 10,000 lines of 3–12 points): <c>MapProjects.ImportAsync</c> (read and check
/// the whole file with NetTopologySuite, then store every feature in one transaction, audited). Baseline in the same
/// run: <c>JsonDocument.Parse</c> of the same bytes.</item>
/// </list>
/// Prints the load average (the machine is shared). Stops by itself.
/// </summary>
public static partial class ParticipationBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        int citizens = 100, seconds = 10, features = 10_000;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var ok = int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v);
            switch (args[i])
            {
                case "--citizens" when ok && v is >= 1 and <= 500: citizens = v; break;
                case "--seconds" when ok && v is >= 1 and <= 60: seconds = v; break;
                case "--features" when ok && v is >= 1 and <= MapGeoJson.MaxFeatures: features = v; break;
                default:
                    await Console.Error.WriteLineAsync("usage: participation [--citizens 1-500 (100)] [--seconds 1-60 (10)] [--features 1-50000 (10000)]");
                    return 2;
            }
        }

        var dir = Directory.CreateTempSubdirectory("civicdesk-participation-bench-").FullName;
        try
        {
            using var factory = new BenchFactory(dir);
            factory.UseKestrel(0);
            factory.StartServer();
            var (orgId, slug, ideaPath) = await SetUpAsync(factory.Services);
            Console.WriteLine($"participation: app on {factory.ClientOptions.BaseAddress}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");

            var failed = await SupportClicksAsync(factory.ClientOptions.BaseAddress, dir, citizens, seconds, ideaPath, factory.Services, orgId);
            failed |= await ImportAsync(factory.Services, orgId, features);
            Console.WriteLine($"load average after: {LoadAverage()}");
            return failed ? 1 : 0;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task<bool> SupportClicksAsync(Uri baseAddress, string dir, int count, int seconds, string ideaPath, IServiceProvider services, long orgId)
    {
        var sw = Stopwatch.StartNew();
        var clients = new List<(HttpClient Client, string Token)>(count);
        for (var n = 0; n < count; n++)
        {
            var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() };
            var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
            var email = $"citizen{n}@bench.example";
            var form = await client.GetStringAsync("/participate/sign-in");
            (await client.PostAsync("/participate/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Email"] = email, ["__RequestVerificationToken"] = Token(form),
            }))).EnsureSuccessOrRedirect();
            var link = await LinkFromMailAsync(Path.Combine(dir, "mail"), email);
            (await client.GetAsync(new Uri(link).PathAndQuery)).EnsureSuccessOrRedirect();
            var page = await client.GetStringAsync(ideaPath);
            clients.Add((client, Token(page)));
        }

        Console.WriteLine($"{count} citizens signed in by emailed link in {sw.Elapsed.TotalSeconds:0.0} s");
        var health = await RunForAsync(clients.Select(c => c.Client).ToList(), _ => new HttpRequestMessage(HttpMethod.Get, "/health"), TimeSpan.FromSeconds(seconds));
        var support = await RunForAsync(clients.Select(c => c.Client).ToList(), i => new HttpRequestMessage(HttpMethod.Post, ideaPath + "?handler=Support")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = clients[i].Token }),
        }, TimeSpan.FromSeconds(seconds));

        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(orgId);
        var supports = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().IdeaSupports.CountAsync();
        Console.WriteLine();
        Console.WriteLine("| Scenario | Clients | Calls | Errors | Calls/s | p50 ms | p95 ms | vs baseline |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, r) in new[] { ("GET /health (baseline)", health), ("POST Support on one idea", support) })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {count} | {r.Calls} | {r.Errors} | {r.PerSecond:0} | {r.P50:0.0} | {r.P95:0.0} | {r.PerSecond / health.PerSecond:0.000} |"));
        }

        Console.WriteLine($"supports stored after {support.Calls} clicks: {supports} (expected {count}: {(supports == count ? "each citizen counted once" : "WRONG")})");
        foreach (var (client, _) in clients)
        {
            client.Dispose();
        }

        return supports != count || support.Errors > 0;
    }

    private static async Task<bool> ImportAsync(IServiceProvider services, long orgId, int count)
    {
        var bytes = Encoding.UTF8.GetBytes(Lines(count));
        // Baseline: only parsing the same bytes as JSON (no geometry, no checks, no storage).
        var parse = Stopwatch.StartNew();
        using (JsonDocument.Parse(bytes))
        {
        }

        parse.Stop();
        var read = Stopwatch.StartNew();
        var (parsed, problem) = await MapGeoJson.ReadAsync(new MemoryStream(bytes), MapGeometryKind.Line, CancellationToken.None);
        read.Stop();
        if (problem is not null || parsed!.Count != count)
        {
            Console.WriteLine($"import: the generated file was refused: {problem}");
            return true;
        }

        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(orgId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var project = await db.MapProjects.FirstAsync();
        var maps = scope.ServiceProvider.GetRequiredService<MapProjects>();
        var import = Stopwatch.StartNew();
        var result = await maps.ImportAsync(project, new MemoryStream(bytes), "bench.geojson", CancellationToken.None);
        import.Stop();
        var stored = await db.MapFeatures.CountAsync(f => f.MapProjectId == project.Id);
        Console.WriteLine();
        Console.WriteLine("| GeoJSON import | Features | MB | Seconds | vs JSON parse |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| JsonDocument.Parse (baseline) | {count} | {bytes.Length / 1048576.0:0.0} | {parse.Elapsed.TotalSeconds:0.000} | 1 |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| MapGeoJson.ReadAsync (read + check, NTS) | {count} | {bytes.Length / 1048576.0:0.0} | {read.Elapsed.TotalSeconds:0.000} | {read.Elapsed / parse.Elapsed:0.0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| MapProjects.ImportAsync (read + check + store, one transaction) | {count} | {bytes.Length / 1048576.0:0.0} | {import.Elapsed.TotalSeconds:0.000} | {import.Elapsed / parse.Elapsed:0.0} |"));
        Console.WriteLine($"features stored: {stored} (expected {count})");
        return result.Problem is not null || stored != count;
    }

    /// <summary>A FeatureCollection of ditch-like lines around Errol (3–12 points each, fixed seed), with attributes.</summary>
    private static string Lines(int count)
    {
        var random = new Random(10);
        var conditions = new[] { "good", "blocked", "collapsed" };
        var sb = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[");
        for (var i = 0; i < count; i++)
        {
            double lon = -3.3 + (random.NextDouble() * 0.2), lat = 56.35 + (random.NextDouble() * 0.1);
            sb.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"{{\"type\":\"Feature\",\"id\":\"ditch-{i}\",\"geometry\":{{\"type\":\"LineString\",\"coordinates\":[");
            var points = random.Next(3, 13);
            for (var p = 0; p < points; p++)
            {
                lon += (random.NextDouble() - 0.3) * 0.001;
                lat += (random.NextDouble() - 0.5) * 0.001;
                sb.Append(p == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"[{Math.Round(lon, 6)},{Math.Round(lat, 6)}]");
            }

            sb.Append(CultureInfo.InvariantCulture, $"]}},\"properties\":{{\"condition\":\"{conditions[random.Next(3)]}\",\"width_m\":{random.Next(1, 40) / 10.0}}}}}");
        }

        return sb.Append("]}").ToString();
    }

    private sealed record Result(int Calls, int Errors, double PerSecond, double P50, double P95);

    private static async Task<Result> RunForAsync(List<HttpClient> clients, Func<int, HttpRequestMessage> make, TimeSpan duration)
    {
        var latencies = new List<double>[clients.Count];
        var errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients.Count).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = [];
            while (clock.Elapsed < duration)
            {
                using var request = make(c);
                var started = Stopwatch.GetTimestamp();
                using var response = await clients[c].SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if ((int)response.StatusCode >= 400)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Q(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)];
        return new Result(all.Length, errors, all.Length / elapsed, Q(0.50), Q(0.95));
    }

    private static void EnsureSuccessOrRedirect(this HttpResponseMessage response)
    {
        if ((int)response.StatusCode >= 400)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: HTTP {(int)response.StatusCode}");
        }
    }

    private static string Token(string html) => AntiforgeryToken().Match(html) is { Success: true } m
        ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("no antiforgery token");

    /// <summary>The sign-in link in the mail to <paramref name="email"/>, from the pickup folder (waits up to 10 s).</summary>
    private static async Task<string> LinkFromMailAsync(string folder, string email)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (Directory.Exists(folder))
            {
                foreach (var file in Directory.EnumerateFiles(folder, "*.eml"))
                {
                    var message = await MimeKit.MimeMessage.LoadAsync(file);
                    if (message.To.Mailboxes.Any(m => m.Address == email) && SignInLink().Match(message.TextBody ?? "") is { Success: true } link)
                    {
                        File.Delete(file);
                        return link.Value;
                    }
                }
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"no sign-in mail for {email}");
    }

    private static async Task<(long OrgId, string Slug, string IdeaPath)> SetUpAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = DateTime.UtcNow;
        var org = new Organisation { Slug = "bench", Name = "Bench council", CreatedAt = now, EmergencyAdvice = "In an emergency call 999." };
        db.Organisations.Add(org);
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(org.Id);
        var team = new Team { OrganisationId = org.Id, Name = "Highways", Slug = "highways", IsDefault = true, CreatedAt = now };
        db.Teams.Add(team);
        db.Channels.Add(new Channel { OrganisationId = org.Id, Kind = ChannelKind.WebForm, Name = "Web form", CreatedAt = now });
        await db.SaveChangesAsync();
        var challenge = new Challenge
        {
            OrganisationId = org.Id, Slug = "scrap-forms", Title = "Which forms should we scrap?", Question = "Which forms waste your time?",
            OwnerTeamId = team.Id, OpensAt = now.AddDays(-1), ClosesAt = now.AddDays(30), CreatedAt = now,
        };
        db.Challenges.Add(challenge);
        db.MapProjects.Add(new MapProject { OrganisationId = org.Id, Slug = "ditches", Title = "Ditches", OwnerTeamId = team.Id, Geometry = MapGeometryKind.Line, CreatedAt = now });
        await db.SaveChangesAsync();
        var idea = new Idea
        {
            OrganisationId = org.Id, ChallengeId = challenge.Id, Title = "Renew parking permits online", Text = "The paper form takes weeks.",
            State = ContributionState.Visible, CreatedAt = now,
        };
        db.Ideas.Add(idea);
        await db.SaveChangesAsync();
        return (org.Id, challenge.Slug, $"/participate/{challenge.Slug}/ideas/{idea.Id}");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex(@"https?://\S+/participate/sign-in/[A-Za-z0-9_\-]+")]
    private static partial Regex SignInLink();

    private sealed class BenchFactory(string dataDir) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
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
            builder.UseSetting("Public:OrganisationSlug", "bench");
            builder.UseSetting("Email:PickupDirectory", "true");
            builder.UseSetting("Citizens:ContributionBurst", "1000000");
            builder.UseSetting("Citizens:RequestsPerAddressPerTenMinutes", "100000");
            builder.UseSetting("RateLimits:PublicPageViewsPerMinute", "10000000");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "None");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Error");
        }
    }
}
