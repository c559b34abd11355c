using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Webhooks;

/// <summary>
/// Turns events into deliveries (one per interested subscription, in the caller's SaveChanges) and sends the due ones:
/// signed POSTs, retried with exponential backoff and jitter until delivered or <see cref="WebhookOptions.RetryWindow"/>
/// has passed, then failed. All timing comes from <see cref="TimeProvider"/>, so tests move the clock instead of waiting.
/// </summary>
public sealed class WebhookDispatcher(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    IDataProtectionProvider protection,
    TimeProvider clock,
    IOptions<WebhookOptions> options,
    WebhookSignal signal,
    ILogger<WebhookDispatcher> logger)
{
    public const string HttpClientName = "webhooks";
    private const string SecretPurpose = "CivicDesk.Webhooks.Secret.v1";

    public string Protect(string secret) => protection.CreateProtector(SecretPurpose).Protect(secret);

    private string Unprotect(string protectedSecret) => protection.CreateProtector(SecretPurpose).Unprotect(protectedSecret);

    /// <summary>
    /// Adds a pending delivery of <paramref name="e"/> for each enabled subscription of the organisation that wants its
    /// type (not saved: the caller saves it with whatever produced the event). Returns how many were added.
    /// </summary>
    public async Task<int> EnqueueAsync(CivicDeskDb db, long organisationId, WebhookEvent e, CancellationToken ct)
    {
        var subscriptions = await db.WebhookSubscriptions.IgnoreQueryFilters()
            .Where(s => s.OrganisationId == organisationId && s.IsEnabled).ToListAsync(ct);
        var known = await db.WebhookDeliveries.IgnoreQueryFilters().Where(d => d.EventId == e.Id).Select(d => d.SubscriptionId).ToListAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var body = e.ToJson();
        var added = 0;
        foreach (var s in subscriptions.Where(s => s.Wants(e.Type) && !known.Contains(s.Id)))
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                OrganisationId = organisationId, SubscriptionId = s.Id, EventId = e.Id, EventType = e.Type, Body = body,
                CreatedAt = now, NextAttemptAt = now, GiveUpAt = now + options.Value.RetryWindow,
            });
            added++;
        }

        return added;
    }

    /// <summary>Wakes the worker (after a commit that added deliveries).</summary>
    public void Notify() => signal.Notify();

    /// <summary>Sends every delivery due now (up to a batch) and records the outcome of each. Returns how many were tried.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        // Claimed for this node first (FOR UPDATE SKIP LOCKED on PostgreSQL), leased for longer than a batch of
        // attempts can take, so no other node sends them meanwhile and a node that dies leaves them due again.
        var lease = now + options.Value.RetryBaseDelay + (options.Value.Timeout * (options.Value.BatchSize + 1));
        var claimed = await RowClaims.ClaimAsync(db, "\"WebhookDeliveries\"", "\"NextAttemptAt\" = @lease",
            "\"Status\" = @pending AND \"NextAttemptAt\" <= @now ORDER BY \"NextAttemptAt\" LIMIT @batch",
            new { lease, now, pending = nameof(WebhookDeliveryStatus.Pending), batch = options.Value.BatchSize }, ct);
        var due = await db.WebhookDeliveries.IgnoreQueryFilters().Where(d => claimed.Contains(d.Id)).OrderBy(d => d.Id).ToListAsync(ct);
        if (due.Count == 0)
        {
            return 0;
        }

        var ids = due.Select(d => d.SubscriptionId).Distinct().ToList();
        var subscriptions = await db.WebhookSubscriptions.IgnoreQueryFilters().AsNoTracking().Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        foreach (var delivery in due)
        {
            await AttemptAsync(delivery, subscriptions.GetValueOrDefault(delivery.SubscriptionId), ct);
            // Saved one by one: a crash mid-batch must not resend what was already delivered.
            await db.SaveChangesAsync(ct);
        }

        return due.Count;
    }

    private async Task AttemptAsync(WebhookDelivery delivery, WebhookSubscription? subscription, CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        delivery.Attempts++;
        if (subscription is not { IsEnabled: true })
        {
            (delivery.Status, delivery.LastError, delivery.LastResponseCode) = (WebhookDeliveryStatus.Failed, "The subscription is disabled", null);
            return;
        }

        string? error;
        int? code = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
            {
                Content = new StringContent(delivery.Body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.Add(WebhookSigner.SignatureHeader, WebhookSigner.Sign(Unprotect(subscription.ProtectedSecret), started, delivery.Body));
            request.Headers.Add(WebhookSigner.EventHeader, delivery.EventType);
            request.Headers.Add(WebhookSigner.DeliveryHeader, delivery.EventId.ToString());
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.Timeout);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            code = (int)response.StatusCode;
            error = response.IsSuccessStatusCode ? null : $"HTTP {code}";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            error = $"No answer within {options.Value.Timeout.TotalSeconds:0} seconds";
        }
        catch (HttpRequestException e)
        {
            error = e.HttpRequestError.ToString() + (e.InnerException is { } inner ? ": " + inner.Message : "");
        }
        catch (CryptographicException)
        {
            error = "The subscription's secret cannot be read (data protection keys changed); set a new secret";
        }

        var now = clock.GetUtcNow().UtcDateTime;
        delivery.LastResponseCode = code;
        delivery.LastError = error is { Length: > 500 } ? error[..500] : error;
        if (error is null)
        {
            (delivery.Status, delivery.DeliveredAt) = (WebhookDeliveryStatus.Delivered, now);
            WebhookLog.Delivered(logger, delivery.Id, delivery.EventType, delivery.Attempts, code ?? 0);
            return;
        }

        var next = now + Backoff(delivery.Attempts);
        if (next > delivery.GiveUpAt)
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
            WebhookLog.GaveUp(logger, delivery.Id, delivery.Attempts, code);
        }
        else
        {
            delivery.NextAttemptAt = next;
            WebhookLog.WillRetry(logger, delivery.Id, delivery.Attempts, code, next);
        }
    }

    /// <summary>base × 2^(attempt−1), capped, times a random factor in [0.8, 1.2) so many failing receivers do not retry in step.</summary>
    internal TimeSpan Backoff(int attempt) =>
        Platform.Backoff.Spread(Platform.Backoff.Exponential(attempt, options.Value.RetryBaseDelay, options.Value.RetryMaxDelay), 0.2, Random.Shared.NextDouble());

    /// <summary>Queues a delivery again (from the delivery log): a fresh retry window starting now.</summary>
    public void Redeliver(WebhookDelivery delivery)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        delivery.Status = WebhookDeliveryStatus.Pending;
        delivery.NextAttemptAt = now;
        delivery.GiveUpAt = now + options.Value.RetryWindow;
        Debug.Assert(delivery.Id != 0, "Only stored deliveries are redelivered.");
    }
}

/// <summary>Wakes the webhook worker early when new deliveries were committed.</summary>
public sealed class WebhookSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); } catch (SemaphoreFullException) { /* already signalled */ }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);

    public void Dispose() => _signal.Dispose();
}

internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} ({EventType}) delivered on attempt {Attempt} with {StatusCode}")]
    public static partial void Delivered(ILogger logger, long deliveryId, string eventType, int attempt, int statusCode);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} attempt {Attempt} failed ({StatusCode}); next attempt at {NextAttemptAt:o}")]
    public static partial void WillRetry(ILogger logger, long deliveryId, int attempt, int? statusCode, DateTime nextAttemptAt);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId} failed for good after {Attempt} attempts ({StatusCode})")]
    public static partial void GaveUp(ILogger logger, long deliveryId, int attempt, int? statusCode);
}
