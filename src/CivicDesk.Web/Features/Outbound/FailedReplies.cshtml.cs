using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Outbound;

/// <summary>
/// The dead-letter list: replies that used up their automatic retries, across every conversation, with "retry"
/// (queue again, audited). The conversation view has the same button for one reply.
/// </summary>
[Authorize(Policy = Policies.TeamLead)]
public sealed class FailedRepliesModel(CivicDeskDb db, AuditLog audit, OutboundSignal signal, IOptions<OutboundOptions> options, TimeProvider clock) : PageModel
{
    public sealed record FailedReply(long OutboundId, long ConversationId, string Reference, string Channel, ChannelKind Kind, int Attempts,
        string? LastError, DateTime QueuedAt, DateTime NextAttemptAt);

    public IReadOnlyList<FailedReply> Replies { get; private set; } = [];
    public string? Done { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostRetryAsync(long outboundId, CancellationToken ct)
    {
        var row = await db.OutboundMessages.SingleOrDefaultAsync(o => o.Id == outboundId, ct);
        if (row is null)
        {
            return NotFound();
        }

        if (row.Status == OutboundStatus.Failed)
        {
            row.Status = OutboundStatus.Pending;
            row.NextAttemptAt = clock.GetUtcNow().UtcDateTime;
            audit.Record("reply.retry-requested", "Message", row.MessageId, "Failed", "Queued");
            await db.SaveChangesAsync(ct);
            signal.Ring();
            Done = "The reply is queued to be sent again";
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var max = options.Value.MaxAttempts;
        Replies = await db.OutboundMessages.AsNoTracking()
            .Where(o => o.Status == OutboundStatus.Failed && o.Attempts >= max)
            .OrderByDescending(o => o.QueuedAt).Take(200)
            .Join(db.Conversations, o => o.ConversationId, c => c.Id, (o, c) => new { o, c.Reference })
            .Join(db.Channels, x => x.o.ChannelId, ch => ch.Id, (x, ch) => new FailedReply(x.o.Id, x.o.ConversationId, x.Reference, ch.Name, ch.Kind,
                x.o.Attempts, x.o.LastError, x.o.QueuedAt, x.o.NextAttemptAt))
            .ToListAsync(ct);
    }

    public static string When(DateTime at) => at.ToString("d MMM yyyy HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
