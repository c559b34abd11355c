using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Outbound;

namespace CivicDesk.Web.Features.Connectors.X;

/// <summary>
/// X API v2: the filtered stream (rules kept in step with the channel's searches and handles), recent-search
/// backfill after each reconnect, and on the cheapest tier recent search polled at an interval. Replies with
/// <c>POST /2/tweets</c> under the organisation's OAuth 2 user token.
/// </summary>
/// <param name="time">Clock for waits (tests advance it).</param>
/// <param name="logger">Logs ids and states, never post text.</param>
/// <param name="scopes">Reads the organisation's listening searches, which become rules; null in unit tests.</param>
public sealed class XConnector(TimeProvider time, ILogger<XConnector> logger, IServiceScopeFactory? scopes = null) : ISocialConnector
{
    public const string BaseUrlField = "BaseUrl";
    public const string AppBearerTokenField = "AppBearerToken";
    public const string UserAccessTokenField = "UserAccessToken";
    public const string RulesField = "Rules";
    public const string HandlesField = "Handles";
    public const string ModeField = "Mode";
    public const string PollIntervalField = "PollIntervalSeconds";

    /// <summary>Tag on the rules this connector writes.</summary>
    public const string RuleTag = "civicdesk";

    /// <summary>Expansions and fields asked for on the stream and on search: authors, replied-to posts, media alt text, places.</summary>
    public const string Fields =
        "expansions=author_id,referenced_tweets.id,attachments.media_keys,geo.place_id" +
        "&tweet.fields=created_at,author_id,conversation_id,in_reply_to_user_id,lang,referenced_tweets,entities,attachments,geo,edit_history_tweet_ids,note_tweet" +
        "&user.fields=name,username,created_at,verified&media.fields=type,url,preview_image_url,alt_text&place.fields=full_name,name,country_code,place_type,geo";

    /// <summary>X sends a keep-alive every 20 seconds; three missed mean the connection is dead.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Pages read per query per poll (100 posts a page) before the rest waits for the next poll.</summary>
    public const int MaxPagesPerPoll = 10;

    public ChannelKind Kind => ChannelKind.Twitter;

    IReadOnlyList<ConnectorField> ISocialConnector.Fields => ConnectorFields;

    public static IReadOnlyList<ConnectorField> ConnectorFields { get; } =
    [
        new(AppBearerTokenField, "App bearer token", Secret: true, Required: true, Hint: "The app-only token from the X developer portal: reads the stream, rules and search"),
        new(UserAccessTokenField, "User access token (OAuth 2)", Secret: true, Hint: "The organisation account's token with tweet.write, for replies"),
        new(RulesField, "Searches", Hint: "One X search query per line, e.g. pothole (Leeds OR \"LS1\") -is:retweet"),
        new(HandlesField, "Handles to listen for", Hint: "Accounts whose mentions are kept, without @"),
        new(ModeField, "Mode", Hint: "auto (default: stream, or poll when the tier has no stream), stream, or poll"),
        new(PollIntervalField, "Polling interval in seconds", Hint: "Recent search interval when polling; default 900 (the free tier allows one search per 15 minutes)"),
        new(BaseUrlField, "API address", Hint: "Default https://api.x.com"),
    ];

