using System.Globalization;
using CivicDesk.Web.Features.Connectors.Bluesky;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CivicDesk.Web.Tests.Connectors.Bluesky;

/// <summary>The connector against a fake Jetstream replaying the 152 production events of the payload corpus.</summary>
public sealed class JetstreamConnectorTests
{
    // Kept by the keywords below: a YouTube link post, a hashtag post, two that mention the government / MAGA.
    private static readonly string[] ExpectedKeys = ["3mptbyoeyc22k", "3mptbyou7ls2i", "3mptbypfywk2v", "3mptbypockk2v"];
    private const string DeletedKey = "3mptbypockk2v";

    private static List<ReplayEvent> Corpus()
    {
        var events = File.ReadAllLines(BlueskyPayloads.PathOf("jetstream_expected_v1.jsonl")).Where(l => l.Length > 0).Select(FakeJetstream.Parse).ToList();
        // The author of one kept post deletes it later (a real Jetstream delete event, in the corpus's own format).
        var deleted = events.Single(e => e.Line.Contains(DeletedKey, StringComparison.Ordinal));
        var did = System.Text.Json.JsonDocument.Parse(deleted.Line).RootElement.GetProperty("did").GetString();
        var last = events.Max(e => e.TimeUs) + 1000;
        events.Add(FakeJetstream.Parse($$$"""{"did":"{{{did}}}","time_us":{{{last}}},"kind":"commit","commit":{"rev":"3mptbzzzzzz2a","operation":"delete","collection":"app.bsky.feed.post","rkey":"{{{DeletedKey}}}"}}"""));
        return events;
    }

    private static Dictionary<string, string> Settings(string url, double rewindSeconds) => new()
    {
        ["JetstreamUrl"] = url,
        ["Handle"] = "council.test",
        ["Keywords"] = "youtube, #HowToTellAiToShutUp, government you're, MAGA",
        ["CursorRewindSeconds"] = rewindSeconds.ToString(CultureInfo.InvariantCulture),
        ["CheckpointSeconds"] = "0",
    };

    /// <summary>What the connector host does: run, and on a throw run again from the sink's checkpoint.</summary>
    private static async Task<int> RunLikeHostAsync(BlueskyConnector connector, MemorySink sink, RecordingHealth health, Dictionary<string, string> settings, CancellationToken ct)
    {
        using var http = new HttpClient();
        var restarts = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await connector.RunInboundAsync(BlueskyContexts.For(sink, health, http, sink.Checkpoint, settings), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or IOException)
            {
                restarts++;
            }
        }

        return restarts;
    }

    private static BlueskyConnector Connector() => new(TimeProvider.System, NullLogger<BlueskyConnector>.Instance);

    [SharedDataFact("payloads/bluesky")]
    public async Task Dropped_connection_duplicates_and_a_malformed_frame_end_with_exactly_the_expected_posts()
    {
        var corpus = Corpus();
        var sink = new MemorySink();
        var tenth = corpus.Where(e => e.Collection is null or "app.bsky.feed.post").OrderBy(e => e.TimeUs).ElementAt(9).TimeUs.ToString(CultureInfo.InvariantCulture);
        await using var server = await FakeJetstream.StartAsync(corpus,
            new ConnectionScript(Take: 10, Drop: true, BeforeDrop: () => sink.WaitForCheckpointAsync(c => c == tenth, TimeSpan.FromSeconds(30))),
            new ConnectionScript(Duplicate: 3, MalformedAfter: 5));
        var health = new RecordingHealth();
        var finalTime = corpus.Max(e => e.TimeUs).ToString(CultureInfo.InvariantCulture);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = RunLikeHostAsync(Connector(), sink, health, Settings(server.Url, 5), cts.Token);

        await sink.WaitForCheckpointAsync(c => c == finalTime, TimeSpan.FromSeconds(30));
        await cts.CancelAsync();
        var restarts = await run;

        restarts.ShouldBe(1);
        sink.Posts.Keys.Select(k => k.Split('/')[^1]).Order(StringComparer.Ordinal).ShouldBe(ExpectedKeys);
        sink.Deleted.ShouldBe([sink.Posts.Keys.Single(k => k.EndsWith(DeletedKey, StringComparison.Ordinal))]);
        health.Malformed.Count.ShouldBe(1);
        health.Connects.ShouldBe(2);
        server.Queries.Last().ShouldContain("cursor=" + (long.Parse(tenth, CultureInfo.InvariantCulture) - 5_000_000).ToString(CultureInfo.InvariantCulture));
        sink.DuplicatesSeen.ShouldBeGreaterThan(0); // the rewound replay and the duplicated frame were absorbed
        // only posts travel: the server honoured wantedCollections=app.bsky.feed.post
        server.Queries.ShouldAllBe(q => q.Contains("wantedCollections=app.bsky.feed.post", StringComparison.Ordinal));
        var kept = sink.Posts.Values.Single(p => p.ExternalId.EndsWith("3mptbyoeyc22k", StringComparison.Ordinal));
        kept.Text.ShouldBe("www.youtube.com/watch?v=V5lD...");
        kept.Language.ShouldBe("en");
        kept.Attachments.ShouldNotBeNull().ShouldHaveSingleItem().Url.ShouldBe("https://www.youtube.com/watch?v=V5lDo-jw8mA");
    }

    [SharedDataFact("payloads/bluesky")]
    public async Task A_restart_resumes_from_the_committed_cursor_without_gaps_or_duplicates()
    {
        var corpus = Corpus();
        await using var server = await FakeJetstream.StartAsync(corpus, new ConnectionScript(Take: 9), new ConnectionScript());
        var posts = server.Events.Where(e => e.Collection is null or "app.bsky.feed.post").ToList();
        var sink = new MemorySink();
        var health = new RecordingHealth();
        var settings = Settings(server.Url, rewindSeconds: 0);

        using (var first = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            var run = RunLikeHostAsync(Connector(), sink, health, settings, first.Token);
            var ninth = posts[8].TimeUs.ToString(CultureInfo.InvariantCulture);
            await sink.WaitForCheckpointAsync(c => c == ninth, TimeSpan.FromSeconds(30));
            await first.CancelAsync(); // the application stops
            await run;
        }

        var checkpoint = sink.Checkpoint;
        var keptBefore = sink.Posts.Count;
        keptBefore.ShouldBeGreaterThan(0);
        keptBefore.ShouldBeLessThan(ExpectedKeys.Length);

        var restarted = new MemorySink();
        await restarted.SaveCheckpointAsync(checkpoint!, CancellationToken.None);
        foreach (var p in sink.Posts.Values)
        {
            await restarted.CommitAsync([p], null, CancellationToken.None);
        }

        using var second = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var again = RunLikeHostAsync(Connector(), restarted, health, settings, second.Token);
        var finalTime = corpus.Max(e => e.TimeUs).ToString(CultureInfo.InvariantCulture);
        await restarted.WaitForCheckpointAsync(c => c == finalTime, TimeSpan.FromSeconds(30));
        await second.CancelAsync();
        await again;

        server.Queries.Last().ShouldContain("cursor=" + checkpoint);
        restarted.Posts.Keys.Select(k => k.Split('/')[^1]).Order(StringComparer.Ordinal).ShouldBe(ExpectedKeys);
        restarted.DuplicatesSeen.ShouldBe(0); // the cursor event itself was a filtered-out one, nothing re-sent was kept twice
    }
}
