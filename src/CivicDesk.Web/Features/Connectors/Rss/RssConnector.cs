using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Outbound;

namespace CivicDesk.Web.Features.Connectors.Rss;

/// <summary>
/// Listens to RSS and Atom feeds (local news, blogs, forums): polls each configured feed at its own interval with
/// conditional GETs (ETag / If-Modified-Since, so an unchanged feed costs a 304), turns each new item into a post and
/// each changed item (same id, new text) into an edit. Failures back off exponentially with jitter per feed (5xx,
/// timeouts, refused connections) or wait as told (Retry-After on 429/503); a malformed feed is reported and skipped,
/// and the other feeds carry on. The checkpoint (<see cref="RssCheckpoint"/>) moves only with a committed batch.
/// Listening only: feeds cannot be answered.
/// </summary>
public sealed class RssConnector(TimeProvider clock, ILogger<RssConnector> logger) : ISocialConnector
{
    public const string FeedsSetting = "feeds";
    public const string IntervalSetting = "interval_minutes";
    public const string KeepSetting = "keep";
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(2);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Ids remembered per feed for spotting edits; older ones are still deduplicated by the sink.</summary>
    private const int SeenPerFeed = 1_000;

    public ChannelKind Kind => ChannelKind.Rss;

    public IReadOnlyList<ConnectorField> Fields { get; } =
    [
        new(FeedsSetting, "Feed addresses", Required: true,
            Hint: "One RSS or Atom feed URL per line; add a space and a number of minutes to poll that feed at its own interval."),
        new(IntervalSetting, "Poll interval (minutes)", Hint: "For feeds without their own interval. Default 15."),
        new(KeepSetting, "Keep", Hint: "all (default): every item; searches: only items a listening search matches."),
    ];

    public Task<DeliveryResult> ReplyAsync(ConnectorContext context, OutboundReply reply, CancellationToken ct) =>
        Task.FromResult(new DeliveryResult(false, null, null,
            "RSS and Atom feeds are listening only: reply on the website that published the item, or contact its author another way."));

    public async Task RunInboundAsync(ConnectorContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var checkpoint = RssCheckpoint.Read(context.Checkpoint);
        context.Health.Connected();
        while (!ct.IsCancellationRequested)
        {
            await PollDueAsync(context, checkpoint, force: false, ct);
            var now = clock.GetUtcNow().UtcDateTime;
            var next = Feeds(context.Settings).Select(f => checkpoint.For(f.Url).NextPollAt ?? now).DefaultIfEmpty(now.Add(DefaultInterval)).Min();
            var wait = next - now;
            await Task.Delay(wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait, clock, ct);
        }
    }

