using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Privacy;

/// <summary>What a run did (or would do) to one class of data.</summary>
public sealed record RetentionClassReport(RetentionDataClass DataClass, RetentionAction Action, int PeriodDays, DateTime Cutoff, int Affected, string What);

/// <summary>The policies an organisation starts with (off until an information-governance officer turns them on).</summary>
public static class RetentionDefaults
{
    public static readonly IReadOnlyList<(RetentionDataClass Class, int Days, RetentionAction Action)> Policies =
    [
        (RetentionDataClass.ListeningMessages, 90, RetentionAction.Anonymise),
        (RetentionDataClass.DirectContact, 730, RetentionAction.Anonymise),
        (RetentionDataClass.Cases, 2190, RetentionAction.Anonymise),
        (RetentionDataClass.WebFormPersonalData, 730, RetentionAction.Delete),
        (RetentionDataClass.Photos, 365, RetentionAction.Delete),
        (RetentionDataClass.AuditPayloads, 2190, RetentionAction.Anonymise),
    ];

    public static string Describe(RetentionDataClass c) => c switch
    {
        RetentionDataClass.ListeningMessages => "Public posts kept only because a listening search matched",
        RetentionDataClass.DirectContact => "Messages sent to us and our replies",
        RetentionDataClass.Cases => "Closed cases: description, address and exact location",
        RetentionDataClass.WebFormPersonalData => "Reporters' names, email addresses and phone numbers",
        RetentionDataClass.Photos => "Photos sent with reports",
        RetentionDataClass.AuditPayloads => "The before-and-after text of audit records",
        _ => c.ToString(),
    };

    /// <summary>Adds the default policies an organisation does not have yet (disabled), so every class has one row.</summary>
    public static async Task EnsureAsync(CivicDeskDb db, long organisationId, DateTime now, CancellationToken ct)
    {
        var have = await db.RetentionPolicies.IgnoreQueryFilters().Where(p => p.OrganisationId == organisationId).Select(p => p.DataClass).ToListAsync(ct);
        foreach (var (c, days, action) in Policies.Where(p => !have.Contains(p.Class)))
        {
            db.RetentionPolicies.Add(new RetentionPolicy { OrganisationId = organisationId, DataClass = c, PeriodDays = days, Action = action, IsEnabled = false, UpdatedAt = now });
        }

        await db.SaveChangesAsync(ct);
    }
}

/// <summary>
/// Applies an organisation's enabled retention policies, or (dry run) counts what they would affect. Messages are
/// "deleted" as tombstones: the row stays (counts, threads and case links keep working) but its text, author, place,
/// attachments and raw payload are gone and it is hidden everywhere. Anything linked to an open case is kept: the
/// case still needs it. Every run is recorded in the audit chain; erased audit payloads keep their hashes (see
/// docs/privacy.md), so <c>civicdesk audit verify</c> still passes.
/// </summary>
public sealed class RetentionPurge(CivicDeskDb db, OrganisationContext organisation, AuditLog audit, PhotoStore photos, TimeProvider clock, ILogger<RetentionPurge> logger)
{
    public const string Removed = "[removed under the retention policy]";
    private const int Batch = 500;

