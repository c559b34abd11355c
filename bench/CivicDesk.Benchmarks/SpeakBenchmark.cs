using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Incidents;
using CivicDesk.Web.Features.Newsroom;
using CivicDesk.Web.Features.Publishing;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Publishing;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Benchmarks;

/// <summary>
/// <c>speak [--posts N (default 10000)] [--rounds N (default 20)]</c>: the numbers issue 9 asks for, on the real app
/// (Kestrel on 127.0.0.1, temporary SQLite) with fake Bluesky, Mastodon, X and Facebook servers on 127.0.0.1:
/// <list type="number">
/// <item>publish → delivered on all four channels (one image each), against a baseline of the four networks' create
/// calls made directly, one after another, in the same process;</item>
/// <item>the newsroom's Atom, RSS and JSON feeds over a newsroom of N published posts (each feed carries the newest 50),
/// against GET /health on the same stack, and writing all N entries as Atom in memory;</item>
/// <item>live page latency: from an incident update being saved to a citizen's page (polling the way the htmx page
/// does, every <c>Incidents:LiveRefreshSeconds</c>) receiving it, against the poll request alone.</item>
/// </list>
/// Loopback only; bounded by the rounds; prints the load average.
/// </summary>
public static class SpeakBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        int posts = 10_000, rounds = 20;
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1;
            switch (args[i])
            {
                case "--posts" when value is >= 100 and <= 200_000: posts = value; break;
                case "--rounds" when value is >= 1 and <= 200: rounds = value; break;
                default:
                    await Console.Error.WriteLineAsync("usage: speak [--posts N (100-200000, default 10000)] [--rounds N (1-200, default 20)]");
                    return 2;
            }
        }

        await using var fake = await FakeSocialNetworks.StartAsync();
        using var factory = new BenchFactory();
        factory.UseKestrel(0);
        factory.StartServer();
        using var http = new HttpClient { BaseAddress = factory.ClientOptions.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var org = await factory.OrganisationAsync();
        var channels = await FakeSocialNetworks.ConnectChannelsAsync(factory, org, fake.BaseUrl);
        Console.WriteLine($"speak: app on {http.BaseAddress}, fake networks on {fake.BaseUrl}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");

        await PublishAsync(factory, org, channels, fake, rounds);
        await FeedsAsync(factory, org, http, posts, rounds);
        await LiveAsync(factory, org, http, rounds);
        Console.WriteLine($"load average after: {LoadAverage()}");
        return 0;
    }

    private static async Task PublishAsync(BenchFactory factory, TestOrganisation org, Dictionary<ChannelKind, long> channels, FakeSocialNetworks fake, int rounds)
    {
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");
        var latencies = new List<double>();
        for (var r = 0; r <= rounds; r++)
        {
            long id;
            await using (var scope = factory.ScopeFor(org.Id))
            {
                AsComms(scope.ServiceProvider, org);
                var created = await scope.ServiceProvider.GetRequiredService<PublicationService>().CreateAsync(new PublicationRequest(
                    $"Bench post {r}: the Pump Room opens at 9am.", [.. channels.Values.Select(c => new PublicationTarget(c))],
                    [new PublicationImageInput("room.png", png, "The Pump Room")], "https://council.example/news/pump-room"), CancellationToken.None);
                id = created.Id ?? throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Message)));
            }

            while (await factory.WithDbAsync(org.Id, db => db.PublicationDeliveries.CountAsync(d => d.PublicationId == id && d.State != DeliveryState.Delivered)) > 0)
            {
                await Task.Delay(20);
            }

            // The app's own timestamps (created → the last channel recorded as delivered), not this loop's polling.
            var (createdAt, deliveredAt) = await factory.WithDbAsync(org.Id, async db => (
                await db.Publications.Where(p => p.Id == id).Select(p => p.CreatedAt).SingleAsync(),
                await db.PublicationDeliveries.Where(d => d.PublicationId == id).MaxAsync(d => d.DeliveredAt!.Value)));
            if (r > 0)
            {
                latencies.Add((deliveredAt - createdAt).TotalMilliseconds);   // round 0 warms up (JIT, sessions)
            }
        }

        // Baseline: one create call per network, straight to the same fake servers, one after another.
        using var direct = new HttpClient { BaseAddress = fake.BaseUrl };
        var baseline = new List<double>();
        for (var r = 0; r <= rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            using (var masto = new HttpRequestMessage(HttpMethod.Post, "mastodon/api/v1/statuses") { Content = JsonContent($$"""{"status":"direct {{r}}"}""") })
            {
                masto.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                (await direct.SendAsync(masto)).EnsureSuccessStatusCode();
            }

            (await direct.PostAsync("bsky/xrpc/com.atproto.repo.createRecord", JsonContent($$$"""{"repo":"{{{FakeSocialNetworks.Did}}}","collection":"app.bsky.feed.post","rkey":"direct{{{r}}}x{{{Guid.NewGuid():N}}}","record":{"text":"direct"}}"""))).EnsureSuccessStatusCode();
            (await direct.PostAsync("x/2/tweets", JsonContent($$"""{"text":"direct {{r}}"}"""))).EnsureSuccessStatusCode();
            (await direct.PostAsync("fb/1234/feed", new FormUrlEncodedContent(new Dictionary<string, string> { ["message"] = $"direct {r}" }))).EnsureSuccessStatusCode();
            if (r > 0)
            {
                baseline.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        Console.WriteLine();
        Console.WriteLine("### Publish → delivered on Bluesky, Mastodon, X and Facebook (one image, fake networks on loopback)");
        Console.WriteLine("| | rounds | p50 ms | p95 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Row("CivicDesk: create → all four delivered (uploads, alt text, claim, record)", latencies);
        Row("Baseline: the four create calls made directly, one after another", baseline);
        Console.WriteLine($"ratio p50 CivicDesk / baseline: {Percentile(latencies, 0.5) / Percentile(baseline, 0.5):0.0}");
    }

    private static async Task FeedsAsync(BenchFactory factory, TestOrganisation org, HttpClient http, int posts, int rounds)
    {
        var seed = Stopwatch.StartNew();
        var start = DateTime.UtcNow.AddDays(-posts / 10.0);
        for (var done = 0; done < posts; done += 1000)
        {
            await using var scope = factory.ScopeFor(org.Id);
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            for (var i = done; i < Math.Min(posts, done + 1000); i++)
            {
                var at = start.AddMinutes(i * 144);
                db.NewsPosts.Add(new NewsPost
                {
                    OrganisationId = org.Id, Slug = $"bench-post-{i}", Title = $"Bench post {i}: road resurfacing on street {i % 300}",
                    Summary = "Resurfacing work, diversions and bus stops affected.", BodyMarkdown = $"## What is happening\n\nWork on street {i % 300} starts at **8am**.\n\n* Diversion via the ring road\n* Bus stops moved",
                    Tags = i % 3 == 0 ? "|roads|" : "|roads|transport|", Status = NewsPostStatus.Published, PublishedAt = at, CreatedAt = at, UpdatedAt = at,
                    AuthorId = org.Staff[Roles.Comms].Id, AuthorName = "Comms officer",
                });
            }

            await db.SaveChangesAsync();
        }

        Console.WriteLine();
        Console.WriteLine($"### Feeds over a newsroom of {posts:N0} published posts (seeded in {seed.Elapsed.TotalSeconds:0.0} s; each feed carries the newest {NewsroomFeature.FeedSize})");
        Console.WriteLine("| | rounds | p50 ms | p95 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var health = await TimeGetsAsync(http, "/health", rounds);
        Row("Baseline: GET /health", health);
        foreach (var path in new[] { "/news/feed.atom", "/news/feed.rss", "/news/feed.json", "/news/tags/transport/feed.atom" })
        {
            var times = await TimeGetsAsync(http, path, rounds);
            Row($"GET {path}", times);
        }

        // The writer alone, for the whole archive at once (a full-archive export would cost this).
        IReadOnlyList<FeedEntry> all;
        await using (var scope = factory.ScopeFor(org.Id))
        {
            all = await NewsroomFeature.EntriesAsync(scope.ServiceProvider.GetRequiredService<CivicDeskDb>(), org.Id, DateTime.UtcNow, null, "http://127.0.0.1", posts, CancellationToken.None);
        }

        var info = new FeedInfo("Bench", "http://127.0.0.1/news", "http://127.0.0.1/news/feed.atom", "http://127.0.0.1/news/feed.rss", "http://127.0.0.1/news/feed.json", "Bench");
        var writes = new List<double>();
        for (var r = 0; r <= Math.Min(rounds, 5); r++)
        {
            var clock = Stopwatch.StartNew();
            _ = NewsFeeds.Atom(info, all);
            if (r > 0)
            {
                writes.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        Row($"Atom for all {all.Count:N0} entries in memory (no database, no HTTP)", writes);
    }

    private static async Task LiveAsync(BenchFactory factory, TestOrganisation org, HttpClient http, int rounds)
    {
        var refresh = factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IncidentOptions>>().Value.LiveRefreshSeconds;
        long incidentId;
        const string Slug = "bench-flood";
        await using (var scope = factory.ScopeFor(org.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var incident = new Incident
            {
                OrganisationId = org.Id, Slug = Slug, Title = "Bench flood", Severity = IncidentSeverity.Major, AreaKind = IncidentAreaKind.Radius,
                CentreLatitude = 51.9, CentreLongitude = -2.08, RadiusMetres = 500, Keywords = "flood", Guidance = "Stay away from the river.",
                DeclaredAt = DateTime.UtcNow, DeclaredByName = "Bench", UpdatedAt = DateTime.UtcNow, Version = 1,
            };
            db.Incidents.Add(incident);
            await db.SaveChangesAsync();
            incidentId = incident.Id;
        }

        var latencies = new List<double>();
        var polls = new List<double>();
        rounds = Math.Min(rounds, 10);   // each round waits for the page's own refresh
        for (var r = 0; r <= rounds; r++)
        {
            var version = await factory.WithDbAsync(org.Id, db => db.Incidents.Where(i => i.Id == incidentId).Select(i => i.Version).SingleAsync());
            // A citizen's page polls from a random phase of its refresh cycle, as real pages do.
            using var stop = new CancellationTokenSource();
            var saved = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var poller = Task.Run(async () =>
            {
                await Task.Delay(Random.Shared.Next(refresh * 1000), stop.Token);
                while (true)
                {
                    var poll = Stopwatch.StartNew();
                    using var response = await http.GetAsync($"/incidents/{Slug}/live?version={version}", stop.Token);
                    polls.Add(poll.Elapsed.TotalMilliseconds);
                    if (response.StatusCode == System.Net.HttpStatusCode.OK)
                    {
                        return Stopwatch.GetTimestamp();
                    }

                    await Task.Delay(refresh * 1000, stop.Token);
                }
            });
            await Task.Delay(Random.Shared.Next(refresh * 1000));
            await using (var scope = factory.ScopeFor(org.Id))
            {
                AsComms(scope.ServiceProvider, org);
                var outcome = await scope.ServiceProvider.GetRequiredService<IncidentCommands>()
                    .PostUpdateAsync(incidentId, new IncidentUpdateInput { Text = $"Update {r}: sandbags at the Town Hall." }, $"http://127.0.0.1/incidents/{Slug}", CancellationToken.None);
                if (outcome.Errors.Count > 0)
                {
                    throw new InvalidOperationException(string.Join("; ", outcome.Errors.Select(e => e.Message)));
                }
            }

            var savedAt = Stopwatch.GetTimestamp();
            var seenAt = await poller.WaitAsync(TimeSpan.FromSeconds(refresh * 3 + 10));
            if (r > 0)
            {
                latencies.Add(Stopwatch.GetElapsedTime(savedAt, seenAt).TotalMilliseconds);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"### Live page: update saved → on a citizen's open page (htmx polling every {refresh} s, Incidents:LiveRefreshSeconds)");
        Console.WriteLine("| | samples | p50 ms | p95 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Row("Saved → received by the polling page", latencies);
        Row("Baseline: one poll request (204 or the new part)", polls);
        Console.WriteLine($"expected from the polling alone: about {refresh * 500} ms on average, at most {refresh * 1000} ms plus one poll");
    }

    private static async Task<List<double>> TimeGetsAsync(HttpClient http, string path, int rounds)
    {
        var times = new List<double>();
        for (var r = 0; r <= rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadAsByteArrayAsync();
            if (r > 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return times;
    }

    private static void AsComms(IServiceProvider services, TestOrganisation org)
    {
        var identity = new ClaimsIdentity(
        [
            new(ClaimTypes.NameIdentifier, org.Staff[Roles.Comms].Id),
            new(ClaimTypes.Role, Roles.Comms),
            new(StaffClaims.Organisation, org.Id.ToString(CultureInfo.InvariantCulture)),
            new(StaffClaims.DisplayName, "Comms officer"),
        ], "bench");
        services.GetRequiredService<IHttpContextAccessor>().HttpContext = new DefaultHttpContext { User = new ClaimsPrincipal(identity), RequestServices = services };
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static void Row(string name, List<double> values) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {values.Count} | {Percentile(values, 0.5):0.0} | {Percentile(values, 0.95):0.0} | {(values.Count == 0 ? 0 : values.Max()):0.0} |"));

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The speaking features' public site, with the real publishing service and a one-second publishing sweep.</summary>
    private sealed class BenchFactory : SpeakFactory
    {
        protected override bool RecordBroadcasts => false;

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // Run from the repository root: the web project's folder is the content root (as the other benchmarks do).
            var web = Path.GetFullPath(Path.Combine("src", "CivicDesk.Web"));
            Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseContentRoot(builder, Directory.Exists(web) ? web : AppContext.BaseDirectory);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "None");
        }

        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            .. base.Settings,
            new("Publishing:SweepInterval", "00:00:01"),
            // The product's default refresh of an open live page (the test factory shortens it).
            new("Incidents:LiveRefreshSeconds", "5"),
        ];
    }
}