    /// <summary>
    /// Polls every feed that is due (or every feed, with <paramref name="force"/>), commits new items with the
    /// checkpoint that follows them, applies edits, and schedules each feed's next poll. Returns the posts committed.
    /// </summary>
    public async Task<int> PollDueAsync(ConnectorContext context, RssCheckpoint checkpoint, bool force, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var keepAll = !string.Equals(context.Settings.GetValueOrDefault(KeepSetting)?.Trim(), "searches", StringComparison.OrdinalIgnoreCase);
        var committed = 0;
        foreach (var feed in Feeds(context.Settings))
        {
            var state = checkpoint.For(feed.Url);
            var now = clock.GetUtcNow().UtcDateTime;
            if (!force && state.NextPollAt > now)
            {
                continue;
            }

            var interval = feed.Interval ?? Interval(context.Settings);
            var fetched = await FetchAsync(context, feed.Url, state, ct);
            now = clock.GetUtcNow().UtcDateTime;
            switch (fetched.Outcome)
            {
                case FetchOutcome.NotModified:
                    state.Failures = 0;
                    state.NextPollAt = now + interval;
                    context.Health.Connected();
                    await context.Sink.SaveCheckpointAsync(checkpoint.Write(), ct);
                    break;

                case FetchOutcome.Failed:
                    state.Failures++;
                    state.NextPollAt = now + (fetched.RetryAfter ?? Backoff(interval, state.Failures));
                    context.Health.Disconnected($"{Host(feed.Url)}: {fetched.Problem}");
                    RssLog.PollFailed(logger, context.Channel.Id, Host(feed.Url), fetched.Problem ?? "", state.Failures);
                    await context.Sink.SaveCheckpointAsync(checkpoint.Write(), ct);
                    break;

                case FetchOutcome.Malformed:
                    // Reported and skipped; the validators are not kept, so a fixed feed is read in full next time.
                    state.Failures = 0;
                    state.NextPollAt = now + interval;
                    context.Health.Malformed(feed.Url, fetched.Problem ?? "malformed feed");
                    await context.Sink.SaveCheckpointAsync(checkpoint.Write(), ct);
                    break;

                default:
                    state.Failures = 0;
                    state.ETag = fetched.ETag;
                    state.LastModified = fetched.LastModified;
                    state.NextPollAt = now + interval;
                    context.Health.Connected();
                    committed += await StoreAsync(context, checkpoint, state, fetched.Feed!, feed.Url, keepAll, ct);
                    break;
            }
        }

        return committed;
    }

    private async Task<int> StoreAsync(ConnectorContext context, RssCheckpoint checkpoint, FeedState state, FeedDocument feed, string url, bool keepAll,
        CancellationToken ct)
    {
        var posts = new List<InboundPost>();
        var edits = new List<(string Id, string Text, DateTime At)>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in feed.Items)
        {
            var id = ExternalId(item.Id);
            var text = item.MessageText is { Length: > 0 } t ? t : item.Link;
            if (text is null)
            {
                context.Health.Malformed(id, "item has no title, text or link");
                continue;
            }

            var fingerprint = item.Fingerprint;
            if (!seen.TryAdd(id, fingerprint))
            {
                continue;
            }

            context.Health.EventReceived(item.Updated ?? item.Published ?? clock.GetUtcNow().UtcDateTime);
            if (!state.Seen.TryGetValue(id, out var before))
            {
                posts.Add(new InboundPost(id, text, Handle(item, url), feed.Title, item.Published ?? item.Updated, IsDirect: keepAll,
                    RawPayload: JsonSerializer.Serialize(new { feed = url, id = item.Id, link = item.Link, title = item.Title })));
            }
            else if (before != fingerprint)
            {
                edits.Add((id, text, item.Updated ?? clock.GetUtcNow().UtcDateTime));
            }
        }

        // Remember this feed's items, and some of those that fell out of it (a feed that flaps keeps them).
        foreach (var (id, fingerprint) in state.Seen)
        {
            if (seen.Count >= SeenPerFeed)
            {
                break;
            }

            seen.TryAdd(id, fingerprint);
        }

        state.Seen = seen;
        var next = checkpoint.Write();
        if (posts.Count > 0)
        {
            await context.Sink.CommitAsync(posts, next, ct);
        }
        else
        {
            await context.Sink.SaveCheckpointAsync(next, ct);
        }

        foreach (var (id, text, at) in edits)
        {
            await context.Sink.EditAsync(id, text, at, ct);
        }

