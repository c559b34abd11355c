using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Dashboards.Audience;

public sealed class AudienceOptions
{
    public const string Section = "Audience";
    public const string HttpClientName = "audience";

    /// <summary>Run the daily audience job in this process.</summary>
    public bool Worker { get; set; } = true;

    /// <summary>How often the job looks for accounts not yet read today (or due a retry).</summary>
    [Range(1, 1440)] public int CheckIntervalMinutes { get; set; } = 15;

    /// <summary>How long a failed read waits before it is tried again (a rate limit waits for the network's reset instead).</summary>
    [Range(1, 1440)] public int RetryDelayMinutes { get; set; } = 60;

    /// <summary>Posts delivered this many days ago or less have their reactions read each day.</summary>
    [Range(1, 365)] public int PostWindowDays { get; set; } = 30;

    /// <summary>At most this many of an account's newest posts are read each day.</summary>
    [Range(1, 1000)] public int MaxPostsPerAccount { get; set; } = 200;

    /// <summary>How long one node holds an account while reading it; another node may take it over after this.</summary>
    [Range(1, 120)] public int LeaseMinutes { get; set; } = 10;

    [Range(1, 300)] public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>The Bluesky AppView answering app.bsky.* queries (a channel's "AppViewUrl" setting overrides it).</summary>
    [Url] public string BlueskyAppViewUrl { get; set; } = "https://public.api.bsky.app";
}

/// <summary>What one run did, for the log, the CLI and the page's "read now" message.</summary>
public sealed record AudienceRunResult(int Accounts, int Read, int Failed, int NotDue, int Posts, IReadOnlyList<string> Errors);

/// <summary>
/// The audience job: once per local day of each organisation, reads every active connected account's figures and
/// the reactions to its posts published in the last <see cref="AudienceOptions.PostWindowDays"/> days, and stores
/// them as that day's snapshots. Safe on several nodes: each account's <see cref="AudienceReadState"/> row is claimed
/// with a conditional UPDATE (claim token and lease), so one node reads it; the snapshots are written in one
/// transaction that also marks the day complete, and only while the claim is still held, so a read is stored whole or
/// not at all. A rerun the same day (forced) replaces the day's rows. A failed read stores no figures, records the
/// error on the account, and is tried again after <see cref="AudienceOptions.RetryDelayMinutes"/> (or a rate
/// limit's reset); the figures of earlier days stay as they were.
/// </summary>
public sealed class AudienceCollector(
    IServiceScopeFactory scopes,
    IEnumerable<IAudienceReader> readers,
    ConnectorSecrets secrets,
    IHttpClientFactory httpClients,
    TimeProvider clock,
    IOptions<AudienceOptions> options,
    ILogger<AudienceCollector> log)
{
    private readonly Dictionary<ChannelKind, IAudienceReader> _readers = readers.ToDictionary(r => r.Kind);

    /// <summary>The networks the job can read.</summary>
    public IReadOnlyCollection<ChannelKind> Kinds => _readers.Keys;

    /// <param name="organisationId">One organisation, or every organisation when null.</param>
    /// <param name="force">Read again even if today's read is done or a retry is not yet due (an account another node is reading is still left to it).</param>
    /// <param name="ct">Cancels the run; an account cut off mid-read stores nothing and is claimed again after its lease.</param>
    public async Task<AudienceRunResult> RunAsync(long? organisationId, bool force, CancellationToken ct)
    {
        var o = options.Value;
        var kinds = _readers.Keys.ToList();
        List<(long OrganisationId, string TimeZone, Channel Channel, ChannelConnection Connection)> accounts;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var organisations = await db.Organisations.AsNoTracking()
                .Where(x => organisationId == null || x.Id == organisationId)
                .ToDictionaryAsync(x => x.Id, x => x.TimeZoneId, ct);
            var orgIds = organisations.Keys.ToList();
            var rows = await (
                from c in db.Channels.IgnoreQueryFilters().AsNoTracking()
                join k in db.ChannelConnections.IgnoreQueryFilters().AsNoTracking() on c.Id equals k.ChannelId
                // Every connected account, listening or not: a publish-only connection (not enabled for the inbound stream) has an audience too.
                where orgIds.Contains(c.OrganisationId) && k.OrganisationId == c.OrganisationId && c.IsActive && kinds.Contains(c.Kind)
                orderby c.OrganisationId, c.Id
                select new { Channel = c, Connection = k }).ToListAsync(ct);
            accounts = [.. rows.Select(r => (r.Channel.OrganisationId, organisations[r.Channel.OrganisationId], r.Channel, r.Connection))];
            await EnsureStatesAsync(db, accounts.Select(a => (a.OrganisationId, a.Channel.Id)).ToList(), ct);
        }

        int read = 0, failed = 0, notDue = 0, posts = 0;
        var errors = new List<string>();
        foreach (var (orgId, zone, channel, connection) in accounts)
        {
            ct.ThrowIfCancellationRequested();
            var now = clock.GetUtcNow().UtcDateTime;
            var today = DateOnly.FromDateTime(LocalTime.ToLocal(now, zone));
            var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            if (!await ClaimAsync(channel.Id, token, today, now, force, ct))
            {
                notDue++;
                continue;
            }

            var outcome = await ReadOneAsync(orgId, channel, connection, today, token, ct);
            if (outcome.Error is null)
            {
                read++;
                posts += outcome.Posts;
            }
            else
            {
                failed++;
                errors.Add($"{channel.Name}: {outcome.Error}");
            }
        }

        var result = new AudienceRunResult(accounts.Count, read, failed, notDue, posts, errors);
        if (read + failed > 0)
        {
            AudienceLog.Run(log, result.Accounts, result.Read, result.Failed, result.Posts);
        }

        return result;
    }

