using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Connectors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Publishing;

public sealed record PublishPass(int Attempted, int Delivered, int Failed, DateTime? NextDueAt);

/// <summary>
/// Delivers due publication rows, all organisations at once. Claim-then-record (docs/publishing.md):
/// <list type="number">
/// <item>claim: one conditional UPDATE moves a due row (or one whose lease expired) to InProgress with a fresh claim
/// token and a lease, and counts the attempt; on SQLite the write lock and on PostgreSQL the row lock make exactly one
/// of several nodes win (the loser's UPDATE matches 0 rows);</item>
/// <item>mark: <c>AttemptStartedAt</c> is committed before the network is called; finding it already set means an
/// earlier attempt was cut off after it may have posted, so the publisher reconciles first;</item>
/// <item>publish with the network's idempotency (Mastodon Idempotency-Key, deterministic Bluesky record keys) and
/// record each thread part as soon as it is posted;</item>
/// <item>record the outcome only while still holding the claim token.</item>
/// </list>
/// </summary>
public sealed class PublicationDispatcher(
    IServiceScopeFactory scopes,
    IEnumerable<INetworkPublisher> publishers,
    ConnectorContexts contexts,
    TimeProvider clock,
    IOptions<PublishingOptions> options,
    ILogger<PublicationDispatcher> logger) : IDisposable
{
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly Dictionary<ChannelKind, INetworkPublisher> _byKind = publishers.ToDictionary(p => p.Kind);

    public async Task<PublishPass> DeliverDueAsync(CancellationToken ct)
    {
        await _pass.WaitAsync(ct);
        try
        {
            return await PassAsync(ct);
        }
        finally
        {
            _pass.Release();
        }
    }

    private IQueryable<PublicationDelivery> Due(CivicDeskDb db, DateTime now)
    {
        var max = options.Value.MaxAttempts;
        var scheduled = db.Publications.IgnoreQueryFilters().Where(p => p.Status == PublicationStatus.Scheduled || p.Status == PublicationStatus.PartlyFailed || p.Status == PublicationStatus.Failed).Select(p => p.Id);
        return db.PublicationDeliveries.IgnoreQueryFilters()
            .Where(d => scheduled.Contains(d.PublicationId))
            .Where(d => ((d.State == DeliveryState.Pending || (d.State == DeliveryState.Failed && d.Attempts < max)) && d.NextAttemptAt <= now)
                || (d.State == DeliveryState.InProgress && d.ClaimExpiresAt < now));
    }

    private async Task<PublishPass> PassAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        List<long> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            due = await Due(db, now).OrderBy(d => d.NextAttemptAt).Select(d => d.Id).Take(options.Value.BatchSize).ToListAsync(ct);
        }

        // Channels are independent: deliver them in parallel, so one slow network does not hold up the others.
        var results = new bool?[due.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, due.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
        {
            try
            {
                results[i] = await DeliverOneAsync(due[i], token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Could not deliver publication delivery {DeliveryId}", due[i]);
                results[i] = false;
            }
        });

        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var max = options.Value.MaxAttempts;
            var next = await db.PublicationDeliveries.IgnoreQueryFilters()
                .Where(d => d.State == DeliveryState.Pending || (d.State == DeliveryState.Failed && d.Attempts < max))
                .Where(d => db.Publications.IgnoreQueryFilters().Any(p => p.Id == d.PublicationId && p.Status != PublicationStatus.AwaitingReview && p.Status != PublicationStatus.Cancelled))
                .OrderBy(d => d.NextAttemptAt).Select(d => (DateTime?)d.NextAttemptAt).FirstOrDefaultAsync(ct);
            var leased = await db.PublicationDeliveries.IgnoreQueryFilters().Where(d => d.State == DeliveryState.InProgress)
                .OrderBy(d => d.ClaimExpiresAt).Select(d => d.ClaimExpiresAt).FirstOrDefaultAsync(ct);
            if (leased is { } l && (next is null || l < next))
            {
                next = l;
            }

            return new PublishPass(due.Count, results.Count(r => r == true), results.Count(r => r == false), next);
        }
    }

    /// <summary>True when delivered, false when it failed, null when another worker holds it.</summary>
    public async Task<bool?> DeliverOneAsync(long id, CancellationToken ct)
    {
        var o = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        var token = Guid.NewGuid().ToString("N");

        // 1. Claim.
        var claimed = await Due(db, now).Where(d => d.Id == id)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.State, DeliveryState.InProgress)
                .SetProperty(d => d.ClaimToken, token)
                .SetProperty(d => d.ClaimExpiresAt, now + o.ClaimLease)
                .SetProperty(d => d.Attempts, d => d.Attempts + 1), ct);
        if (claimed == 0)
        {
            return null;
        }

        var delivery = await db.PublicationDeliveries.IgnoreQueryFilters().AsNoTracking().SingleAsync(d => d.Id == id, ct);
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(delivery.OrganisationId);
        var publication = await db.Publications.AsNoTracking().Include(p => p.Images).SingleAsync(p => p.Id == delivery.PublicationId, ct);
        var outcomeUnknown = delivery.AttemptStartedAt is not null;

        // 2. Mark the attempt as started before anything reaches the network.
        if (!outcomeUnknown)
        {
            await db.PublicationDeliveries.Where(d => d.Id == id && d.ClaimToken == token)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.AttemptStartedAt, now), ct);
        }

        PublishResult result;
        var parts = NetworkRules.Split(delivery.Kind, delivery.Text, publication.LinkUrl, publication.SplitIntoThread);
        var posted = ReadParts(delivery.PartsJson);
        if (parts is null)
        {
            result = PublishResult.Refused($"the text is too long for {NetworkRules.Limits[delivery.Kind].Network}");
        }
        else if (!_byKind.TryGetValue(delivery.Kind, out var publisher))
        {
            result = PublishResult.Refused($"publishing to {delivery.Kind} is not available");
        }
        else if (await contexts.CreateAsync(delivery.ChannelId, ct) is not { } context)
        {
            result = PublishResult.Refused("the channel is not connected: an administrator must configure it under Connectors");
        }
        else
        {
            var images = publication.Images.OrderBy(i => i.Position).Select(i => new OutgoingImage(i.FileName, i.ContentType, i.Data, i.AltText)).ToList();
            var job = new PublishJob(delivery.Id, context, parts, images, delivery.IdempotencyKey, publication.CreatedAt, posted, outcomeUnknown,
                async (part, token2) =>
                {
                    // 3. Record each part the moment the network has it, so a crash never posts it again.
                    posted = [.. posted.Where(p => p.Index != part.Index), part];
                    var json = JsonSerializer.Serialize(posted);
                    await using var partScope = scopes.CreateAsyncScope();
                    var partDb = partScope.ServiceProvider.GetRequiredService<CivicDeskDb>();
                    await partDb.PublicationDeliveries.IgnoreQueryFilters().Where(d => d.Id == id && d.ClaimToken == token)
                        .ExecuteUpdateAsync(s => s.SetProperty(d => d.PartsJson, json)
                            .SetProperty(d => d.ClaimExpiresAt, clock.GetUtcNow().UtcDateTime + o.ClaimLease), token2);
                });
            try
            {
                result = await publisher.PublishAsync(job, ct);
            }
            catch (HttpRequestException ex)
            {
                result = PublishResult.Transient($"{delivery.Kind} could not be reached: {ex.Message}", ambiguous: true);
            }
            catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
            {
                result = PublishResult.Transient($"{delivery.Kind} did not answer in time", ambiguous: true);
                logger.LogInformation(ex, "Publishing delivery {DeliveryId} timed out", id);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Publishing delivery {DeliveryId} on {Kind} threw", id, delivery.Kind);
                result = PublishResult.Transient($"the {delivery.Kind} publisher failed: {ex.GetType().Name}", ambiguous: true);
            }
        }

        // 4. Record, only while still holding the claim. The delivery's outcome, its audit event and the publication's
        //    status commit together: a crash between them would leave a delivered post whose publication still says
        //    "scheduled" (no delivery is due any more, so nothing would ever correct it).
        now = clock.GetUtcNow().UtcDateTime;
        var attempts = delivery.Attempts;   // already counted by the claim
        await using var record = await db.BeginWriteTransactionAsync(ct);
        int recorded;
        if (result.Delivered)
        {
            recorded = await db.PublicationDeliveries.Where(d => d.Id == id && d.ClaimToken == token)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.State, DeliveryState.Delivered)
                    .SetProperty(d => d.RemoteId, result.RemoteId)
                    .SetProperty(d => d.RemoteUrl, result.RemoteUrl)
                    .SetProperty(d => d.DeliveredAt, now)
                    .SetProperty(d => d.LastError, (string?)null)
                    .SetProperty(d => d.AttemptStartedAt, (DateTime?)null)
                    .SetProperty(d => d.ClaimToken, (string?)null)
                    .SetProperty(d => d.ClaimExpiresAt, (DateTime?)null), ct);
        }
        else
        {
            var error = Truncate(result.Error ?? "unknown error", 2000);
            var retry = result.Retryable && attempts < o.MaxAttempts;
            var next = result.RetryAfter is { } after && after.UtcDateTime > now ? after.UtcDateTime : now + Backoff(attempts, o);
            // An ambiguous failure keeps AttemptStartedAt, so the next attempt reconciles before posting again.
            // A refusal uses up the attempts: it waits for someone to fix the cause and press "retry".
            var attemptsAfter = retry ? attempts : Math.Max(attempts, o.MaxAttempts);
            var startedAt = result.Ambiguous ? delivery.AttemptStartedAt ?? now : (DateTime?)null;
            recorded = await db.PublicationDeliveries.Where(d => d.Id == id && d.ClaimToken == token)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.State, DeliveryState.Failed)
                    .SetProperty(d => d.LastError, error)
                    .SetProperty(d => d.NextAttemptAt, retry ? next : now)
                    .SetProperty(d => d.Attempts, attemptsAfter)
                    .SetProperty(d => d.AttemptStartedAt, startedAt)
                    .SetProperty(d => d.ClaimToken, (string?)null)
                    .SetProperty(d => d.ClaimExpiresAt, (DateTime?)null), ct);
        }

        if (recorded == 0)
        {
            logger.LogWarning("Publication delivery {DeliveryId} lost its claim before its outcome was recorded", id);
            return null;
        }

        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        audit.RecordAs(delivery.OrganisationId, null, "system", result.Delivered ? "publication.delivered" : "publication.failed", "PublicationDelivery", id,
            after: result.Delivered ? $"on {delivery.Kind}: {result.RemoteUrl ?? result.RemoteId} (attempt {attempts})" : $"attempt {attempts} on {delivery.Kind}: {result.Error}");
        await db.SaveChangesAsync(ct);
        await UpdatePublicationStatusAsync(db, delivery.PublicationId, now, ct);
        await record.CommitAsync(ct);
        // Again after the commit: another node recording a sibling delivery at the same moment could not see this one
        // inside its transaction (nor this one it), and the last to commit must still find every delivery settled.
        await UpdatePublicationStatusAsync(db, delivery.PublicationId, now, ct);
        return result.Delivered;
    }

    private async Task UpdatePublicationStatusAsync(CivicDeskDb db, long publicationId, DateTime now, CancellationToken ct)
    {
        var max = options.Value.MaxAttempts;
        var states = await db.PublicationDeliveries.Where(d => d.PublicationId == publicationId).Select(d => new { d.State, d.Attempts }).ToListAsync(ct);
        var live = states.Where(s => s.State != DeliveryState.Cancelled).ToList();
        if (live.Any(s => s.State is DeliveryState.Pending or DeliveryState.InProgress || (s.State == DeliveryState.Failed && s.Attempts < max)))
        {
            return;
        }

        var delivered = live.Count(s => s.State == DeliveryState.Delivered);
        var status = delivered == live.Count ? PublicationStatus.Published : delivered == 0 ? PublicationStatus.Failed : PublicationStatus.PartlyFailed;
        await db.Publications.Where(p => p.Id == publicationId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, status).SetProperty(p => p.CompletedAt, now), ct);
    }

    public static IReadOnlyList<PostedPart> ReadParts(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<PostedPart>>(json) ?? [];

    /// <summary>Exponential backoff: base, 2×base, 4×base… capped.</summary>
    public static TimeSpan Backoff(int attempts, PublishingOptions o) => Platform.Backoff.Exponential(attempts, o.RetryBaseDelay, o.RetryMaxDelay);

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    public void Dispose() => _pass.Dispose();
}
