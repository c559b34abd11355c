using CivicDesk.Triage;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Public;

/// <summary>
/// After a report is sent: the reference, what happens next, who to call when it is for a utility network, and, when
/// triage thinks it urgent, the organisation's emergency advice.
/// </summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class ConfirmationModel(PublicOrganisationResolver organisations, CivicDeskDb db) : PageModel
{
    public string Reference { get; private set; } = "";
    public bool IsUrgent { get; private set; }
    public string EmergencyAdvice { get; private set; } = "";
    /// <summary>Who to call when the report is for a utility network (gas, water, electricity), from triage's service rules.</summary>
    public string? ServiceAdvice { get; private set; }
    public bool WillReplyByEmail { get; private set; }
    /// <summary>The case the report became (Features/Cases), shown so the citizen can follow it on the map.</summary>
    public string? CaseReference { get; private set; }

    public async Task<IActionResult> OnGetAsync(string reference, CancellationToken ct)
    {
        var org = organisations.Current;
        var normalised = References.Normalise(reference);
        var conversation = await db.Conversations.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.OrganisationId == org.Id && c.Reference == normalised)
            .Select(c => new
            {
                c.Id,
                c.Reference,
                c.CitizenEmail,
                // The message just sent is the conversation's latest inbound one.
                Latest = db.Messages.IgnoreQueryFilters()
                    .Where(m => m.ConversationId == c.Id && m.Direction == MessageDirection.Inbound)
                    .OrderByDescending(m => m.Id).Select(m => new { m.IsUrgent, m.Text }).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);
        if (conversation is null)
        {
            return NotFound();
        }

        Reference = conversation.Reference;
        IsUrgent = conversation.Latest?.IsUrgent ?? false;
        // A gas leak, burst main or power cut is for the network operator, not the council: say who to call, now.
        ServiceAdvice = conversation.Latest is { } latest ? ServiceRules.Match(latest.Text)?.Rule.CitizenAdvice : null;
        EmergencyAdvice = org.EmergencyAdvice;
        WillReplyByEmail = conversation.CitizenEmail is not null;
        CaseReference = await db.CaseReporters.IgnoreQueryFilters().Where(r => r.OrganisationId == org.Id && r.ConversationId == conversation.Id)
            .Join(db.Cases.IgnoreQueryFilters(), r => r.CaseId, c => c.Id, (r, c) => c).Where(c => !c.NonPublic)
            .OrderByDescending(c => c.Id).Select(c => c.Reference).FirstOrDefaultAsync(ct);
        return Page();
    }
}