    /// <summary>One state row per account, created on first sight; a node that loses the insert race uses the other's row.</summary>
    private static async Task EnsureStatesAsync(CivicDeskDb db, List<(long OrganisationId, long ChannelId)> accounts, CancellationToken ct)
    {
        var ids = accounts.Select(a => a.ChannelId).ToList();
        var existing = await db.AudienceReadStates.IgnoreQueryFilters().Where(s => ids.Contains(s.ChannelId)).Select(s => s.ChannelId).ToListAsync(ct);
        var missing = accounts.Where(a => !existing.Contains(a.ChannelId)).ToList();
        foreach (var (org, channelId) in missing)
        {
            db.AudienceReadStates.Add(new AudienceReadState { OrganisationId = org, ChannelId = channelId });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another node created it first.
            }

            db.ChangeTracker.Clear();
        }
    }

    private async Task<bool> ClaimAsync(long channelId, string token, DateOnly today, DateTime now, bool force, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var lease = now.AddMinutes(options.Value.LeaseMinutes);
        var claimed = await db.AudienceReadStates.IgnoreQueryFilters()
            .Where(s => s.ChannelId == channelId && (s.ClaimExpiresAt == null || s.ClaimExpiresAt < now))
            .Where(s => force || ((s.LastCompletedDay == null || s.LastCompletedDay < today) && (s.NextAttemptAt == null || s.NextAttemptAt <= now)))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ClaimToken, token).SetProperty(x => x.ClaimExpiresAt, lease).SetProperty(x => x.LastAttemptAt, now), ct);
        return claimed == 1;
    }

    private async Task<(string? Error, int Posts)> ReadOneAsync(long orgId, Channel channel, ChannelConnection connection, DateOnly today, string token, CancellationToken ct)
    {
        var reader = _readers[channel.Kind];
        List<PublicationDelivery> deliveries;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var since = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.PostWindowDays);
            deliveries = await db.PublicationDeliveries.IgnoreQueryFilters().AsNoTracking()
                .Where(d => d.OrganisationId == orgId && d.ChannelId == channel.Id && d.State == DeliveryState.Delivered && d.RemoteId != null && d.DeliveredAt >= since)
                .OrderByDescending(d => d.DeliveredAt).ThenByDescending(d => d.Id)
                .Take(options.Value.MaxPostsPerAccount)
                .ToListAsync(ct);
        }

        AccountFigures figures;
        PostFiguresBatch? batch = null;
        try
        {
            var context = Context(channel, connection);
            figures = await reader.ReadAccountAsync(context, ct);
            if (deliveries.Count > 0)
            {
                batch = await reader.ReadPostsAsync(context, [.. deliveries.Select(d => d.RemoteId!)], ct);
            }
        }
        catch (Exception ex) when (ex is AudienceReadException or InvalidOperationException)
        {
            var retryAt = (ex as AudienceReadException)?.RetryAt?.UtcDateTime;
            await FailAsync(channel.Id, token, ex.Message, retryAt, ct);
            return (ex.Message, 0);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            AudienceLog.Unexpected(log, channel.Id, ex);
            var message = $"the read failed unexpectedly ({ex.GetType().Name}); it will be tried again";
            await FailAsync(channel.Id, token, message, null, ct);
            return (message, 0);
        }

        var warning = batch is { NotFound.Count: > 0 }
            ? $"{batch.NotFound.Count} of {deliveries.Count} published posts could not be found on the network (deleted, or not visible to this account); their reactions were not read today."
            : null;
        var stored = await StoreAsync(orgId, channel, today, token, figures, deliveries, batch, warning, ct);
        return stored ? (null, batch?.Found.Count ?? 0) : ("another node took the account over before this read was stored; nothing was written", 0);
    }

    private ConnectorContext Context(Channel channel, ChannelConnection connection)
    {
        var http = httpClients.CreateClient(AudienceOptions.HttpClientName);
        http.Timeout = TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds);
        return new ConnectorContext(channel, ConnectorContexts.ReadSettings(connection.SettingsJson), secrets.Unprotect(connection.ProtectedSecrets),
            null, NoSink.Instance, NoHealth.Instance, http);
    }

    /// <summary>Today's rows for the account and its posts replaced, and the day marked complete, in one transaction, only under our claim.</summary>
    private async Task<bool> StoreAsync(long orgId, Channel channel, DateOnly today, string token, AccountFigures figures,
        List<PublicationDelivery> deliveries, PostFiguresBatch? batch, string? warning, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var marked = await db.AudienceReadStates.IgnoreQueryFilters()
            .Where(s => s.ChannelId == channel.Id && s.ClaimToken == token)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.LastCompletedDay, today)
                .SetProperty(x => x.LastSuccessAt, now)
                .SetProperty(x => x.LastError, warning)
                .SetProperty(x => x.LastErrorAt, warning == null ? null : now)
                .SetProperty(x => x.NextAttemptAt, (DateTime?)null)
                .SetProperty(x => x.ClaimToken, (string?)null)
                .SetProperty(x => x.ClaimExpiresAt, (DateTime?)null), ct);
        if (marked != 1)
        {
            await tx.RollbackAsync(ct);
            return false;
        }

        await db.AccountAudienceSnapshots.IgnoreQueryFilters().Where(s => s.ChannelId == channel.Id && s.Day == today).ExecuteDeleteAsync(ct);
        db.AccountAudienceSnapshots.Add(new AccountAudienceSnapshot
        {
            OrganisationId = orgId, ChannelId = channel.Id, Kind = channel.Kind, Day = today,
            Followers = figures.Followers, Following = figures.Following, Posts = figures.Posts, Reach = figures.Reach, Source = figures.Source, FetchedAt = now,
        });
        if (batch is not null)
        {
            var deliveryIds = deliveries.Select(d => d.Id).ToList();
            await db.PostReachSnapshots.IgnoreQueryFilters().Where(s => deliveryIds.Contains(s.PublicationDeliveryId) && s.Day == today).ExecuteDeleteAsync(ct);
            foreach (var delivery in deliveries)
            {
                if (batch.Found.TryGetValue(delivery.RemoteId!, out var post))
                {
                    db.PostReachSnapshots.Add(new PostReachSnapshot
                    {
                        OrganisationId = orgId, PublicationDeliveryId = delivery.Id, PublicationId = delivery.PublicationId, ChannelId = channel.Id,
                        Kind = channel.Kind, Day = today, Likes = post.Likes, Reposts = post.Reposts, Replies = post.Replies, Quotes = post.Quotes, Views = post.Views,
                        Source = batch.Source, FetchedAt = now,
                    });
                }
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private async Task FailAsync(long channelId, string token, string error, DateTime? retryAt, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        var next = retryAt is { } r && r > now ? r : now.AddMinutes(options.Value.RetryDelayMinutes);
        var text = error.Length > AudienceReadState.MaxErrorLength ? error[..AudienceReadState.MaxErrorLength] : error;
        await db.AudienceReadStates.IgnoreQueryFilters()
            .Where(s => s.ChannelId == channelId && s.ClaimToken == token)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.LastError, text)
                .SetProperty(x => x.LastErrorAt, now)
                .SetProperty(x => x.NextAttemptAt, next)
                .SetProperty(x => x.ClaimToken, (string?)null)
                .SetProperty(x => x.ClaimExpiresAt, (DateTime?)null), CancellationToken.None);
    }

    private sealed class NoSink : IConnectorSink
    {
        public static readonly NoSink Instance = new();

        public Task<Features.Ingestion.IngestOutcome> CommitAsync(IReadOnlyList<Features.Ingestion.InboundPost> posts, string? checkpoint, CancellationToken ct) =>
            throw new NotSupportedException("The audience job stores no messages.");

        public Task EditAsync(string externalId, string newText, DateTime editedAt, CancellationToken ct) => Task.CompletedTask;

        public Task DeleteAsync(string externalId, DateTime deletedAt, CancellationToken ct) => Task.CompletedTask;

        public Task SaveCheckpointAsync(string checkpoint, CancellationToken ct) => Task.CompletedTask;
    }

    private sealed class NoHealth : IConnectorHealth
    {
        public static readonly NoHealth Instance = new();

        public void Connected() { }

        public void Disconnected(string? reason) { }

        public void EventReceived(DateTime networkTime) { }

        public void Malformed(string identifier, string problem) { }

        public void Error(string message) { }
    }
}

internal static partial class AudienceLog
{
    [LoggerMessage(EventId = 11501, Level = LogLevel.Information, Message = "Audience run: {Accounts} accounts, {Read} read, {Failed} failed, {Posts} posts")]
    public static partial void Run(ILogger logger, int accounts, int read, int failed, int posts);

    [LoggerMessage(EventId = 11502, Level = LogLevel.Error, Message = "Audience read of channel {ChannelId} failed unexpectedly")]
    public static partial void Unexpected(ILogger logger, long channelId, Exception exception);

    [LoggerMessage(EventId = 11503, Level = LogLevel.Error, Message = "Audience worker pass failed")]
    public static partial void PassFailed(ILogger logger, Exception exception);
}

/// <summary>Runs the audience job every <see cref="AudienceOptions.CheckIntervalMinutes"/>; each account is read once per local day.</summary>
public sealed class AudienceWorker(AudienceCollector collector, IOptions<AudienceOptions> options, ILogger<AudienceWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.CheckIntervalMinutes));
        do
        {
            try
            {
                await collector.RunAsync(null, force: false, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                AudienceLog.PassFailed(log, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
