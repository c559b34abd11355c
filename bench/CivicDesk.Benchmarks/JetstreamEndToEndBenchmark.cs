using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Ingestion;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivicDesk.Benchmarks;

/// <summary>
/// <c>jetstream-e2e [--events N]</c>: the real app on 127.0.0.1 (Kestrel, free port, temporary SQLite) with a Bluesky
/// channel whose connection points at a fake Jetstream (a WebSocket on 127.0.0.1). The fake sends N commit-create
/// app.bsky.feed.post events built from a real event of jetstream_golden_v1.jsonl (unique rkeys and time_us), each text a
/// real complaint text from complaints/test.jsonl that mentions the organisation's handle. Timed from the first frame
/// sent until N Messages rows exist for the channel (a COUNT every 100 ms). Baseline in the same run: the same N posts
/// submitted straight to <see cref="IngestPipeline.SubmitAsync"/> in batches of 500 on a second channel. Also counts the
/// triaged messages (TriageScores not null). Stops by itself (10 minutes at most per phase).
/// </summary>
public static class JetstreamEndToEndBenchmark
{
    private const string Handle = "council.test";
    private const int DirectBatch = 500;
    private static readonly TimeSpan PhaseLimit = TimeSpan.FromMinutes(10);

    public static async Task<int> RunAsync(string[] args)
    {
        var events = 20_000;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--events" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1_000_000:
                    events = n;
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync("usage: jetstream-e2e [--events N (1-1000000, default 20000)]");
                    return 2;
            }
        }

        var data = SharedData();
        var texts = File.ReadLines(Path.Combine(data, "complaints", "test.jsonl")).Where(l => l.Length > 0)
            .Select(l => JsonNode.Parse(l)!["text"]!.GetValue<string>()).ToArray();
        var template = File.ReadLines(Path.Combine(data, "payloads", "bluesky", "jetstream_golden_v1.jsonl"))
            .First(l => l.Contains("\"operation\":\"create\"", StringComparison.Ordinal) && l.Contains("\"collection\":\"app.bsky.feed.post\"", StringComparison.Ordinal));
        var frames = BuildFrames(template, texts, events);

        var dir = Directory.CreateTempSubdirectory("civicdesk-jetstream-bench-").FullName;
        try
        {
            await using var jetstream = await FakeJetstreamServer.StartAsync(frames);
            using var factory = new JetstreamBenchFactory(dir);
            factory.UseKestrel(0);
            factory.StartServer();
            var (organisationId, directChannel) = await SetUpAsync(factory.Services);
            Console.WriteLine($"jetstream-e2e: app on {factory.ClientOptions.BaseAddress}, SQLite, fake Jetstream on {jetstream.Url}, {events} post events, " +
                              $"{Environment.ProcessorCount} cores, load average {LoadAverage()}");

            // Connector: enabling the channel makes the connector host connect; the fake starts sending on connect.
            var connectorChannel = await AddBlueskyChannelAsync(factory.Services, organisationId, jetstream.Url);
            var firstFrame = await jetstream.FirstFrameSent.WaitAsync(PhaseLimit);
            var connectorSeconds = await WaitForCountAsync(factory.Services, connectorChannel, events, firstFrame);
            var connectorRate = events / connectorSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"connector (fake Jetstream → stored, triaged): {events} messages in {connectorSeconds:0.00} s = {connectorRate:0} events/s end to end"));

            // Direct: the same posts to the pipeline, batches of 500, one after another.
            var pipeline = factory.Services.GetRequiredService<IngestPipeline>();
            var posts = Enumerable.Range(0, events)
                .Select(i => new InboundPost($"at://did:plc:benchdirect/app.bsky.feed.post/d{i:D8}", $"@{Handle} {texts[i % texts.Length]}", "bench.bsky.social",
                    CreatedAt: DateTime.UtcNow, Language: "en")).ToArray();
            var clock = Stopwatch.StartNew();
            foreach (var chunk in posts.Chunk(DirectBatch))
            {
                await pipeline.SubmitAsync(new IngestBatch(organisationId, directChannel, ChannelKind.Bluesky, chunk), CancellationToken.None);
            }

            var directSeconds = clock.Elapsed.TotalSeconds;
            var directRate = events / directSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"direct (IngestPipeline.SubmitAsync, batches of {DirectBatch}): {events} messages in {directSeconds:0.00} s = {directRate:0} posts/s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio connector/direct: {connectorRate / directRate:0.000}"));

            var (stored, triaged) = await CountsAsync(factory.Services, connectorChannel);
            var (directStored, directTriaged) = await CountsAsync(factory.Services, directChannel);
            Console.WriteLine($"triaged (TriageScores not null): connector {triaged}/{stored}, direct {directTriaged}/{directStored}");
            Console.WriteLine($"load average after: {LoadAverage()}");
            return stored == events && triaged == events && directStored == events && directTriaged == events ? 0 : 1;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>N create events in the template's exact format: unique rkey, rev, cid-free text change and rising time_us.</summary>
    private static string[] BuildFrames(string template, string[] texts, int count)
    {
        var frames = new string[count];
        var baseTime = JsonNode.Parse(template)!["time_us"]!.GetValue<long>();
        for (var i = 0; i < count; i++)
        {
            var node = JsonNode.Parse(template)!;
            node["time_us"] = baseTime + i;
            var commit = node["commit"]!;
            commit["rkey"] = $"3bench{i:D8}";
            commit["rev"] = $"3benchrev{i:D8}";
            var record = commit["record"]!.AsObject();
            record.Remove("reply"); // a top-level post
            record.Remove("facets");
            record.Remove("embed");
            record["text"] = $"@{Handle} {texts[i % texts.Length]}";
            frames[i] = node.ToJsonString();
        }

        return frames;
    }

    private static async Task<double> WaitForCountAsync(IServiceProvider services, long channelId, int expected, long firstFrameTimestamp)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await using (var scope = services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
                var count = await db.Messages.IgnoreQueryFilters().CountAsync(m => m.ChannelId == channelId);
                if (count >= expected)
                {
                    return Stopwatch.GetElapsedTime(firstFrameTimestamp).TotalSeconds;
                }

                if (deadline.Elapsed > PhaseLimit)
                {
                    throw new TimeoutException($"only {count} of {expected} messages stored after {PhaseLimit}");
                }
            }

            await Task.Delay(100);
        }
    }

    private static async Task<(int Stored, int Triaged)> CountsAsync(IServiceProvider services, long channelId)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var messages = db.Messages.IgnoreQueryFilters().Where(m => m.ChannelId == channelId);
        return (await messages.CountAsync(), await messages.CountAsync(m => m.TriageScores != null));
    }

    private static async Task<(long OrganisationId, long DirectChannel)> SetUpAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = DateTime.UtcNow;
        var org = new Organisation { Slug = "bench", Name = "Bench council", CreatedAt = now };
        db.Organisations.Add(org);
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(org.Id);
        db.Teams.Add(new Team { OrganisationId = org.Id, Name = "Customer Services", Slug = "customer-services", IsDefault = true, CreatedAt = now });
        var direct = new Channel { OrganisationId = org.Id, Kind = ChannelKind.Bluesky, Name = "Bluesky (direct baseline)", Account = "@direct.test", CreatedAt = now };
        db.Channels.Add(direct);
        await db.SaveChangesAsync();
        return (org.Id, direct.Id);
    }

    /// <summary>As the Bluesky end-to-end tests: a Bluesky channel with an enabled ChannelConnection (Jetstream URL, handle).</summary>
    private static async Task<long> AddBlueskyChannelAsync(IServiceProvider services, long organisationId, string jetstreamUrl)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(organisationId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = DateTime.UtcNow;
        var channel = new Channel { OrganisationId = organisationId, Kind = ChannelKind.Bluesky, Name = "Bluesky", Account = "@" + Handle, CreatedAt = now };
        db.Channels.Add(channel);
        await db.SaveChangesAsync();
        db.ChannelConnections.Add(new ChannelConnection
        {
            OrganisationId = organisationId, ChannelId = channel.Id, IsEnabled = true, UpdatedAt = now,
            SettingsJson = ConnectorContexts.WriteSettings(new Dictionary<string, string>
            {
                ["JetstreamUrl"] = jetstreamUrl, ["Handle"] = Handle, ["CursorRewindSeconds"] = "0",
            }),
        });
        await db.SaveChangesAsync();
        services.GetRequiredService<ConnectorSignal>().Ring();
        return channel.Id;
    }

    /// <summary>CIVICDESK_SHARED_DATA when set, else a shared/data folder above the binaries; a clear error when neither.</summary>
    private static string SharedData()
    {
        var configured = Environment.GetEnvironmentVariable("CIVICDESK_SHARED_DATA");
        if (!string.IsNullOrEmpty(configured))
        {
            return Directory.Exists(Path.Combine(configured, "payloads", "bluesky"))
                ? Path.GetFullPath(configured)
                : throw new InvalidOperationException($"CIVICDESK_SHARED_DATA={configured} has no payloads/bluesky folder.");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "data"), Path.Combine(dir.FullName, "..", "shared", "data") })
            {
                if (Directory.Exists(Path.Combine(candidate, "payloads", "bluesky")))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        throw new InvalidOperationException(
            "This benchmark replays ../shared/data/payloads/bluesky, which is not on this machine: set CIVICDESK_SHARED_DATA to the shared data folder.");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    /// <summary>
    /// A minimal Jetstream /subscribe on 127.0.0.1 (after tests/…/Bluesky/FakeJetstream.cs): the first connection gets
    /// every frame as fast as the client reads them, then stays open; later connections (reconnects) replay from the
    /// cursor. Records when the first frame was sent.
    /// </summary>
    private sealed class FakeJetstreamServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string[] _frames;
        private readonly long _firstTime;
        private readonly TaskCompletionSource<long> _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private FakeJetstreamServer(string[] frames)
        {
            _frames = frames;
            _firstTime = frames.Length == 0 ? 0 : JsonNode.Parse(frames[0])!["time_us"]!.GetValue<long>();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
            builder.Logging.ClearProviders();
            _app = builder.Build();
            _app.UseWebSockets();
            _app.Map("/subscribe", ServeAsync);
        }

        public string Url { get; private set; } = "";

        /// <summary>The <see cref="Stopwatch"/> timestamp just before the first frame went out.</summary>
        public Task<long> FirstFrameSent => _firstFrame.Task;

        public static async Task<FakeJetstreamServer> StartAsync(string[] frames)
        {
            var server = new FakeJetstreamServer(frames);
            await server._app.StartAsync();
            var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            server.Url = address.Replace("http://", "ws://", StringComparison.Ordinal) + "/subscribe";
            return server;
        }

        private async Task ServeAsync(HttpContext http)
        {
            if (!http.WebSockets.IsWebSocketRequest)
            {
                http.Response.StatusCode = 400;
                return;
            }

            // time_us rises by one per frame from the first, so a cursor maps to an index.
            var start = long.TryParse(http.Request.Query["cursor"], out var cursor) ? (int)Math.Clamp(cursor - _firstTime, 0, _frames.Length) : 0;
            using var ws = await http.WebSockets.AcceptWebSocketAsync();
            _firstFrame.TrySetResult(Stopwatch.GetTimestamp());
            try
            {
                for (var i = start; i < _frames.Length; i++)
                {
                    await ws.SendAsync(Encoding.UTF8.GetBytes(_frames[i]), WebSocketMessageType.Text, endOfMessage: true, http.RequestAborted);
                }

                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
            {
                // the client went away
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private sealed class JetstreamBenchFactory(string dataDir) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // As Open311LoadBenchmark: `dotnet run` leaves the current directory at the caller's, so find the content root.
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
            builder.UseSetting("Connectors:ReconcileInterval", "00:00:00.250");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "None");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Error");
        }
    }
}