    public async Task RunInboundAsync(ConnectorContext context, CancellationToken ct)
    {
        var settings = XSettings.Read(context);
        // The channel's own rules and handles, then the organisation's listening searches (read at each start).
        var fromSearches = XSearchRules.From(await XSearchRules.LoadAsync(scopes, context.Channel.OrganisationId, ct));
        settings = settings with { Rules = [.. settings.Rules.Concat(fromSearches).Distinct(StringComparer.Ordinal)] };
        if (settings.AppBearerToken is null)
        {
            throw new InvalidOperationException("The X channel has no app bearer token.");
        }

        if (settings.Rules.Count == 0)
        {
            context.Health.Error("Nothing to listen to: add a search or a handle.");
            await Task.Delay(Timeout.InfiniteTimeSpan, time, ct);
            return;
        }

        var api = new XApi(context.Http, settings.BaseUrl, settings.AppBearerToken, time);
        var ours = settings.Handles.Append(context.Channel.Account ?? "").Select(h => h.Trim().TrimStart('@')).Where(h => h.Length > 0)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var run = new Run(context, settings, api, new ConnectorBackoff(time), XCheckpoint.NewestId(context.Checkpoint), ours);
        if (settings.Mode != XMode.Poll && await StreamAsync(run, ct) == Outcome.StreamingNotAvailable)
        {
            context.Health.Error("This X app's access level has no filtered stream; polling recent search every " +
                $"{settings.PollInterval.TotalSeconds:0} seconds instead.");
        }

        await PollAsync(run, ct);
    }

    private sealed class Run(ConnectorContext context, XSettings settings, XApi api, ConnectorBackoff backoff, string? newestId, IReadOnlySet<string> ourHandles)
    {
        /// <summary>The post as the sink gets it: direct when it @mentions one of the organisation's handles.</summary>
        public InboundPost Direct(XPost post) =>
            post.Tweet.Entities?.Mentions?.Any(m => ourHandles.Contains(m.Username)) == true ? post.Post with { IsDirect = true } : post.Post;

        public ConnectorContext Context => context;
        public XSettings Settings => settings;
        public XApi Api => api;
        public ConnectorBackoff Backoff => backoff;
        public string? NewestId { get; set; } = newestId;
    }

    private enum Outcome
    {
        Cancelled,
        StreamingNotAvailable,
    }

    // ---- filtered stream ----

    private async Task<Outcome> StreamAsync(Run run, CancellationToken ct)
    {
        var rulesInStep = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!rulesInStep)
                {
                    await SyncRulesAsync(run.Api, run.Settings.Rules, run.Context.Health, ct);
                    rulesInStep = true;
                }

                using var request = run.Api.Request(HttpMethod.Get, "2/tweets/search/stream?" + Fields);
                using var response = await run.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                await run.Api.EnsureSuccessAsync(response, ct);
                run.Context.Health.Connected();

                // Connected first, then fill the gap since the checkpoint: posts arriving meanwhile wait in the
                // socket, and duplicates are harmless (one message per external id).
                if (run.NewestId is not null)
                {
                    await BackfillAsync(run, ct);
                }

