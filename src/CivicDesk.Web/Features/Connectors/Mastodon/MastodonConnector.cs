using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Outbound;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Connectors.Mastodon;

/// <summary>
/// Mastodon: listens on the streaming API over server-sent events (the account's <c>user</c> stream for mentions,
/// one <c>hashtag</c> stream per listened tag), catches up on what a disconnection missed through the REST
/// notifications and tag timelines from a per-stream <c>since_id</c>, and replies with <c>POST /api/v1/statuses</c>.
/// </summary>
/// <param name="time">Clock for waits (tests advance it).</param>
/// <param name="logger">Logs ids and states, never post text.</param>
/// <param name="scopes">Reads the organisation's listening searches, whose #hashtags are streamed too; null in unit tests.</param>
public sealed class MastodonConnector(TimeProvider time, ILogger<MastodonConnector> logger, IServiceScopeFactory? scopes = null) : ISocialConnector
{
    public const string BaseUrlField = "BaseUrl";
    public const string StreamingUrlField = "StreamingUrl";
    public const string AccessTokenField = "AccessToken";
    public const string HashtagsField = "Hashtags";
    public const string MentionsField = "ListenToMentions";
    public const string ReplyVisibilityField = "ReplyVisibility";

    /// <summary>A silent stream is presumed dead after this long. Mastodon sends a heartbeat every 15 seconds.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(90);

    public ChannelKind Kind => ChannelKind.Mastodon;

    public IReadOnlyList<ConnectorField> Fields { get; } =
    [
        new(BaseUrlField, "Server address", Required: true, Hint: "The organisation's Mastodon server, e.g. https://social.example.gov.uk"),
        new(AccessTokenField, "Access token", Secret: true, Required: true,
            Hint: "From Preferences → Development → New application, scopes read:statuses read:notifications write:statuses"),
        new(HashtagsField, "Hashtags to listen to", Hint: "Without #, separated by spaces or commas, e.g. potholes flytipping"),
        new(MentionsField, "Listen to mentions of the account", Hint: "true (default) or false"),
        new(StreamingUrlField, "Streaming address", Hint: "Only if the server streams from another host (its /api/v1/instance says so)"),
        new(ReplyVisibilityField, "Least private reply visibility", Hint: "public (default), unlisted, private or direct; replies are never less private than the citizen's post"),
    ];

    public async Task RunInboundAsync(ConnectorContext context, CancellationToken ct)
    {
        var settings = MastodonSettings.Read(context);
        settings = settings with { Hashtags = [.. settings.Hashtags.Concat(await SearchHashtagsAsync(context.Channel.OrganisationId, ct)).Distinct(StringComparer.Ordinal)] };
        var api = new MastodonApi(context.Http, settings.BaseUrl, settings.AccessToken, time);
        var state = new MastodonCheckpoint(context.Checkpoint);
        using var gate = new SemaphoreSlim(1, 1);
        // A stream that fails for good (the sink refused a batch) stops its siblings, so the whole run ends and the
        // host restarts it from the last committed checkpoint instead of one stream silently missing.
        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var streams = new List<Task>();
        if (settings.ListenToMentions)
        {
            streams.Add(RunStreamAsync(new StreamSpec("user", "api/v1/streaming/user", MentionsKey,
                $"api/v1/notifications?types[]=mention&limit={MastodonApi.PageSize}"), context, settings, api, state, gate, stopAll));
        }

        foreach (var tag in settings.Hashtags)
        {
            var escaped = Uri.EscapeDataString(tag);
            streams.Add(RunStreamAsync(new StreamSpec($"hashtag:{tag}", $"api/v1/streaming/hashtag?tag={escaped}", $"tag:{tag}",
                $"api/v1/timelines/tag/{escaped}?limit={MastodonApi.PageSize}"), context, settings, api, state, gate, stopAll));
        }

        if (streams.Count == 0)
        {
            context.Health.Error("Nothing to listen to: turn on mentions or add a hashtag.");
            await Task.Delay(Timeout.InfiniteTimeSpan, time, ct);
        }

        // Faulted wins over cancelled: a failed stream's exception is what surfaces.
        await Task.WhenAll(streams);
    }

