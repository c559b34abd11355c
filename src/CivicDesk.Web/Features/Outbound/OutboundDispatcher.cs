using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Outbound;

/// <summary>The result of one pass: how many replies were tried, and when the next retry falls due (if any).</summary>
public sealed record DispatchPass(int Attempted, int Sent, int Failed, DateTime? NextDueAt);

/// <summary>
/// Delivers due outbox rows, all organisations at once (system work: explicit organisation filters, no user).
/// Rows are claimed a batch at a time (<see cref="RowClaims"/>: FOR UPDATE SKIP LOCKED on PostgreSQL), so two nodes
/// never send the same reply twice; in this process passes are serialised, so a caller that awaits a pass knows every row due
/// when it started has been tried.
/// </summary>
public sealed class OutboundDispatcher(
    IServiceScopeFactory scopes,
    IEnumerable<IReplyDelivery> deliveries,
    TimeProvider clock,
    IOptions<OutboundOptions> options,
    CivicDeskMetrics metrics,
    ILogger<OutboundDispatcher> logger) : IDisposable
{
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly Dictionary<ChannelKind, IReplyDelivery> _byKind = deliveries
        .SelectMany(d => d.Kinds.Select(k => (k, d)))
        .ToDictionary(x => x.k, x => x.d);

    public async Task<DispatchPass> DeliverDueAsync(CancellationToken ct)
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

    private async Task<DispatchPass> PassAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        IReadOnlyList<long> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // Claimed up front for the whole batch: attempt counted, next attempt pushed out by a lease, so another
            // node skips these rows; a node that dies mid-batch leaves them due again once the lease has passed.
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            due = await RowClaims.ClaimAsync(db, "\"OutboundMessages\"",
                "\"Attempts\" = \"Attempts\" + 1, \"NextAttemptAt\" = @lease",
                """
                ("Status" = @pending OR ("Status" = @failed AND "Attempts" < @maxAttempts)) AND "NextAttemptAt" <= @now
                ORDER BY "ChannelId", "NextAttemptAt" LIMIT @batch
                """,
                new
                {
                    lease = now + o.RetryMaxDelay, now, batch = o.BatchSize, maxAttempts = o.MaxAttempts,
                    pending = nameof(OutboundStatus.Pending), failed = nameof(OutboundStatus.Failed),
                },
                ct);
        }

        int sent = 0, failed = 0;
        // In the order they were queued, so two replies in one conversation go out in the order they were written.
        foreach (var id in due.Order())
        {
            try
            {
                switch (await DeliverOneAsync(id, ct))
                {
                    case true: sent++; break;
                    case false: failed++; break;
                    default: break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One broken row (its message deleted, say) must not hold up the rest; its claim delays it.
                logger.LogError(ex, "Could not deliver outbound message {OutboundId}", id);
                failed++;
            }
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
            var next = await Retryable(db.OutboundMessages.IgnoreQueryFilters(), o.MaxAttempts)
                .OrderBy(m => m.NextAttemptAt).Select(m => (DateTime?)m.NextAttemptAt).FirstOrDefaultAsync(ct);
            return new DispatchPass(due.Count, sent, failed, next);
        }
    }

    private static IQueryable<OutboundMessage> Retryable(IQueryable<OutboundMessage> rows, int maxAttempts) =>
        rows.Where(m => m.Status == OutboundStatus.Pending || (m.Status == OutboundStatus.Failed && m.Attempts < maxAttempts));

    /// <summary>Delivers a row this node claimed: true when sent, false when it failed, null when it was sent meanwhile.</summary>
    private async Task<bool?> DeliverOneAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var row = await db.OutboundMessages.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct);
        if (row is null || row.Status == OutboundStatus.Sent)
        {
            return null;
        }

        var o = options.Value;
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(row.OrganisationId);
        var outbound = await db.OutboundMessages.SingleAsync(m => m.Id == id, ct);
        var details = await db.Messages.Where(m => m.Id == outbound.MessageId)
            .Join(db.Channels, m => m.ChannelId, c => c.Id, (m, c) => new { m.Text, m.InReplyTo, c.Kind, c.Account })
            .SingleAsync(ct);
        var reference = await db.Conversations.Where(c => c.Id == outbound.ConversationId).Select(c => c.Reference).SingleAsync(ct);
        var reply = new OutboundReply(outbound.Id, outbound.OrganisationId, outbound.ChannelId, details.Kind, details.Account,
            details.Text, details.InReplyTo, reference);

        DeliveryResult result;
        if (!_byKind.TryGetValue(details.Kind, out var delivery))
        {
            result = DeliveryResult.Failed($"no connector for {details.Kind} yet");
        }
        else
        {
            try
            {
                result = await delivery.DeliverAsync(reply, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Delivery of outbound message {OutboundId} on {ChannelKind} threw", outbound.Id, details.Kind);
                result = DeliveryResult.Failed($"the {details.Kind} connector failed: {ex.GetType().Name}");
            }
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        if (result.Delivered)
        {
            outbound.Status = OutboundStatus.Sent;
            outbound.SentAt = now;
            outbound.LastError = null;
            outbound.ExternalId = result.ExternalId;
            outbound.ExternalUrl = result.ExternalUrl;
            audit.RecordAs(outbound.OrganisationId, null, "system", "reply.sent", "Message", outbound.MessageId,
                after: $"sent on {details.Kind} (attempt {outbound.Attempts})");
            metrics.RepliesSent.Add(1, new KeyValuePair<string, object?>("channel", details.Kind.ToString()));
        }
        else
        {
            outbound.Status = OutboundStatus.Failed;
            outbound.LastError = Truncate(result.Error ?? "unknown error", 2000);
            outbound.NextAttemptAt = now + Backoff(outbound.Attempts, o);
            var retry = outbound.Attempts < o.MaxAttempts ? "will retry" : "no more automatic retries";
            audit.RecordAs(outbound.OrganisationId, null, "system", "reply.failed", "Message", outbound.MessageId,
                after: $"attempt {outbound.Attempts} failed: {outbound.LastError}; {retry}");
            logger.LogInformation("Outbound message {OutboundId} on {ChannelKind} failed (attempt {Attempt})", outbound.Id, details.Kind, outbound.Attempts);
        }

        await db.SaveChangesAsync(ct);
        return result.Delivered;
    }

    /// <summary>Exponential backoff: base, 2×base, 4×base… capped.</summary>
    public static TimeSpan Backoff(int attempts, OutboundOptions o) => Platform.Backoff.Exponential(attempts, o.RetryBaseDelay, o.RetryMaxDelay);

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    public void Dispose() => _pass.Dispose();
}
