using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Outbound;
using CivicDesk.Web.Features.Review;
using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Features.Inbox;

/// <summary>Releases a trainee's approved reply: queued for sending in the trainee's name, on the conversation's channel.</summary>
public sealed class ReplyReviewHandler(ConversationCommands commands, OutboundSignal outbound, IHttpContextAccessor http) : IReviewHandler
{
    public const string ReplyKind = "reply";

    public string Kind => ReplyKind;

    public string Label => "Reply";

    public string Link(ReviewItem item) => $"/inbox/conversation/{item.SubjectId}";

    public async Task<ReviewApplied> ApplyAsync(ReviewItem item, string approvedText, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!long.TryParse(item.SubjectId, System.Globalization.CultureInfo.InvariantCulture, out var conversationId))
        {
            return ReviewApplied.Failed("The conversation this reply belongs to no longer exists");
        }

        var reviewer = http.HttpContext?.User.DisplayNameOf() ?? "a reviewer";
        var result = await commands.QueueApprovedReplyAsync(conversationId, approvedText, item.AuthorId, reviewer, ct);
        return result.Outcome switch
        {
            CommandOutcome.Done => new ReviewApplied(AfterCommit: outbound.Ring),
            CommandOutcome.NotFound => ReviewApplied.Failed("The conversation this reply belongs to no longer exists"),
            _ => ReviewApplied.Failed(result.Error ?? "The reply cannot be sent"),
        };
    }
}