    private async Task RunStreamAsync(StreamSpec spec, ConnectorContext context, MastodonSettings settings, MastodonApi api,
        MastodonCheckpoint state, SemaphoreSlim gate, CancellationTokenSource stopAll)
    {
        try
        {
            await RunStreamAsync(spec, context, settings, api, state, gate, stopAll.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await stopAll.CancelAsync();
            throw;
        }
    }

    private const string MentionsKey = "mentions";

    /// <summary>The #hashtag terms of the organisation's enabled listening searches (read at each start), lower case, without '#'.</summary>
    private async Task<IReadOnlyList<string>> SearchHashtagsAsync(long organisationId, CancellationToken ct)
    {
        if (scopes is null)
        {
            return [];
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var terms = await db.ListeningSearches.IgnoreQueryFilters().Where(s => s.OrganisationId == organisationId && s.IsEnabled).Select(s => s.Terms).ToListAsync(ct);
        return [.. terms.SelectMany(t => t.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(t => t.Length > 1 && t[0] == '#' && !t.Contains(' ', StringComparison.Ordinal))
            .Select(t => t[1..].ToLowerInvariant()).Distinct(StringComparer.Ordinal)];
    }

    /// <param name="Name">The stream's name in logs and checkpoints.</param>
    /// <param name="Path">The SSE endpoint under the streaming address.</param>
    /// <param name="SinceKey">The checkpoint key of this stream's <c>since_id</c>.</param>
    /// <param name="CatchUpPath">The REST listing that fills gaps (notifications or the tag timeline).</param>
    private sealed record StreamSpec(string Name, string Path, string SinceKey, string CatchUpPath)
    {
        public bool IsMentions => SinceKey == MentionsKey;
    }

    private async Task RunStreamAsync(StreamSpec spec, ConnectorContext context, MastodonSettings settings, MastodonApi api,
        MastodonCheckpoint state, SemaphoreSlim gate, CancellationToken ct)
    {
        var backoff = new ConnectorBackoff(time);
        var lastEventId = state.Get("lastEventId:" + spec.Name);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var request = api.Request(HttpMethod.Get, new Uri(settings.StreamingUrl, spec.Path));
                request.Headers.Accept.ParseAdd("text/event-stream");
                if (lastEventId is not null)
                {
                    request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
                }

                using var response = await context.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                await api.EnsureSuccessAsync(response, ct);
                context.Health.Connected();

                // Connected first, then catch up: what is posted meanwhile waits in the socket, and duplicates are
                // harmless (the sink stores each external id once), whereas the other order could lose posts.
                await CatchUpAsync(spec, context, api, state, gate, ct);
                backoff.Reset();

                await using var body = await response.Content.ReadAsStreamAsync(ct);
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
                // The watchdog is wall-clock on purpose: it guards a real socket that went quiet.
                stall.CancelAfter(StallTimeout);
                using var text = new StreamReader(body, Encoding.UTF8);
                var reader = new ServerSentEventReader(text) { LineRead = () => stall.CancelAfter(StallTimeout) };
                var sequence = 0;
                await foreach (var sse in reader.ReadAllAsync(stall.Token))
                {
                    sequence++;
                    lastEventId = reader.LastEventId ?? lastEventId;
                    await HandleAsync(spec, sse, sequence, context, state, gate, lastEventId, ct);
                }

                context.Health.Disconnected("The server closed the stream.");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException)
            {
                context.Health.Disconnected($"No data or heartbeat for {StallTimeout.TotalSeconds:0} seconds.");
            }
            catch (MastodonRateLimitedException e)
            {
                context.Health.Disconnected($"Rate limited until {e.Reset:u}.");
                logger.LogWarning("Mastodon {Stream} rate limited until {Reset}", spec.Name, e.Reset);
                await backoff.WaitUntilAsync(e.Reset, ct);
                continue;
            }
            catch (MastodonHttpException e)
            {
                context.Health.Error(e.Fatal ? $"The server refused the access token ({(int)e.Status}): check it on the channel's settings." : e.Message);
                if (e.Fatal)
                {
                    // Waiting will not fix a revoked token; try again only at the slowest rate.
                    await Task.Delay(TimeSpan.FromMinutes(5), time, ct);
                    continue;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                context.Health.Disconnected(e.Message);
            }

            await backoff.WaitAsync(ct);
        }
    }

    private async Task CatchUpAsync(StreamSpec spec, ConnectorContext context, MastodonApi api, MastodonCheckpoint state, SemaphoreSlim gate, CancellationToken ct)
    {
        var since = state.Get(spec.SinceKey);
        if (since is null)
        {
            // First start: nothing was missed; the stream takes it from here.
            return;
        }

        var path = $"{spec.CatchUpPath}&since_id={Uri.EscapeDataString(since)}";
        List<InboundPost> posts;
        string newest;
        if (spec.IsMentions)
        {
            var mentions = await api.CatchUpAsync(path, since, json => ParseNotifications(json, context.Health), n => n.Id, ct);
            posts = [.. mentions.Where(n => n.Status is not null).Select(n => MastodonEvents.ToInboundPost(n.Status!, null, isDirect: true))];
            newest = mentions.Count > 0 ? mentions[^1].Id : since;
        }
        else
        {
            var statuses = await api.CatchUpAsync(path, since, json => ParseStatuses(json, context.Health), s => s.Id, ct);
            posts = [.. statuses.Select(s => MastodonEvents.ToInboundPost(s, null, MastodonEvents.Mentions(s, context.Channel.Account)))];
            newest = statuses.Count > 0 ? statuses[^1].Id : since;
        }

        if (posts.Count == 0)
        {
            return;
        }

        foreach (var post in posts)
        {
            context.Health.EventReceived(post.CreatedAt ?? time.GetUtcNow().UtcDateTime);
        }

        await gate.WaitAsync(ct);
        try
        {
            var checkpoint = state.With(spec.SinceKey, newest);
            await context.Sink.CommitAsync(posts, checkpoint.Serialise(), ct);
            state.Accept(checkpoint);
        }
        finally
        {
            gate.Release();
        }

        logger.LogInformation("Mastodon {Stream} caught up {Count} posts since {SinceId}", spec.Name, posts.Count, since);
    }

    private async Task HandleAsync(StreamSpec spec, ServerSentEvent sse, int sequence, ConnectorContext context, MastodonCheckpoint state,
        SemaphoreSlim gate, string? lastEventId, CancellationToken ct)
    {
        MastodonStreamEvent parsed;
        try
        {
            parsed = MastodonEvents.Parse(sse.Event, sse.Data);
        }
        catch (MastodonPayloadException e)
        {
            var identifier = $"{spec.Name} {sse.Event} " + (sse.Id is null ? $"#{sequence}" : $"id {sse.Id}");
            context.Health.Malformed(identifier, e.Message);
            logger.LogWarning("Mastodon {Stream}: skipped malformed {Event} {Identifier}: {Problem}", spec.Name, sse.Event, identifier, e.Message);
            return;
        }

        switch (parsed)
        {
            case MastodonPostEvent post:
                var status = post.Status.Reblog ?? post.Status;
                context.Health.EventReceived(status.CreatedAt);
                await gate.WaitAsync(ct);
                try
                {
                    var next = state;
                    if (post.NotificationId is { } notificationId && spec.IsMentions)
                    {
                        next = next.With(MentionsKey, notificationId);
                    }
                    else if (!spec.IsMentions)
                    {
                        next = next.With(spec.SinceKey, status.Id);
                    }

                    if (lastEventId is not null)
                    {
                        next = next.With("lastEventId:" + spec.Name, lastEventId, monotonic: false);
                    }

                    var raw = ReferenceEquals(status, post.Status) ? post.RawJson : null;
                    // A mention notification is addressed to us by definition; a timeline post when it mentions our account.
                    var direct = post.NotificationId is not null || MastodonEvents.Mentions(status, context.Channel.Account);
                    await context.Sink.CommitAsync([MastodonEvents.ToInboundPost(status, raw, direct)], next.Serialise(), ct);
                    state.Accept(next);
                }
                finally
                {
                    gate.Release();
                }

                break;
            case MastodonEditEvent edit:
                var editedAt = edit.Status.EditedAt ?? time.GetUtcNow().UtcDateTime;
                context.Health.EventReceived(editedAt);
                await context.Sink.EditAsync(edit.Status.Id, MastodonEvents.PostText(edit.Status), editedAt, ct);
                break;
            case MastodonDeleteEvent delete:
                var now = time.GetUtcNow().UtcDateTime;
                context.Health.EventReceived(now);
                await context.Sink.DeleteAsync(delete.StatusId, now, ct);
                break;
            default:
                break;
        }
    }

    private static List<MastodonNotification> ParseNotifications(string json, IConnectorHealth health)
    {
        // Read item by item so one bad notification is skipped, not the whole page.
        var result = new List<MastodonNotification>();
        foreach (var (element, index) in Elements(json))
        {
            try
            {
                var notification = element.Deserialize(MastodonJson.Default.MastodonNotification);
                if (notification is { Id: not null, Type: "mention", Status: not null })
                {
                    MastodonEvents.ReadStatus(element.GetProperty("status").GetRawText());
                    result.Add(notification);
                }
            }
            catch (Exception e) when (e is JsonException or MastodonPayloadException or KeyNotFoundException)
            {
                health.Malformed($"notifications item {index}", e is MastodonPayloadException ? e.Message : "invalid notification");
            }
        }

        return result;
    }

    private static List<MastodonStatus> ParseStatuses(string json, IConnectorHealth health)
    {
        var result = new List<MastodonStatus>();
        foreach (var (element, index) in Elements(json))
        {
            try
            {
                result.Add(MastodonEvents.ReadStatus(element.GetRawText()));
            }
            catch (MastodonPayloadException e)
            {
                health.Malformed($"timeline item {index}", e.Message);
            }
        }

        return result;
    }

    private static IEnumerable<(JsonElement Element, int Index)> Elements(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new MastodonHttpException(HttpStatusCode.BadGateway, $"The server sent a listing that is not JSON (line {e.LineNumber}).");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new MastodonHttpException(HttpStatusCode.BadGateway, "The server sent a listing that is not a JSON array.");
            }

            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                yield return (element.Clone(), index++);
            }
        }
    }

    public async Task<DeliveryResult> ReplyAsync(ConnectorContext context, OutboundReply reply, CancellationToken ct)
    {
        if (reply.InReplyTo is null)
        {
            return DeliveryResult.Failed("This conversation has no Mastodon post to answer.");
        }

        var bare = MastodonText.Length(reply.Text);
        if (bare > MastodonText.MaxLength)
        {
            return DeliveryResult.Failed(TooLong(bare));
        }

        MastodonSettings settings;
        try
        {
            settings = MastodonSettings.Read(context);
        }
        catch (InvalidOperationException e)
        {
            return DeliveryResult.Failed(e.Message);
        }

        var api = new MastodonApi(context.Http, settings.BaseUrl, settings.AccessToken, time);
        try
        {
            // The citizen's post decides who is addressed and how private the answer must be.
            MastodonStatus original;
            using (var get = api.Request(HttpMethod.Get, $"api/v1/statuses/{Uri.EscapeDataString(reply.InReplyTo)}"))
            using (var response = await context.Http.SendAsync(get, ct))
            {
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return DeliveryResult.Failed("The citizen's post was deleted or is not visible to the organisation's account, so it cannot be answered.");
                }

                await api.EnsureSuccessAsync(response, ct);
                original = MastodonEvents.ReadStatus(await response.Content.ReadAsStringAsync(ct));
            }

            var text = MastodonReplies.Address(reply.Text, original.Account.Acct);
            var length = MastodonText.Length(text);
            if (length > MastodonText.MaxLength)
            {
                return DeliveryResult.Failed(TooLong(length) + $" (this includes the @{original.Account.Acct} mention)");
            }

            var visibility = MastodonReplies.Visibility(original.Visibility, settings.ReplyVisibility);
            using var post = api.Request(HttpMethod.Post, "api/v1/statuses");
            // Mastodon keeps an Idempotency-Key for an hour: a retry after a lost response does not post twice.
            post.Headers.TryAddWithoutValidation("Idempotency-Key", MastodonReplies.IdempotencyKey(reply));
            post.Content = JsonContent.Create(new MastodonStatusRequest(text, original.Id, visibility, original.Language), MastodonJson.Default.MastodonStatusRequest);
            using var posted = await context.Http.SendAsync(post, ct);
            if (posted.StatusCode == HttpStatusCode.UnprocessableEntity)
            {
                return DeliveryResult.Failed("Mastodon refused the reply: " + (await MastodonApi.ReadErrorAsync(posted, ct) ?? "no reason given"));
            }

            await api.EnsureSuccessAsync(posted, ct);
            var status = MastodonEvents.ReadStatus(await posted.Content.ReadAsStringAsync(ct));
            return DeliveryResult.Sent(status.Id, status.Url ?? status.Uri);
        }
        catch (MastodonRateLimitedException e)
        {
            return DeliveryResult.Failed($"Mastodon is rate limiting the account until {e.Reset.ToString("HH:mm 'UTC' d MMM", CultureInfo.InvariantCulture)}; the reply will be retried.");
        }
        catch (MastodonHttpException e)
        {
            return DeliveryResult.Failed(e.Fatal ? "Mastodon refused the access token: check the channel's settings." : "Mastodon failed: " + e.Message);
        }
        catch (MastodonPayloadException e)
        {
            return DeliveryResult.Failed("Mastodon answered with something unreadable: " + e.Message);
        }
        catch (HttpRequestException e)
        {
            return DeliveryResult.Failed("Mastodon could not be reached: " + e.Message);
        }
    }

    private static string TooLong(int length) =>
        $"The reply is {length} characters; Mastodon allows {MastodonText.MaxLength}. Shorten it by {length - MastodonText.MaxLength}";
}
