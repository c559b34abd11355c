using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Webhooks;

/// <summary>
/// /admin/webhooks: the organisation's subscriptions (add with a secret shown once, disable) and the delivery log with
/// redelivery. Every change is audited; secrets never reach the audit trail.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class DeliveriesModel(CivicDeskDb db, AuditLog audit, WebhookDispatcher dispatcher, TimeProvider clock, IOptions<WebhookOptions> options) : PageModel
{
    public IReadOnlyList<WebhookSubscription> Subscriptions { get; private set; } = [];
    public IReadOnlyList<DeliveryRow> Deliveries { get; private set; } = [];
    public string? NewSecret { get; private set; }
    public string? Done { get; private set; }
    public string? Error { get; private set; }

    public sealed record DeliveryRow(long Id, string EventType, Guid EventId, string Url, WebhookDeliveryStatus Status, int Attempts, int? LastResponseCode,
        string? LastError, DateTime CreatedAt, DateTime NextAttemptAt, DateTime? DeliveredAt);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(string? url, string[]? events, CancellationToken ct)
    {
        var chosen = (events ?? []).Where(WebhookEventTypes.All.Contains).Distinct().ToList();
        if (WebhookUrls.Check(url, options.Value.AllowInsecureUrls) is { } problem)
        {
            Error = problem;
        }
        else if (chosen.Count == 0)
        {
            Error = "Select at least one event";
        }
        else
        {
            var secret = WebhookSigner.NewSecret();
            var subscription = new WebhookSubscription
            {
                OrganisationId = OrganisationId, Url = url!.Trim(), ProtectedSecret = dispatcher.Protect(secret), EventTypes = string.Join(' ', chosen),
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            db.WebhookSubscriptions.Add(subscription);
            await db.SaveChangesAsync(ct);
            audit.Record("webhook.subscription-created", nameof(WebhookSubscription), subscription.Id, after: new { subscription.Url, subscription.EventTypes, secretIssued = true });
            await db.SaveChangesAsync(ct);
            NewSecret = secret;
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDisableAsync(long id, CancellationToken ct)
    {
        if (await db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == id, ct) is not { } subscription)
        {
            return NotFound();
        }

        if (subscription.IsEnabled)
        {
            subscription.IsEnabled = false;
            audit.Record("webhook.subscription-disabled", nameof(WebhookSubscription), subscription.Id, before: new { isEnabled = true }, after: new { isEnabled = false });
            await db.SaveChangesAsync(ct);
        }

        Done = "The subscription was disabled";
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRedeliverAsync(long id, CancellationToken ct)
    {
        if (await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == id, ct) is not { } delivery)
        {
            return NotFound();
        }

        var before = new { status = delivery.Status.ToString(), delivery.Attempts };
        dispatcher.Redeliver(delivery);
        audit.Record("webhook.redelivered", nameof(WebhookDelivery), delivery.Id, before, new { status = delivery.Status.ToString(), eventId = delivery.EventId });
        await db.SaveChangesAsync(ct);
        dispatcher.Notify();
        Done = "The delivery was queued again";
        await LoadAsync(ct);
        return Page();
    }

    private long OrganisationId => User.OrganisationId() ?? throw new InvalidOperationException("An admin page needs a signed-in organisation.");

    private async Task LoadAsync(CancellationToken ct)
    {
        Subscriptions = await db.WebhookSubscriptions.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);
        var latest = await db.WebhookDeliveries.AsNoTracking().OrderByDescending(d => d.Id).Take(100)
            .Join(db.WebhookSubscriptions, d => d.SubscriptionId, s => s.Id, (d, s) => new DeliveryRow(d.Id, d.EventType, d.EventId, s.Url, d.Status,
                d.Attempts, d.LastResponseCode, d.LastError, d.CreatedAt, d.NextAttemptAt, d.DeliveredAt))
            .ToListAsync(ct);
        Deliveries = [.. latest.OrderByDescending(d => d.Id)];
    }
}

/// <summary>Which receiver URLs a subscription may use: https (http only when AllowInsecureUrls), no credentials in the URL.</summary>
public static class WebhookUrls
{
    public static string? Check(string? url, bool allowInsecure)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > 2000 || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            return "Enter the receiver's full URL, like https://crm.example.gov.uk/civicdesk";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(allowInsecure && uri.Scheme == Uri.UriSchemeHttp))
        {
            return "The URL must start with https://";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "The URL must not contain a user name or password";
        }

        if (!allowInsecure && (uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host, out var ip) && IsPrivate(ip))))
        {
            return "The URL must be a public address";
        }

        return null;
    }

    private static bool IsPrivate(System.Net.IPAddress ip)
    {
        var b = ip.MapToIPv4().GetAddressBytes();
        return ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || b[0] == 10 || b[0] == 127 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
               || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
    }
}
