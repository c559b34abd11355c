using System.Security.Cryptography;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Webhooks;

/// <summary>
/// Reads the case domain's <see cref="CaseEvent"/> outbox (written in the same transaction as each case change) and
/// turns each event into deliveries for the interested subscriptions, advancing <see cref="WebhookCursor"/> in the same
/// SaveChanges. With several nodes (PostgreSQL) one node at a time does this: it locks the cursor row
/// (FOR UPDATE SKIP LOCKED) for its transaction and the others skip the round. The body shows the case as it is when the event is read (status, team, dates), never personal data.
/// </summary>
public sealed class WebhookOutbox(IServiceScopeFactory scopes, WebhookDispatcher dispatcher, IOptions<WebhookOptions> options)
{
    public async Task<int> PublishPendingAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        await using var transaction = await db.BeginWriteTransactionAsync(ct);
        if (db.Provider == DatabaseProvider.Postgres
            && await db.WebhookCursors.AnyAsync(c => c.Id == WebhookCursor.SingletonId, ct)
            && !await db.Database.SqlQuery<int>($"""SELECT 1 AS "Value" FROM "WebhookCursors" WHERE "Id" = {WebhookCursor.SingletonId} FOR UPDATE SKIP LOCKED""").AnyAsync(ct))
        {
            // Another node is turning events into deliveries right now; it holds the cursor row until it commits.
            return 0;
        }

        var cursor = await db.WebhookCursors.FirstOrDefaultAsync(c => c.Id == WebhookCursor.SingletonId, ct);
        if (cursor is null)
        {
            cursor = new WebhookCursor();
            db.WebhookCursors.Add(cursor);
        }

        var events = await db.CaseEvents.IgnoreQueryFilters().AsNoTracking().Where(e => e.Id > cursor.LastCaseEventId)
            .OrderBy(e => e.Id).Take(options.Value.BatchSize * 4).ToListAsync(ct);
        if (events.Count == 0)
        {
            return 0;
        }

        var caseIds = events.Select(e => e.CaseId).Distinct().ToList();
        var cases = await db.Cases.IgnoreQueryFilters().AsNoTracking().Where(c => caseIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var orgIds = events.Select(e => e.OrganisationId).Distinct().ToList();
        var organisations = await db.Organisations.AsNoTracking().Where(o => orgIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Slug, ct);
        var teams = await db.Teams.IgnoreQueryFilters().AsNoTracking().Where(t => orgIds.Contains(t.OrganisationId)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var subscribed = await db.WebhookSubscriptions.IgnoreQueryFilters().Where(s => orgIds.Contains(s.OrganisationId) && s.IsEnabled)
            .Select(s => s.OrganisationId).Distinct().ToListAsync(ct);
        var queued = 0;
        foreach (var e in events.Where(e => subscribed.Contains(e.OrganisationId)))
        {
            if (!cases.TryGetValue(e.CaseId, out var c))
            {
                continue;
            }

            var type = e.Type switch
            {
                CaseEventType.Created => WebhookEventTypes.CaseCreated,
                CaseEventType.Closed or CaseEventType.Merged => WebhookEventTypes.CaseClosed,
                _ => WebhookEventTypes.CaseUpdated,
            };
            var body = new WebhookEvent(EventId(e.Id), type, e.CreatedAt, organisations.GetValueOrDefault(e.OrganisationId, ""),
                new WebhookCase(c.Reference, c.ServiceCode, c.Status.ToString(), c.Status.Open311Status(), c.TeamId is { } t ? teams.GetValueOrDefault(t) : null,
                    c.Priority.ToString(), c.NonPublic ? null : c.Latitude, c.NonPublic ? null : c.Longitude, c.CreatedAt, c.UpdatedAt, c.ExpectedBy, "/status/" + c.Reference));
            queued += await dispatcher.EnqueueAsync(db, e.OrganisationId, body, ct);
        }

        cursor.LastCaseEventId = events[^1].Id;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        if (queued > 0)
        {
            dispatcher.Notify();
        }

        return events.Count;
    }

    /// <summary>The same outbox row always gives the same event id, so receivers can de-duplicate across redeliveries.</summary>
    internal static Guid EventId(long caseEventId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes("civicdesk:case-event:" + caseEventId.ToString(System.Globalization.CultureInfo.InvariantCulture)))[..16]);
}
