using System.Collections.Concurrent;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Features.Connectors.Rss;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CivicDesk.Web.Tests.Connectors.Rss;

/// <summary>The connector against a real HTTP server on 127.0.0.1, with an in-memory sink (the host's sink is tested end to end elsewhere).</summary>
public sealed class RssConnectorTests : IAsyncLifetime
{
    private FeedServer _server = null!;
    private readonly MemorySink _sink = new();
    private readonly MemoryHealth _health = new();
    private readonly HttpClient _http = new();
    private readonly RssConnector _connector = new(TimeProvider.System, NullLogger<RssConnector>.Instance);

    public async Task InitializeAsync() => _server = await FeedServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private static string Rss(params (string Id, string Title)[] items) =>
        "<rss version=\"2.0\"><channel><title>Echo</title>" +
        string.Concat(items.Select(i => $"<item><guid>{i.Id}</guid><title>{i.Title}</title><pubDate>Sun, 06 Jul 2014 12:56:00 GMT</pubDate></item>")) +
        "</channel></rss>";

    private ConnectorContext Context(params string[] paths) => new(
        new Channel { Id = 7, OrganisationId = 1, Kind = ChannelKind.Rss, Name = "News" },
        new Dictionary<string, string> { [RssConnector.FeedsSetting] = string.Join("\n", paths.Select(_server.Url)) },
        new Dictionary<string, string>(), null, _sink, _health, _http);

    [Fact]
    public async Task Poll_FirstStoresItems_SecondGets304_ChangedFeedStoresOnlyNewItems()
    {
        _server.Serve("/news.xml", Rss(("a", "Road closed"), ("b", "Bins late")));
        var context = Context("/news.xml");
        var checkpoint = new RssCheckpoint();

        (await _connector.PollDueAsync(context, checkpoint, force: true, default)).ShouldBe(2);
        (await _connector.PollDueAsync(context, checkpoint, force: true, default)).ShouldBe(0);
        _server.Requests.Select(r => r.Status).ShouldBe([200, 304]);

        _server.Serve("/news.xml", Rss(("c", "Flooding"), ("a", "Road closed"), ("b", "Bins late")));
        (await _connector.PollDueAsync(context, checkpoint, force: true, default)).ShouldBe(1);

        _sink.Posts.Select(p => p.ExternalId).ShouldBe(["a", "b", "c"]);
        _sink.Posts[0].Text.ShouldBe("Road closed");
        _sink.Edits.ShouldBeEmpty();
        // The stored checkpoint is the one that followed the last batch, and it reads back.
        RssCheckpoint.Read(_sink.Checkpoint).For(_server.Url("/news.xml")).Seen.Keys.ShouldBe(["c", "a", "b"], ignoreOrder: true);
    }

    [Fact]
    public async Task Poll_ItemChangedUnderTheSameId_IsAnEdit()
    {
        _server.Serve("/news.xml", Rss(("a", "Road closed")));
        var context = Context("/news.xml");
        var checkpoint = new RssCheckpoint();
        await _connector.PollDueAsync(context, checkpoint, force: true, default);

        _server.Serve("/news.xml", Rss(("a", "Road closed until Friday")));
        await _connector.PollDueAsync(context, checkpoint, force: true, default);

        _sink.Posts.Count.ShouldBe(1);
        _sink.Edits.ShouldHaveSingleItem().ShouldBe(("a", "Road closed until Friday"));
    }

    [Fact]
    public async Task Poll_ServerError_BacksOffThenRecovers()
    {
        _server.Serve("/news.xml", Rss(("a", "Road closed")));
        _server.FailNext("/news.xml", 500);
        var context = Context("/news.xml");
        var checkpoint = new RssCheckpoint();

        (await _connector.PollDueAsync(context, checkpoint, force: true, default)).ShouldBe(0);
        var state = checkpoint.For(_server.Url("/news.xml"));
        state.Failures.ShouldBe(1);
        state.NextPollAt.ShouldNotBeNull();
        _health.Disconnects.ShouldHaveSingleItem().ShouldContain("HTTP 500");
        // Not due yet: an unforced poll does not call the server.
        (await _connector.PollDueAsync(context, checkpoint, force: false, default)).ShouldBe(0);
        _server.Requests.Count.ShouldBe(1);

        (await _connector.PollDueAsync(context, checkpoint, force: true, default)).ShouldBe(1);
        state.Failures.ShouldBe(0);
    }

