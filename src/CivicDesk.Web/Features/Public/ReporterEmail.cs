using System.Security.Cryptography;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform.Email;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Public;

/// <summary>
/// Email updates for web-form reporters who ticked the box (issue 10, scope 1). Every reply the organisation sends on a
/// report's conversation — a staff reply in the inbox, or a public status change or update on its case, which
/// <c>CaseNotifier</c> turns into such a reply — is delivered to the status page by <c>StatusPageDelivery</c>, which
/// calls <see cref="ReplySentAsync"/>: each active subscription of the report's case gets one mail with the text, the
/// status link and an unsubscribe link (also sent as RFC 8058 List-Unsubscribe).
/// </summary>
public sealed class ReporterEmail(CivicDeskDb db, ICitizenMailer mailer, TimeProvider clock, ILogger<ReporterEmail> log)
{
    public static string NewToken() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(24));

    /// <summary>Subscribes the reporter of a new case; <paramref name="statusUrl"/> is the absolute link to its status page.</summary>
    public async Task SubscribeAsync(Case c, string email, Uri statusUrl, CancellationToken ct)
    {
        db.CaseEmailSubscriptions.Add(new CaseEmailSubscription
        {
            OrganisationId = c.OrganisationId, CaseId = c.Id, Email = email, UnsubscribeToken = NewToken(), StatusUrl = statusUrl.AbsoluteUri,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Mails the reply in outbound row <paramref name="outboundId"/> to the subscribers of its conversation's cases, once
    /// each (a subscription is claimed by moving its last-mailed message id forward before sending, and moved back when
    /// the mail fails, so a retried delivery or a second node does not mail twice). Returns how many were sent.
    /// </summary>
    public async Task<int> ReplySentAsync(long outboundId, CancellationToken ct)
    {
        var reply = await db.OutboundMessages.AsNoTracking().Where(o => o.Id == outboundId)
            .Join(db.Messages, o => o.MessageId, m => m.Id, (o, m) => new { o.ConversationId, MessageId = m.Id, m.Text, m.AuthorName })
            .FirstOrDefaultAsync(ct);
        if (reply is null)
        {
            return 0;
        }

        var caseIds = db.CaseReporters.Where(r => r.ConversationId == reply.ConversationId).Select(r => r.CaseId);
        var subscriptions = await db.CaseEmailSubscriptions.AsNoTracking()
            .Where(s => caseIds.Contains(s.CaseId) && s.UnsubscribedAt == null && s.LastNotifiedEventId < reply.MessageId)
            .Join(db.Cases, s => s.CaseId, c => c.Id, (s, c) => new { s.Id, s.Email, s.StatusUrl, s.UnsubscribeToken, s.LastNotifiedEventId, c.Reference })
            .ToListAsync(ct);
        var sent = 0;
        foreach (var s in subscriptions)
        {
            var claimed = await db.CaseEmailSubscriptions.Where(x => x.Id == s.Id && x.LastNotifiedEventId == s.LastNotifiedEventId)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.LastNotifiedEventId, reply.MessageId), ct);
            if (claimed == 0)
            {
                continue;
            }

            var status = new Uri(s.StatusUrl);
            var unsubscribe = new Uri(status, "/report/unsubscribe?t=" + Uri.EscapeDataString(s.UnsubscribeToken));
            var from = string.IsNullOrWhiteSpace(reply.AuthorName) ? "We" : reply.AuthorName;
            var text = $"""
                {from} replied about your report {s.Reference}:

                {reply.Text}

                See your report and every reply: {status.AbsoluteUri}

                You get these emails because you asked for updates when you reported the problem.
                """;
            try
            {
                await mailer.SendAsync(new CitizenMail(s.Email, $"Update on your report {s.Reference}", text)
                {
                    UnsubscribeUrl = unsubscribe,
                    Purpose = "case-update",
                }, ct);
                sent++;
            }
            catch (CitizenMailException e)
            {
                log.LogWarning(e, "Could not email the update on case {Reference} to its reporter (subscription {Subscription}); the reply is on the status page", s.Reference, s.Id);
                await db.CaseEmailSubscriptions.Where(x => x.Id == s.Id && x.LastNotifiedEventId == reply.MessageId)
                    .ExecuteUpdateAsync(u => u.SetProperty(x => x.LastNotifiedEventId, s.LastNotifiedEventId), ct);
            }
        }

        return sent;
    }
}
