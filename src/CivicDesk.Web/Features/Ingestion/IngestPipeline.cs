using CivicDesk.Triage;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Ingestion;

/// <summary>
/// Entry point for every channel: submit a batch, get the outcome once it is committed.
/// Reference implementation (one EF transaction per batch); the batched Channels pipeline replaces its internals
/// behind the same signature.
/// </summary>
public sealed class IngestPipeline(IServiceScopeFactory scopes, ITriageEngine triage, RoutingService routing, TimeProvider clock)
{
    public async Task<IngestOutcome> SubmitAsync(IngestBatch batch, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(batch.OrganisationId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        var items = new List<IngestItemResult>(batch.Posts.Count);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var post in batch.Posts)
        {
            var existing = await db.Messages.Where(m => m.ChannelId == batch.ChannelId && m.ExternalId == post.ExternalId)
                .Select(m => new { m.Id, m.ConversationId }).FirstOrDefaultAsync(ct);
            if (existing is not null)
            {
                var reference = await db.Conversations.Where(c => c.Id == existing.ConversationId).Select(c => c.Reference).FirstAsync(ct);
                items.Add(new IngestItemResult(post.ExternalId, existing.Id, existing.ConversationId, reference, Duplicate: true));
                continue;
            }

            var result = triage.Triage(new TriageInput(post.Text, post.Latitude, post.Longitude));
            var decision = await routing.RouteAsync(batch.OrganisationId, new RoutingInput(post.Text, batch.ChannelKind, result.Kind.Value,
                result.Category.Value, result.Sentiment.Value, result.Urgency.IsUrgent, result.Place?.Text), ct);
            var conversation = await db.Conversations
                .Where(c => c.ChannelId == batch.ChannelId && c.CitizenHandle == post.AuthorHandle && c.Status != ConversationStatus.Closed)
                .OrderByDescending(c => c.LastMessageAt).FirstOrDefaultAsync(ct);
            if (conversation is null)
            {
                conversation = new Conversation
                {
                    OrganisationId = batch.OrganisationId, ChannelId = batch.ChannelId, Reference = References.NewConversationReference(),
                    CitizenHandle = post.AuthorHandle, CitizenName = post.AuthorName, CitizenEmail = post.CitizenEmail,
                    Subject = Subject(post.Text), CreatedAt = now, AssignedTeamId = decision.TeamId,
                    Priority = decision.Priority ?? (result.Urgency.IsUrgent ? Priority.Urgent : Priority.Normal),
                    RoutingRuleId = decision.RuleId, RoutingReason = decision.Reason,
                };
                db.Conversations.Add(conversation);
            }
            else if (conversation.Status is ConversationStatus.Resolved or ConversationStatus.WaitingOnCitizen)
            {
                conversation.MoveTo(ConversationStatus.Open, now);
            }

            conversation.LastMessageAt = now;
            conversation.UpdatedAt = now;
            conversation.MessageCount++;
            conversation.Kind = result.Kind.Value;
            conversation.Category = result.Category.Value;
            conversation.Sentiment = result.Sentiment.Value;
            conversation.IsUrgent |= result.Urgency.IsUrgent;
            var message = new Message
            {
                OrganisationId = batch.OrganisationId, ChannelId = batch.ChannelId, Direction = MessageDirection.Inbound,
                ExternalId = post.ExternalId, AuthorHandle = post.AuthorHandle, AuthorName = post.AuthorName, Text = post.Text,
                Language = post.Language, CreatedAt = post.CreatedAt ?? now, ReceivedAt = now, InReplyTo = post.InReplyTo,
                Latitude = post.Latitude, Longitude = post.Longitude, RawPayload = post.RawPayload,
                AttachmentsJson = post.Attachments is { Count: > 0 } a ? System.Text.Json.JsonSerializer.Serialize(a) : null,
                Kind = result.Kind.Value, Category = result.Category.Value, Sentiment = result.Sentiment.Value,
                IsUrgent = result.Urgency.IsUrgent, UrgencyReason = result.Urgency.Reason, Place = result.Place?.Text,
                TriageJson = System.Text.Json.JsonSerializer.Serialize(result),
                RoutedTeamId = decision.TeamId, RoutingRuleId = decision.RuleId, RoutingReason = decision.Reason,
            };
            conversation.Messages.Add(message);
            await db.SaveChangesAsync(ct);
            items.Add(new IngestItemResult(post.ExternalId, message.Id, conversation.Id, conversation.Reference, Duplicate: false));
        }

        await tx.CommitAsync(ct);
        return new IngestOutcome(items.Count(i => !i.Duplicate), items.Count(i => i.Duplicate), items);
    }

    internal static string Subject(string text)
    {
        var firstLine = text.AsSpan().Trim();
        var newline = firstLine.IndexOfAny('\r', '\n');
        if (newline > 0)
        {
            firstLine = firstLine[..newline];
        }

        return firstLine.Length <= 120 ? firstLine.ToString() : string.Concat(firstLine[..117], "...");
    }
}