        return posts.Count;
    }

    private async Task<Fetched> FetchAsync(ConnectorContext context, string url, FeedState state, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5");
        if (state.ETag is { } etag)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }

        if (state.LastModified is { } lastModified)
        {
            request.Headers.TryAddWithoutValidation("If-Modified-Since", lastModified);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await context.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode == HttpStatusCode.NotModified)
            {
                return new Fetched(FetchOutcome.NotModified);
            }

            if (!response.IsSuccessStatusCode)
            {
                var retryAfter = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
                    ? RetryAfter(response.Headers.RetryAfter) : null;
                return new Fetched(FetchOutcome.Failed, Problem: $"HTTP {(int)response.StatusCode}", RetryAfter: retryAfter);
            }

            if (response.Content.Headers.ContentLength > FeedParser.MaxBytes)
            {
                return new Fetched(FetchOutcome.Malformed, Problem: $"feed larger than {FeedParser.MaxBytes:N0} bytes");
            }

            var bytes = await ReadLimitedAsync(response.Content, timeout.Token);
            if (bytes is null)
            {
                return new Fetched(FetchOutcome.Malformed, Problem: $"feed larger than {FeedParser.MaxBytes:N0} bytes");
            }

            return FeedParser.TryParse(bytes, out var feed, out var problem)
                ? new Fetched(FetchOutcome.Parsed, feed, response.Headers.ETag?.ToString(),
                    response.Content.Headers.LastModified?.ToString("R", CultureInfo.InvariantCulture))
                : new Fetched(FetchOutcome.Malformed, Problem: problem);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Fetched(FetchOutcome.Failed, Problem: "timed out");
        }
        catch (HttpRequestException e)
        {
            return new Fetched(FetchOutcome.Failed, Problem: e.HttpRequestError.ToString());
        }
    }

    private static async Task<byte[]?> ReadLimitedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > FeedParser.MaxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        var wait = header?.Delta ?? (header?.Date is { } date ? date - clock.GetUtcNow() : null);
        return wait is null ? null : wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxBackoff ? MaxBackoff : wait;
    }

    /// <summary>interval × 2^(failures−1), capped, with ±20 % jitter so many feeds on one host do not retry together.</summary>
    public static TimeSpan Backoff(TimeSpan interval, int failures) =>
        Platform.Backoff.Spread(Platform.Backoff.Exponential(failures, interval, MaxBackoff), 0.2, Random.Shared.NextDouble());

    /// <summary>Feed URLs with optional per-feed minutes ("https://… 30"), one per line; only absolute http(s) URLs.</summary>
    public static IReadOnlyList<(string Url, TimeSpan? Interval)> Feeds(IReadOnlyDictionary<string, string> settings)
    {
        var lines = settings.GetValueOrDefault(FeedsSetting)?.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var feeds = new List<(string, TimeSpan?)>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (Uri.TryCreate(parts[0], UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                TimeSpan? interval = parts.Length > 1 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) && minutes > 0
                    ? TimeSpan.FromMinutes(minutes) : null;
                feeds.Add((uri.ToString(), interval));
            }
        }

        return feeds;
    }

    private static TimeSpan Interval(IReadOnlyDictionary<string, string> settings) =>
        double.TryParse(settings.GetValueOrDefault(IntervalSetting), NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) && minutes > 0
            ? TimeSpan.FromMinutes(minutes) : DefaultInterval;

    /// <summary>The item id as the external id; ids too long for the store become a hash of themselves.</summary>
    private static string ExternalId(string id) =>
        id.Length <= PostNormaliser.MaxExternalIdLength && !id.Any(char.IsControl) ? id
            : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..32];

    private static string Handle(FeedItem item, string url)
    {
        var handle = item.Author is { Length: > 0 } a ? a : Host(url);
        return handle.Length <= PostNormaliser.MaxHandleLength ? handle : handle[..PostNormaliser.MaxHandleLength];
    }

    private static string Host(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : "feed";

    private enum FetchOutcome
    {
        Parsed,
        NotModified,
        Failed,
        Malformed,
    }

    private sealed record Fetched(FetchOutcome Outcome, FeedDocument? Feed = null, string? ETag = null, string? LastModified = null, string? Problem = null,
        TimeSpan? RetryAfter = null);
}

internal static partial class RssLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "RSS channel {ChannelId}: polling {Host} failed ({Problem}), failure {Failures} in a row")]
    public static partial void PollFailed(ILogger logger, long channelId, string host, string problem, int failures);
}
