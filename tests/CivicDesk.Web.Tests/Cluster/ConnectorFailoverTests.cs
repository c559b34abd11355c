using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Tests.Connectors;
using CivicDesk.Web.Tests.Connectors.Mastodon;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Ingestion;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit.Abstractions;

namespace CivicDesk.Web.Tests.Cluster;

/// <summary>
/// Two real app processes on one PostgreSQL database and one Mastodon channel: only the leader streams (the fake
/// server never sees two consumers at once); after kill -9 of the leader the other node takes the lead within 30 s,
/// catches up from the checkpoint and every mention is stored exactly once; the checkpoint only ever moves forward.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterRequirements.Collection)]
public sealed class ConnectorFailoverTests(ITestOutputHelper output)
{
    private const string Account = "trwnh";

    [SharedDataFact("payloads/mastodon")]
    public async Task Killing_the_leader_moves_the_channel_to_another_node_with_no_gap_and_no_duplicate()
    {
        var clock = Stopwatch.StartNew();
        var network = new FakeMastodon(MastodonPayloadTests.ReadSse().First(e => e.Event == "notification").Data);
        await using var server = await FakeNetworkServer.StartAsync(network.Map);
        using var factory = new ClusterDatabaseFactory();
        var org = await TestOrganisation.CreateAsync(factory);
        var channelId = await NetworkChannels.AddAsync(factory, org, ChannelKind.Mastodon, Account,
            new() { ["BaseUrl"] = server.BaseUrl.ToString() }, new() { ["AccessToken"] = "cluster-token" });
        var environment = factory.NodeEnvironment(("Connectors__LeadershipInterval", "00:00:01"), ("Logging__LogLevel__CivicDesk.Web.Features", "Information"));

        var nodes = await ClusterDatabaseFactory.StartNodesAsync(2, environment);
        await using var first = nodes[0];
        await using var second = nodes[1];
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s two nodes up");
        try
        {
            await RunAsync(clock, network, factory, org.Id, channelId, first, second);
        }
        catch
        {
            // What each node logged is the only view into a failure here (they are separate processes).
            foreach (var node in new[] { first, second })
            {
                output.WriteLine($"--- node {node.ProcessId}:\n" + string.Join('\n', node.Output.TakeLast(60)));
            }

            throw;
        }
    }

    private async Task RunAsync(Stopwatch clock, FakeMastodon network, ClusterDatabaseFactory factory, long orgId, long channelId, WebAppProcess first, WebAppProcess second)
    {
        using var stopWatching = new CancellationTokenSource();
        var checkpoints = Task.Run(() => WatchCheckpointAsync(factory.ConnectionString, channelId, stopWatching.Token));

        // Mentions arrive while the first leader streams them (on a first start nothing before the stream is fetched).
        await Eventually.TrueAsync(() => Task.FromResult(network.StreamsOpened >= 1), "the leader's stream");
        network.Produce(8);
        await Eventually.TrueAsync(async () => await StoredAsync(factory, orgId, channelId) >= 8, "the first mentions stored by the leader");
        var leaderPid = await LeaderProcessAsync(factory.ConnectionString, channelId);
        var leader = new[] { first, second }.Single(n => n.ProcessId == leaderPid);
        var follower = new[] { first, second }.Single(n => n.ProcessId != leaderPid);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s leader is process {leaderPid}; killing it");

        // kill -9 the leader, and keep posting while nobody streams: the new leader must catch these up.
        var killedAt = Stopwatch.StartNew();
        await leader.KillAsync();
        network.Produce(6);
        await Eventually.TrueAsync(() => Task.FromResult(network.StreamsOpened >= 2), "a stream from the surviving node");
        var takeover = killedAt.Elapsed;
        (await LeaderProcessAsync(factory.ConnectionString, channelId)).ShouldBe(follower.ProcessId);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s the other node streams {takeover.TotalSeconds:F1}s after the kill");
        takeover.ShouldBeLessThan(TimeSpan.FromSeconds(30));

        network.Produce(6);
        await Eventually.TrueAsync(async () => await StoredAsync(factory, orgId, channelId) >= network.Produced, "every mention stored");
        try
        {
            // The checkpoint follows each commit.
            await Eventually.TrueAsync(async () => await CheckpointAsync(factory.ConnectionString, channelId) == network.LastNotificationId, "the checkpoint to reach the last mention");
        }
        finally
        {
            output.WriteLine(string.Join('\n', follower.Output.TakeLast(40)));
        }

        await stopWatching.CancelAsync();
        var seen = await checkpoints;

        network.MaxConcurrentStreams.ShouldBe(1, "two nodes streamed the channel at once");
        await using var db = factory.OpenDb(orgId);
        var stored = await db.Messages.Where(m => m.ChannelId == channelId).Select(m => m.ExternalId).ToListAsync();
        stored.Order(StringComparer.Ordinal).ShouldBe(network.StatusIds.Order(StringComparer.Ordinal), "each mention exactly once, none missing");
        seen.Count.ShouldBeGreaterThan(0);
        seen.ShouldBe(seen.Order().ToList(), "the checkpoint moved backwards");
        seen[^1].ShouldBe(network.LastNotificationId, "the checkpoint reaches the last mention");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s {stored.Count} mentions stored once; checkpoint went {string.Join(" → ", seen.Distinct())}");
    }