    public async Task<(RetentionRun Run, IReadOnlyList<RetentionClassReport> Report)> RunAsync(long organisationId, bool dryRun, CancellationToken ct)
    {
        organisation.Set(organisationId);
        var now = clock.GetUtcNow().UtcDateTime;
        var policies = await db.RetentionPolicies.AsNoTracking().Where(p => p.IsEnabled).OrderBy(p => p.DataClass).ToListAsync(ct);
        var report = new List<RetentionClassReport>();
        foreach (var p in policies)
        {
            var cutoff = now.AddDays(-p.PeriodDays);
            var (affected, what) = p.DataClass switch
            {
                RetentionDataClass.ListeningMessages => await MessagesAsync(organisationId, listening: true, cutoff, now, dryRun, ct),
                RetentionDataClass.DirectContact => await MessagesAsync(organisationId, listening: false, cutoff, now, dryRun, ct),
                RetentionDataClass.Cases => await CasesAsync(cutoff, dryRun, ct),
                RetentionDataClass.WebFormPersonalData => await ContactsAsync(cutoff, dryRun, ct),
                RetentionDataClass.Photos => await PhotosAsync(organisationId, cutoff, dryRun, ct),
                RetentionDataClass.AuditPayloads => await AuditPayloadsAsync(cutoff, now, dryRun, ct),
                _ => (0, ""),
            };
            report.Add(new RetentionClassReport(p.DataClass, p.Action, p.PeriodDays, cutoff, affected, what));
        }

        var run = new RetentionRun
        {
            OrganisationId = organisationId, StartedAt = now, DryRun = dryRun, TotalAffected = report.Sum(r => r.Affected),
            ReportJson = JsonSerializer.Serialize(report, JsonSerializerOptions.Web),
        };
        db.RetentionRuns.Add(run);
        if (!dryRun)
        {
            audit.Record("retention.purged", "RetentionRun", null, after: report.Select(r => new { dataClass = r.DataClass.ToString(), r.Affected, cutoff = r.Cutoff }));
        }

        await db.SaveChangesAsync(ct);
        logger.LogInformation("Retention {Mode} for organisation {OrganisationId}: {Total} items", dryRun ? "dry run" : "purge", organisationId, run.TotalAffected);
        return (run, report);
    }

    /// <summary>Messages not linked to an open case, received before the cut-off (listening-only, or addressed to us).</summary>
    private IQueryable<Message> MessagesDue(long organisationId, bool listening, DateTime cutoff)
    {
        var openStatuses = Cases.CaseWorkflowQueries.OpenStatuses.ToList();
        // Without the query filter: messages the network deleted are hidden but still hold their text until purged.
        var q = db.Messages.IgnoreQueryFilters().Where(m => m.OrganisationId == organisationId && m.ReceivedAt < cutoff && m.Text != Removed
            && !db.CaseMessages.Any(cm => cm.MessageId == m.Id && db.Cases.Any(c => c.Id == cm.CaseId && openStatuses.Contains(c.Status))));
        return listening ? q.Where(m => m.MatchedSearch != null) : q.Where(m => m.MatchedSearch == null);
    }