    [Fact]
    public async Task Poll_TooManyRequests_WaitsAsRetryAfterSays()
    {
        _server.FailNext("/news.xml", 429, "120");
        var checkpoint = new RssCheckpoint();
        var before = DateTime.UtcNow;

        await _connector.PollDueAsync(Context("/news.xml"), checkpoint, force: true, default);

        var next = checkpoint.For(_server.Url("/news.xml")).NextPollAt!.Value;
        (next - before).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(119));
        (next - before).ShouldBeLessThan(TimeSpan.FromSeconds(180));
    }

    [Fact]
    public async Task Poll_MalformedFeedAmongGoodOnes_IsReportedAndTheOthersAreStored()
    {
        _server.Serve("/one.xml", Rss(("1", "First")));
        _server.Serve("/broken.xml", "<rss version=\"2.0\"><channel><item><title>cut off");
        _server.Serve("/two.xml", Rss(("2", "Second")));

        var stored = await _connector.PollDueAsync(Context("/one.xml", "/broken.xml", "/two.xml"), new RssCheckpoint(), force: true, default);

        stored.ShouldBe(2);
        _sink.Posts.Select(p => p.ExternalId).ShouldBe(["1", "2"]);
        _health.Malformed.ShouldHaveSingleItem().ShouldBe(_server.Url("/broken.xml"));
    }

    /// <summary>
    /// Found in review (issue 14): an item whose text opens many unclosed script tags makes the
    /// tag-stripping regex run past its timeout. That feed is reported malformed; the feeds after it are still read.
    /// </summary>
    [Fact]
    public async Task Poll_RegexTimeoutInOneFeed_IsReportedAndTheFeedsAfterItAreStored()
    {
        _server.Serve("/one.xml", Rss(("1", "First")));
        _server.Serve("/slow.xml", Rss(("s", string.Concat(Enumerable.Repeat("&lt;script&gt;", 60_000)))));
        _server.Serve("/two.xml", Rss(("2", "Second")));

        var stored = await _connector.PollDueAsync(Context("/one.xml", "/slow.xml", "/two.xml"), new RssCheckpoint(), force: true, default);

        stored.ShouldBe(2);
        _sink.Posts.Select(p => p.ExternalId).ShouldBe(["1", "2"]);
        _health.Malformed.ShouldHaveSingleItem().ShouldBe(_server.Url("/slow.xml"));
    }

    [SharedDataFact(RssCorpus.Data)]
    public async Task Poll_EveryCorpusFeed_NeverThrows()
    {
        var files = RssCorpus.XmlFiles().ToList();
        for (var i = 0; i < files.Count; i++)
        {
            _server.Serve($"/corpus/{i}.xml", File.ReadAllBytes(files[i]));
        }

        var context = Context(Enumerable.Range(0, files.Count).Select(i => $"/corpus/{i}.xml").ToArray());

        await _connector.PollDueAsync(context, new RssCheckpoint(), force: true, default);

        _health.Malformed.Count.ShouldBeGreaterThanOrEqualTo(8);
        _sink.Posts.ShouldNotBeEmpty();
        _sink.Posts.ShouldAllBe(p => p.Text.Length > 0 && p.ExternalId.Length <= PostNormaliser.MaxExternalIdLength);
    }

    [Fact]
    public async Task Reply_IsRefusedInWords()
    {
        var result = await _connector.ReplyAsync(Context(), new OutboundReply(1, 1, 7, ChannelKind.Rss, null, "Thanks", null, "CD-1"), default);

        result.Delivered.ShouldBeFalse();
        result.Error!.ShouldContain("listening only");
    }

    [Fact]
    public void Feeds_ReadsUrlsAndPerFeedIntervals()
    {
        var feeds = RssConnector.Feeds(new Dictionary<string, string> { [RssConnector.FeedsSetting] = "https://a.example/rss 30\n\nnot a url\nhttp://b.example/atom" });

        feeds.ShouldBe([("https://a.example/rss", (TimeSpan?)TimeSpan.FromMinutes(30)), ("http://b.example/atom", null)]);
    }

    [Fact]
    public void Backoff_GrowsAndIsCapped()
    {
        RssConnector.Backoff(TimeSpan.FromMinutes(1), 1).ShouldBeInRange(TimeSpan.FromSeconds(48), TimeSpan.FromSeconds(72));
        RssConnector.Backoff(TimeSpan.FromMinutes(1), 3).ShouldBeInRange(TimeSpan.FromSeconds(192), TimeSpan.FromSeconds(288));
        RssConnector.Backoff(TimeSpan.FromMinutes(15), 30).ShouldBeLessThanOrEqualTo(RssConnector.MaxBackoff * 1.2);
    }

    private sealed class MemorySink : IConnectorSink
    {
        private readonly HashSet<string> _ids = [];
        public List<InboundPost> Posts { get; } = [];
        public List<(string, string)> Edits { get; } = [];
        public string? Checkpoint { get; private set; }

        public Task<IngestOutcome> CommitAsync(IReadOnlyList<InboundPost> posts, string? checkpoint, CancellationToken ct)
        {
            var fresh = posts.Where(p => _ids.Add(p.ExternalId)).ToList();
            Posts.AddRange(fresh);
            Checkpoint = checkpoint ?? Checkpoint;
            return Task.FromResult(new IngestOutcome(fresh.Count, posts.Count - fresh.Count, []));
        }

        public Task EditAsync(string externalId, string newText, DateTime editedAt, CancellationToken ct)
        {
            Edits.Add((externalId, newText));
            return Task.CompletedTask;
        }

        public Task DeleteAsync(string externalId, DateTime deletedAt, CancellationToken ct) => Task.CompletedTask;

        public Task SaveCheckpointAsync(string checkpoint, CancellationToken ct)
        {
            Checkpoint = checkpoint;
            return Task.CompletedTask;
        }
    }

    private sealed class MemoryHealth : IConnectorHealth
    {
        public ConcurrentQueue<string> Malformed { get; } = new();
        public ConcurrentQueue<string> Disconnects { get; } = new();

        public void Connected() { }

        public void Disconnected(string? reason) => Disconnects.Enqueue(reason ?? "");

        public void EventReceived(DateTime networkTime) { }

        void IConnectorHealth.Malformed(string identifier, string problem) => Malformed.Enqueue(identifier);

        public void Error(string message) { }
    }
}