    private static async Task<int> StoredAsync(ClusterDatabaseFactory factory, long organisationId, long channelId)
    {
        await using var db = factory.OpenDb(organisationId);
        return await db.Messages.CountAsync(m => m.ChannelId == channelId);
    }

    private static async Task<long?> CheckpointAsync(string connectionString, long channelId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "Value" FROM "ConnectorCheckpoints" WHERE "ChannelId" = @id""", connection);
        command.Parameters.AddWithValue("id", channelId);
        return await command.ExecuteScalarAsync() is string json && JsonSerializer.Deserialize<Dictionary<string, string>>(json) is { } values
            && values.TryGetValue("mentions", out var since) ? long.Parse(since, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// The process holding the channel's advisory lock, from the application name the leader's session carries.
    /// pg_locks lists every database on the server, and other tests' throw-away databases number their channels
    /// from 1 too, so only this database's locks count (CI once saw two holders for "channel 1" without it).
    /// </summary>
    private static async Task<int> LeaderProcessAsync(string connectionString, long channelId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = @space AND l.objid = @channel AND l.objsubid = 2
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, connection);
        command.Parameters.AddWithValue("space", (long)(uint)PostgresConnectorLeadership.LockSpace);
        command.Parameters.AddWithValue("channel", channelId);
        var names = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        names.Count.ShouldBe(1, "exactly one session should hold the channel's lock");
        return int.Parse(names[0][(names[0].LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>Every distinct value of the mentions checkpoint, in the order the database held them.</summary>
    private static async Task<List<long>> WatchCheckpointAsync(string connectionString, long channelId, CancellationToken ct)
    {
        var seen = new List<long>();
        while (!ct.IsCancellationRequested)
        {
            if (await CheckpointAsync(connectionString, channelId) is { } since && (seen.Count == 0 || seen[^1] != since))
            {
                seen.Add(since);
            }

            try
            {
                await Task.Delay(50, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // One last look, so the final value is in the list whatever the timing of the last poll.
        if (await CheckpointAsync(connectionString, channelId) is { } last && (seen.Count == 0 || seen[^1] != last))
        {
            seen.Add(last);
        }

        return seen;
    }

    /// <summary>
    /// A Mastodon server with one account's mentions: the streaming API pushes each new mention to every open user
    /// stream, and the notifications API lists them newest first from a since_id (paged by max_id), as Mastodon does.
    /// </summary>
    private sealed class FakeMastodon(string template)
    {
        private readonly Lock _lock = new();
        private readonly List<(long Id, string Json)> _notifications = [];
        private readonly List<System.Threading.Channels.Channel<string>> _streams = [];
        private int _open;
        private int _maxOpen;
        private int _opened;

        public int StreamsOpened => Volatile.Read(ref _opened);

        public int MaxConcurrentStreams => Volatile.Read(ref _maxOpen);

        public int Produced { get { lock (_lock) { return _notifications.Count; } } }

        public long LastNotificationId { get { lock (_lock) { return _notifications[^1].Id; } } }

        public IEnumerable<string> StatusIds { get { lock (_lock) { return [.. _notifications.Select(n => StatusId(n.Id))]; } } }

        private static string StatusId(long notificationId) => (notificationId + 500_000_000).ToString(CultureInfo.InvariantCulture);

        public void Produce(int count)
        {
            lock (_lock)
            {
                for (var i = 0; i < count; i++)
                {
                    var id = 90_000_001L + _notifications.Count;
                    var node = JsonNode.Parse(template)!;
                    node["id"] = id.ToString(CultureInfo.InvariantCulture);
                    node["status"]!["id"] = StatusId(id);
                    node["status"]!["content"] = $"<p><span class=\"h-card\"><a href=\"https://mastodon.social/@{Account}\" class=\"u-url mention\">@<span>{Account}</span></a></span> streetlight out, report {id}</p>";
                    var json = node.ToJsonString();
                    _notifications.Add((id, json));
                    foreach (var stream in _streams)
                    {
                        stream.Writer.TryWrite($"id: {id}\nevent: notification\ndata: {json}\n\n");
                    }
                }
            }
        }

        public void Map(WebApplication app)
        {
            app.MapGet("/api/v1/streaming/user", async (HttpContext http) =>
            {
                var mine = System.Threading.Channels.Channel.CreateUnbounded<string>();
                var open = Interlocked.Increment(ref _open);
                Interlocked.Increment(ref _opened);
                InterlockedMax(ref _maxOpen, open);
                lock (_lock)
                {
                    _streams.Add(mine);
                }

                try
                {
                    http.Response.ContentType = "text/event-stream";
                    await http.Response.WriteAsync(":thump\n\n", http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                    await foreach (var sse in mine.Reader.ReadAllAsync(http.RequestAborted))
                    {
                        await http.Response.WriteAsync(sse, http.RequestAborted);
                        await http.Response.Body.FlushAsync(http.RequestAborted);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                    // The consumer went away (killed, or stopped leading).
                }
                finally
                {
                    lock (_lock)
                    {
                        _streams.Remove(mine);
                    }

                    Interlocked.Decrement(ref _open);
                }
            });
            app.MapGet("/api/v1/notifications", (HttpContext http) =>
            {
                var since = long.TryParse(http.Request.Query["since_id"], CultureInfo.InvariantCulture, out var s) ? s : 0;
                var max = long.TryParse(http.Request.Query["max_id"], CultureInfo.InvariantCulture, out var m) ? m : long.MaxValue;
                List<(long Id, string Json)> page;
                bool more;
                lock (_lock)
                {
                    var newer = _notifications.Where(n => n.Id > since && n.Id < max).OrderByDescending(n => n.Id).ToList();
                    page = [.. newer.Take(40)];
                    more = newer.Count > 40;
                }

                if (more)
                {
                    http.Response.Headers.Link = $"<{http.Request.Scheme}://{http.Request.Host}/api/v1/notifications?types[]=mention&limit=40&max_id={page[^1].Id}>; rel=\"next\"";
                }

                return Results.Text("[" + string.Join(',', page.Select(p => p.Json)) + "]", "application/json");
            });
        }

        private static void InterlockedMax(ref int target, int value)
        {
            for (var current = Volatile.Read(ref target); value > current; current = Volatile.Read(ref target))
            {
                if (Interlocked.CompareExchange(ref target, value, current) == current)
                {
                    return;
                }
            }
        }
    }
}