    private async Task<(int, string)> MessagesAsync(long organisationId, bool listening, DateTime cutoff, DateTime now, bool dryRun, CancellationToken ct)
    {
        var what = listening ? "listening posts anonymised" : "messages anonymised";
        if (dryRun)
        {
            return (await MessagesDue(organisationId, listening, cutoff).CountAsync(ct), what);
        }

        var total = 0;
        while (true)
        {
            var batch = await MessagesDue(organisationId, listening, cutoff).OrderBy(m => m.Id).Take(Batch).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return (total, what);
            }

            foreach (var m in batch)
            {
                if (m.AttachmentsJson is { } json && JsonSerializer.Deserialize<List<AttachmentInfo>>(json) is { } files)
                {
                    photos.Delete(m.OrganisationId, files);
                }

                Anonymise(m, now);
            }

            // Conversations that now hold only removed messages lose their citizen's identity too.
            var conversationIds = batch.Select(m => m.ConversationId).Distinct().ToList();
            var batchIds = batch.Select(m => m.Id).ToList();
            var emptied = await db.Conversations.Where(c => conversationIds.Contains(c.Id)
                && !db.Messages.IgnoreQueryFilters().Any(m => m.ConversationId == c.Id && m.Text != Removed && !batchIds.Contains(m.Id))).ToListAsync(ct);
            foreach (var c in emptied)
            {
                c.CitizenHandle = "anonymised";
                c.CitizenName = null;
                c.CitizenEmail = null;
                c.Subject = Removed;
            }

            await db.SaveChangesAsync(ct);
            total += batch.Count;
        }
    }

    /// <summary>Blanks everything that identifies a person or says what they wrote; labels stay for counting.</summary>
    public static void Anonymise(Message m, DateTime now)
    {
        m.Text = Removed;
        m.AuthorHandle = "anonymised";
        m.AuthorName = null;
        m.RawPayload = null;
        m.AttachmentsJson = null;
        m.Latitude = null;
        m.Longitude = null;
        m.Place = null;
        m.TriageScores = null;
        m.UrgencyReason = null;
        m.DeletedAt ??= now;
    }

    private IQueryable<Case> ClosedCasesBefore(DateTime cutoff)
    {
        var openStatuses = Cases.CaseWorkflowQueries.OpenStatuses.ToList();
        return db.Cases.Where(c => !openStatuses.Contains(c.Status) && c.ClosedAt != null && c.ClosedAt < cutoff);
    }

    private async Task<(int, string)> CasesAsync(DateTime cutoff, bool dryRun, CancellationToken ct)
    {
        var due = ClosedCasesBefore(cutoff).Where(c => c.Description != Removed);
        if (dryRun)
        {
            return (await due.CountAsync(ct), "closed cases anonymised");
        }

        var total = 0;
        List<Case> batch;
        while ((batch = await due.OrderBy(c => c.Id).Take(Batch).ToListAsync(ct)).Count > 0)
        {
            foreach (var c in batch)
            {
                c.Title = "Case " + c.Reference;
                c.Description = Removed;
                c.Address = null;
                c.Latitude = null;
                c.Longitude = null;
                c.PublicTextReviewedAt = null;
            }

            await db.SaveChangesAsync(ct);
            total += batch.Count;
        }

        return (total, "closed cases anonymised");
    }

    private async Task<(int, string)> ContactsAsync(DateTime cutoff, bool dryRun, CancellationToken ct)
    {
        var closed = ClosedCasesBefore(cutoff).Select(c => c.Id);
        var due = db.CaseReporters.Where(r => closed.Contains(r.CaseId) && (r.Name != null || r.Email != null || r.Phone != null));
        if (dryRun)
        {
            return (await due.CountAsync(ct), "reporters' contact details removed");
        }

        var affected = await due.ExecuteUpdateAsync(s => s.SetProperty(r => r.Name, (string?)null).SetProperty(r => r.Email, (string?)null).SetProperty(r => r.Phone, (string?)null), ct);
        // Web-form conversations carry the email address the reporter gave.
        var oldConversations = db.Conversations.Where(c => c.CitizenEmail != null && c.LastMessageAt < cutoff
            && !db.CaseReporters.Any(r => r.ConversationId == c.Id && !closed.Contains(r.CaseId)));
        affected += await oldConversations.ExecuteUpdateAsync(s => s.SetProperty(c => c.CitizenEmail, (string?)null), ct);
        return (affected, "reporters' contact details removed");
    }

    private async Task<(int, string)> PhotosAsync(long organisationId, DateTime cutoff, bool dryRun, CancellationToken ct)
    {
        var closed = ClosedCasesBefore(cutoff).Select(c => c.Id);
        var due = db.CasePhotos.Where(p => p.CreatedAt < cutoff && closed.Contains(p.CaseId));
        if (dryRun)
        {
            return (await due.CountAsync(ct), "photos deleted");
        }

        var rows = await due.ToListAsync(ct);
        photos.Delete(organisationId, rows.Select(p => new AttachmentInfo(p.FileName, p.ContentType, p.Length, p.StoredPath, p.Url)));
        db.CasePhotos.RemoveRange(rows);
        await db.SaveChangesAsync(ct);
        return (rows.Count, "photos deleted");
    }

    private async Task<(int, string)> AuditPayloadsAsync(DateTime cutoff, DateTime now, bool dryRun, CancellationToken ct)
    {
        // Erasure records are never erased: they are what lets verify tell lawful erasure from tampering.
        var due = db.AuditEvents.Where(e => e.At < cutoff && e.PayloadHash != null && e.PayloadErasedAt == null
            && (e.Before != null || e.After != null) && e.Action != AuditChain.PayloadsErasedAction);
        if (dryRun)
        {
            return (await due.CountAsync(ct), "audit payloads erased (events and hashes kept)");
        }

        var total = 0;
        List<AuditEvent> batch;
        while ((batch = await due.OrderBy(e => e.Sequence).Take(Batch).ToListAsync(ct)).Count > 0)
        {
            var ids = batch.Where(e => AuditChain.ErasePayload(e, now)).Select(e => e.Id).ToList();
            if (ids.Count == 0)
            {
                break;
            }

            audit.Record(AuditChain.PayloadsErasedAction, "AuditEvent", null, after: new { eventIds = ids, reason = "retention policy" });
            await db.SaveChangesAsync(ct);
            total += ids.Count;
        }

        return (total, "audit payloads erased (events and hashes kept)");
    }
}
