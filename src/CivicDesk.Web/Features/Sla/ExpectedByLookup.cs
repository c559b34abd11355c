using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Sla;

/// <summary>The expected-by date to quote for a conversation: the estimate of the case its messages belong to.</summary>
public sealed class ExpectedByLookup(CivicDeskDb db)
{
    /// <summary>The newest linked case's estimate (open cases first); null when the conversation has no case.</summary>
    public async Task<DateTime?> ForConversationAsync(Conversation conversation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var cases = await db.CaseMessages.AsNoTracking()
            .Where(cm => db.Messages.Any(m => m.Id == cm.MessageId && m.ConversationId == conversation.Id))
            .Join(db.Cases.AsNoTracking(), cm => cm.CaseId, c => c.Id, (cm, c) => new { c.Id, c.Status, c.ExpectedBy })
            .ToListAsync(ct);
        return cases.OrderByDescending(c => c.Status.IsOpen()).ThenByDescending(c => c.Id).Select(c => c.ExpectedBy).FirstOrDefault();
    }
}