                run.Backoff.Reset();
                await ReadStreamAsync(run, response, ct);
                run.Context.Health.Disconnected("X closed the stream.");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException)
            {
                run.Context.Health.Disconnected($"No post or keep-alive for {StallTimeout.TotalSeconds:0} seconds.");
            }
            catch (XRateLimitedException e)
            {
                run.Context.Health.Disconnected($"Rate limited until {e.Reset:u}.");
                logger.LogWarning("X stream rate limited until {Reset}", e.Reset);
                await run.Backoff.WaitUntilAsync(e.Reset, ct);
                continue;
            }
            catch (XHttpException e) when (e.NotEnrolled && run.Settings.Mode == XMode.Auto)
            {
                logger.LogInformation("X filtered stream not available to this app ({Reason}); polling recent search", e.Reason ?? e.Title);
                return Outcome.StreamingNotAvailable;
            }
            catch (XHttpException e)
            {
                run.Context.Health.Error(e.Fatal ? $"X refused the app bearer token ({(int)e.Status} {e.Title}): check the channel's settings." : e.Message);
                if (e.Fatal)
                {
                    await Task.Delay(TimeSpan.FromMinutes(5), time, ct);
                    continue;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                run.Context.Health.Disconnected(e.Message);
            }

            await run.Backoff.WaitAsync(ct);
        }

        return Outcome.Cancelled;
    }

    private async Task ReadStreamAsync(Run run, HttpResponseMessage response, CancellationToken ct)
    {
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body, Encoding.UTF8);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Wall-clock on purpose: it guards a real socket that went quiet.
        stall.CancelAfter(StallTimeout);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(stall.Token) is { } line)
        {
            stall.CancelAfter(StallTimeout);
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue; // keep-alive
            }

            XBatch batch;
            try
            {
                batch = XPayloads.Read(line);
            }
            catch (XPayloadException e)
            {
                Malformed(run, $"stream line {lineNumber}", line, e.Message);
                continue;
            }

            foreach (var problem in batch.Problems)
            {
                run.Context.Health.Error($"X stream: {problem.Title} {problem.Detail}".Trim());
            }

            await ApplyAsync(run, batch, ct);
        }
    }

    /// <summary>Makes the app's stream rules exactly the channel's searches: adds what is missing, deletes what is stale.</summary>
    public static async Task SyncRulesAsync(XApi api, IReadOnlyList<string> wanted, IConnectorHealth health, CancellationToken ct)
    {
        IReadOnlyList<XRule> existing;
        using (var get = api.Request(HttpMethod.Get, "2/tweets/search/stream/rules"))
        using (var response = await api.SendAsync(get, HttpCompletionOption.ResponseContentRead, ct))
        {
            await api.EnsureSuccessAsync(response, ct);
            existing = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(ct), XJson.Default.XRulesResponse)?.Data ?? [];
        }

        var stale = existing.Where(r => !wanted.Contains(r.Value, StringComparer.Ordinal) && r.Id is not null).Select(r => r.Id!).ToList();
        var missing = wanted.Where(w => !existing.Any(r => string.Equals(r.Value, w, StringComparison.Ordinal))).ToList();
        if (stale.Count > 0)
        {
            using var delete = api.Request(HttpMethod.Post, "2/tweets/search/stream/rules");
            delete.Content = JsonContent.Create(new XRulesDelete(new XRuleIds(stale)), XJson.Default.XRulesDelete);
            using var response = await api.SendAsync(delete, HttpCompletionOption.ResponseContentRead, ct);
            await api.EnsureSuccessAsync(response, ct);
        }

        if (missing.Count > 0)
        {
            using var add = api.Request(HttpMethod.Post, "2/tweets/search/stream/rules");
            add.Content = JsonContent.Create(new XRulesAdd([.. missing.Select(m => new XRule(null, m, RuleTag))]), XJson.Default.XRulesAdd);
            using var response = await api.SendAsync(add, HttpCompletionOption.ResponseContentRead, ct);
            await api.EnsureSuccessAsync(response, ct);
            var result = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(ct), XJson.Default.XRulesResponse);
            if (result?.Errors is { Count: > 0 } errors)
            {
                // X creates the valid rules and lists the refused ones (bad syntax, too long): report those, carry on.
                foreach (var error in errors)
                {
                    health.Error($"X refused the search \"{error.Value}\": {error.Title} {error.Detail}".Trim());
                }
            }
        }
    }

    // ---- recent search: backfill and the polling mode ----

    private async Task BackfillAsync(Run run, CancellationToken ct)
    {
        try
        {
            await SearchOnceAsync(run, ct);
        }
        catch (XHttpException e)
        {
            // Backfill is a bonus on top of the stream; a tier without search must not stop streaming.
            run.Context.Health.Error("Backfill through recent search failed: " + e.Message);
        }
    }

    private async Task PollAsync(Run run, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SearchOnceAsync(run, ct);
                run.Backoff.Reset();
                run.Context.Health.Connected();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (XRateLimitedException e)
            {
                run.Context.Health.Disconnected($"Rate limited until {e.Reset:u}.");
                await run.Backoff.WaitUntilAsync(e.Reset, ct);
                continue;
            }
            catch (XHttpException e)
            {
                run.Context.Health.Error(e.Fatal ? $"X refused the app bearer token ({(int)e.Status} {e.Title}): check the channel's settings." : e.Message);
                await (e.Fatal ? Task.Delay(TimeSpan.FromMinutes(5), time, ct) : run.Backoff.WaitAsync(ct));
                continue;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                run.Context.Health.Disconnected(e.Message);
                await run.Backoff.WaitAsync(ct);
                continue;
            }

            await Task.Delay(run.Settings.PollInterval, time, ct);
        }
    }

    /// <summary>
    /// One round of recent search over every query, newer than the checkpoint, following <c>next_token</c>; commits
    /// what it found as one batch whose checkpoint is the newest id. Without a checkpoint (a new channel) it reads
    /// one page per query only, to start from now rather than bill a week of history.
    /// </summary>
    private async Task SearchOnceAsync(Run run, CancellationToken ct)
    {
        var since = run.NewestId;
        var posts = new Dictionary<string, InboundPost>(StringComparer.Ordinal);
        var edits = new List<(string, XPost)>();
        var deletions = new List<(string, DateTime?)>();
        var newest = since;
        foreach (var query in run.Settings.PollQueries())
        {
            string? nextToken = null;
            for (var page = 0; page < (since is null ? 1 : MaxPagesPerPoll); page++)
            {
                var path = $"2/tweets/search/recent?query={Uri.EscapeDataString(query)}&max_results=100&{Fields}"
                    + (since is null ? "" : $"&since_id={since}") + (nextToken is null ? "" : $"&next_token={Uri.EscapeDataString(nextToken)}");
                using var request = run.Api.Request(HttpMethod.Get, path);
                using var response = await run.Api.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                await run.Api.EnsureSuccessAsync(response, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                XBatch batch;
                try
                {
                    batch = XPayloads.Read(body);
                }
                catch (XPayloadException e)
                {
                    // A whole page unreadable: report it and move on; the next poll asks again from the same since_id.
                    Malformed(run, "search page", body, e.Message);
                    break;
                }

                foreach (var post in batch.Posts)
                {
                    posts.TryAdd(post.Tweet.Id, run.Direct(post));
                    run.Context.Health.EventReceived(post.Tweet.CreatedAt ?? time.GetUtcNow().UtcDateTime);
                    newest = XPayloads.NewestId(newest, post.Tweet.Id);
                }

                edits.AddRange(batch.Edits);
                deletions.AddRange(batch.Deletions);
                newest = XPayloads.NewestId(newest, batch.Meta?.NewestId);
                nextToken = batch.Meta?.NextToken;
                if (nextToken is null)
                {
                    break;
                }
            }
        }

        if (posts.Count > 0)
        {
            var ordered = posts.Values.OrderBy(p => p.ExternalId, Comparer<string>.Create(XPayloads.CompareIds)).ToList();
            await run.Context.Sink.CommitAsync(ordered, XCheckpoint.Of(newest!), ct);
            run.NewestId = newest;
        }
        else if (newest is not null && newest != since)
        {
            await run.Context.Sink.SaveCheckpointAsync(XCheckpoint.Of(newest), ct);
            run.NewestId = newest;
        }

        foreach (var (original, edit) in edits)
        {
            await run.Context.Sink.EditAsync(original, edit.Post.Text, edit.Tweet.CreatedAt ?? time.GetUtcNow().UtcDateTime, ct);
        }

        foreach (var (id, at) in deletions)
        {
            await run.Context.Sink.DeleteAsync(id, at ?? time.GetUtcNow().UtcDateTime, ct);
        }
    }

    private async Task ApplyAsync(Run run, XBatch batch, CancellationToken ct)
    {
        if (batch.Posts.Count > 0)
        {
            var newest = run.NewestId;
            foreach (var post in batch.Posts)
            {
                run.Context.Health.EventReceived(post.Tweet.CreatedAt ?? time.GetUtcNow().UtcDateTime);
                newest = XPayloads.NewestId(newest, post.Tweet.Id);
            }

            await run.Context.Sink.CommitAsync([.. batch.Posts.Select(run.Direct)], XCheckpoint.Of(newest!), ct);
            run.NewestId = newest;
        }

        foreach (var (original, edit) in batch.Edits)
        {
            var at = edit.Tweet.CreatedAt ?? time.GetUtcNow().UtcDateTime;
            run.Context.Health.EventReceived(at);
            await run.Context.Sink.EditAsync(original, edit.Post.Text, at, ct);
        }

        foreach (var (id, at) in batch.Deletions)
        {
            var when = at ?? time.GetUtcNow().UtcDateTime;
            run.Context.Health.EventReceived(when);
            await run.Context.Sink.DeleteAsync(id, when, ct);
        }
    }

    private void Malformed(Run run, string where, string payload, string problem)
    {
        var identifier = XPayloads.GuessId(payload) is { } id ? $"{where}, post {id}" : where;
        run.Context.Health.Malformed(identifier, problem);
        logger.LogWarning("X: skipped malformed payload at {Identifier}: {Problem}", identifier, problem);
    }

    // ---- replies ----

    /// <summary>A rate-limit wait up to this long is sat out inside the reply; longer, and the dispatcher retries later.</summary>
    private static readonly TimeSpan MaxReplyWait = TimeSpan.FromMinutes(1);

    public async Task<DeliveryResult> ReplyAsync(ConnectorContext context, OutboundReply reply, CancellationToken ct)
    {
        if (reply.InReplyTo is null)
        {
            return DeliveryResult.Failed("This conversation has no X post to answer.");
        }

        var length = XText.WeightedLength(reply.Text);
        if (length > XText.MaxLength)
        {
            return DeliveryResult.Failed($"The reply is {length} characters as X counts them (each link 23, most symbols and emoji 2); " +
                $"X allows {XText.MaxLength}. Shorten it by {length - XText.MaxLength}.");
        }

        XSettings settings;
        try
        {
            settings = XSettings.Read(context);
        }
        catch (InvalidOperationException e)
        {
            return DeliveryResult.Failed(e.Message);
        }

        if (settings.UserAccessToken is null)
        {
            return DeliveryResult.Failed("The X channel has no user access token, so it cannot reply. Add one on the channel's settings.");
        }

        var api = new XApi(context.Http, settings.BaseUrl, settings.UserAccessToken, time);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var post = api.Request(HttpMethod.Post, "2/tweets");
                post.Content = JsonContent.Create(new XCreatePost(reply.Text, new XCreatePostReply(reply.InReplyTo)), XJson.Default.XCreatePost);
                using var response = await api.SendAsync(post, HttpCompletionOption.ResponseContentRead, ct);
                await api.EnsureSuccessAsync(response, ct);
                var created = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(ct), XJson.Default.XCreatePostResponse);
                return created?.Data?.Id is { } id
                    ? DeliveryResult.Sent(id, $"https://x.com/i/web/status/{id}")
                    : DeliveryResult.Failed("X accepted the reply but did not say its id: " + (created?.Errors is { Count: > 0 } errors ? errors[0].Detail : "no detail"));
            }
            catch (XRateLimitedException e) when (attempt == 0 && e.Reset - time.GetUtcNow() <= MaxReplyWait)
            {
                await Task.Delay(e.Reset - time.GetUtcNow() is { Ticks: > 0 } wait ? wait : TimeSpan.Zero, time, ct);
            }
            catch (XRateLimitedException e)
            {
                return DeliveryResult.Failed($"X is rate limiting the account until {e.Reset.ToString("HH:mm 'UTC' d MMM", CultureInfo.InvariantCulture)}; the reply will be retried.");
            }
            catch (XHttpException e)
            {
                return DeliveryResult.Failed(e.Status == HttpStatusCode.Unauthorized
                    ? "X refused the user access token: it may have expired; reconnect the account on the channel's settings."
                    : $"X refused the reply: {e.Title}{(e.Detail is null ? "" : " – " + e.Detail)}");
            }
            catch (JsonException)
            {
                return DeliveryResult.Failed("X answered the reply with something unreadable.");
            }
            catch (HttpRequestException e)
            {
                return DeliveryResult.Failed("X could not be reached: " + e.Message);
            }
        }
    }
}
