using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Ingestion;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Connectors;

/// <summary>
/// One channel's sink: keeps the posts the organisation listens for, stores them through the ingest pipeline and
/// only then records the checkpoint, so a crash between the two re-reads a batch (stored once: idempotent on
/// (channel, external id)) and never skips one.
/// </summary>
public sealed class ConnectorSink(
    long organisationId,
    long channelId,
    ChannelKind kind,
    IServiceScopeFactory scopes,
    IngestPipeline pipeline,
    ListeningFilter filter,
    TimeProvider clock,
    ConnectorOptions options,
    ILogger<ConnectorSink> logger) : IConnectorSink
{
    private const string Actor = "connector";

    /// <summary>Set on a cluster (PostgreSQL): checkpoints are then written only while this node leads the channel.</summary>
    public IConnectorLeadership? Leadership { get; init; }

    /// <summary>Set when a message broker takes surges: batches are then queued there (counted as neither accepted nor known).</summary>
    public IngestBroker? Broker { get; init; }

    public async Task<IngestOutcome> CommitAsync(IReadOnlyList<InboundPost> posts, string? checkpoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(posts);
        var kept = await filter.KeepAsync(organisationId, posts, ct);
        int accepted = 0, known = 0;
        var items = new List<IngestItemResult>(kept.Count);
        // The pipeline takes bounded submissions; the checkpoint moves only after the last of them committed.
        foreach (var chunk in kept.Chunk(options.SubmitBatchSize))
        {
            var batch = new IngestBatch(organisationId, channelId, kind, chunk);
            if (Broker is { IsEnabled: true })
            {
                // Durably queued is enough to move the checkpoint: a node stores the batch once, soon.
                await Broker.PublishAsync(batch, ct);
                continue;
            }

            var outcome = await pipeline.SubmitAsync(batch, ct);
            accepted += outcome.Accepted;
            known += outcome.AlreadyKnown;
            items.AddRange(outcome.Items);
        }

        if (checkpoint is not null)
        {
            await SaveCheckpointAsync(checkpoint, ct);
        }

        return new IngestOutcome(accepted, known, items);
    }

    public async Task SaveCheckpointAsync(string checkpoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (Leadership is not null)
        {
            await Leadership.SaveCheckpointAsync(organisationId, channelId, checkpoint, clock.GetUtcNow().UtcDateTime, ct);
            return;
        }

        await using var scope = Scope(out var db);
        var row = await db.ConnectorCheckpoints.FirstOrDefaultAsync(c => c.ChannelId == channelId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        if (row is null)
        {
            db.ConnectorCheckpoints.Add(new ConnectorCheckpoint { ChannelId = channelId, OrganisationId = organisationId, Value = checkpoint, UpdatedAt = now });
        }
        else
        {
            (row.Value, row.UpdatedAt) = (checkpoint, now);
        }

        await db.SaveChangesAsync(ct);
    }

    public async Task EditAsync(string externalId, string newText, DateTime editedAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(newText);
        await using var scope = Scope(out var db);
        var message = await FindAsync(db, externalId, ct);
        if (message is null || message.DeletedAt is not null)
        {
            // Never kept (filtered out) or already gone: nothing to change.
            logger.LogDebug("Edit of {ExternalId} on channel {ChannelId} ignored: not stored", externalId, channelId);
            return;
        }

        var text = newText.Length <= Message.MaxTextLength ? newText : newText[..Message.MaxTextLength];
        if (text == message.Text)
        {
            return;
        }

        var before = message.Text;
        (message.Text, message.EditedAt) = (text, Utc(editedAt));
        // The old text stays in the audit trail: the record of what the citizen first wrote.
        scope.ServiceProvider.GetRequiredService<AuditLog>().RecordAs(organisationId, null, Actor, "message.edited", nameof(Message), message.Id,
            before: new { text = before }, after: new { text, editedAt = message.EditedAt });
        await db.SaveChangesAsync(ct);
    }

    public async Task DeleteAsync(string externalId, DateTime deletedAt, CancellationToken ct)
    {
        await using var scope = Scope(out var db);
        var message = await FindAsync(db, externalId, ct);
        if (message is null || message.DeletedAt is not null)
        {
            return;
        }

        message.DeletedAt = Utc(deletedAt);
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        audit.RecordAs(organisationId, null, Actor, "message.deleted", nameof(Message), message.Id,
            after: new { deletedAt = message.DeletedAt, reason = "deleted on the network by its author" });

        var conversation = await db.Conversations.SingleAsync(c => c.Id == message.ConversationId, ct);
        // The query filter already hides deleted messages; this one is not saved yet, so exclude it by id.
        var remaining = await db.Messages.Where(m => m.ConversationId == conversation.Id && m.Id != message.Id && m.Direction == MessageDirection.Inbound)
            .OrderBy(m => m.CreatedAt).Select(m => m.Text).ToListAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        conversation.MessageCount = Math.Max(0, conversation.MessageCount - 1);
        conversation.UpdatedAt = now;
        if (remaining.Count == 0)
        {
            // Nothing the citizen wrote is left to work on: the subject (their words) goes and the thread closes.
            conversation.Subject = "Post deleted by its author";
            if (conversation.Status != ConversationStatus.Closed)
            {
                var from = conversation.Status;
                conversation.MoveTo(ConversationStatus.Closed, now);
                audit.RecordAs(organisationId, null, Actor, "conversation.status-changed", nameof(Conversation), conversation.Id,
                    before: from.ToString(), after: "Closed: every post was deleted by its author");
            }
        }
        else
        {
            conversation.Subject = PostNormaliser.Subject(remaining[0]);
        }

        await db.SaveChangesAsync(ct);
    }

    private Task<Message?> FindAsync(CivicDeskDb db, string externalId, CancellationToken ct) =>
        // Deleted messages are hidden by the query filter; look past it, with the organisation filter made explicit.
        db.Messages.IgnoreQueryFilters()
            .FirstOrDefaultAsync(m => m.OrganisationId == organisationId && m.ChannelId == channelId && m.ExternalId == externalId, ct);

    private AsyncServiceScope Scope(out CivicDeskDb db)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<OrganisationContext>().Set(organisationId);
        db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        return scope;
    }

    private static DateTime Utc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Utc => t,
        DateTimeKind.Local => t.ToUniversalTime(),
        _ => DateTime.SpecifyKind(t, DateTimeKind.Utc),
    };
}
