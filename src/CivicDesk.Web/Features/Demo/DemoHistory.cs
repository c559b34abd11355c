using System.Globalization;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Dapper;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CivicDesk.Web.Features.Demo;

/// <summary>
/// The demo's worked history for one chunk of conversations (replies, notes, status changes and their audit events),
/// gathered in memory and written set-based in the caller's write transaction. Set-based because EF's change tracking
/// and per-row command building took most of the seeding's CPU (bench/README.md, demo-seed): the rows are plain, and the
/// audit events are sealed into the chain here exactly as <see cref="CivicDeskDb.SaveChangesAsync(bool, CancellationToken)"/>
/// would (<see cref="AuditRows"/>; the caller's transaction holds the audit gate).
/// </summary>
internal sealed class DemoHistory(DateTime now)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly string[] ReplyColumns =
    [
        "OrganisationId", "ChannelId", "ConversationId", "Direction", "ExternalId", "AuthorHandle", "AuthorName", "Text",
        "CreatedAt", "ReceivedAt", "InReplyTo", "SentByStaffId", "IsUrgent", "NeedsHumanTriage",
    ];

    private static readonly string[] OutboxColumns =
    [
        "OrganisationId", "ChannelId", "ConversationId", "MessageId", "Status", "Attempts", "QueuedAt", "NextAttemptAt", "SentAt",
    ];

    private static readonly string[] NoteColumns = ["OrganisationId", "ConversationId", "AuthorId", "AuthorName", "Text", "CreatedAt"];

    private readonly List<Message> _replies = [];
    private readonly List<InternalNote> _notes = [];
    private readonly List<AuditEvent> _events = [];

    /// <summary>The conversations worked (their new state is written back).</summary>
    public List<Conversation> Worked { get; } = [];

    public void Event(StaffMember actor, string action, long conversationId, object? before = null, object? after = null) => _events.Add(new AuditEvent
    {
        OrganisationId = actor.OrganisationId,
        At = now,
        ActorId = actor.Id,
        ActorName = actor.DisplayName,
        Action = action,
        TargetType = nameof(Conversation),
        TargetId = conversationId.ToString(CultureInfo.InvariantCulture),
        Before = before is null ? null : JsonSerializer.Serialize(before, Json),
        After = after is null ? null : JsonSerializer.Serialize(after, Json),
    });

    public void Move(Conversation c, ConversationStatus next, DateTime at, StaffMember actor)
    {
        var before = c.Status;
        c.MoveTo(next, at);
        Event(actor, "conversation.status-changed", c.Id, new { status = before.ToString() }, new { status = next.ToString() });
    }

    /// <summary>A reply by <paramref name="actor"/>, delivered (an outbox row marked sent goes with it).</summary>
    public void Reply(Conversation c, StaffMember actor, string? inReplyTo, string text, DateTime at)
    {
        _replies.Add(new Message
        {
            OrganisationId = c.OrganisationId, ChannelId = c.ChannelId, ConversationId = c.Id, Direction = MessageDirection.Outbound,
            ExternalId = "demo-reply:" + Guid.NewGuid().ToString("N"), AuthorHandle = c.Channel?.Account ?? DemoSeeder.Name, AuthorName = DemoSeeder.Name,
            Text = c.CitizenHandle.StartsWith('@') ? $"{c.CitizenHandle} {text}" : text,
            CreatedAt = at, ReceivedAt = at, InReplyTo = inReplyTo, SentByStaffId = actor.Id,
        });
        c.MessageCount++;
        c.FirstResponseAt ??= at;
        c.LastMessageAt = c.LastMessageAt > at ? c.LastMessageAt : at;
        Event(actor, "reply.queued", c.Id);
    }

    public void Note(Conversation c, StaffMember actor, string text, DateTime at)
    {
        _notes.Add(new InternalNote
        {
            OrganisationId = c.OrganisationId, ConversationId = c.Id, AuthorId = actor.Id, AuthorName = actor.DisplayName, Text = text, CreatedAt = at,
        });
        Event(actor, "note.added", c.Id);
    }

    /// <summary>Writes everything gathered, in the context's current write transaction.</summary>
    public async Task WriteAsync(CivicDeskDb db, CancellationToken ct)
    {
        var tx = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("The demo history is written inside a write transaction.");
        var connection = db.Database.GetDbConnection();
        var provider = db.Provider;

        var ids = (await RowInserter.InsertAsync<InsertedReply>(provider, connection, tx, "Messages", ReplyColumns,
                _replies.Select(m => new object?[]
                {
                    m.OrganisationId, m.ChannelId, m.ConversationId, nameof(MessageDirection.Outbound), m.ExternalId, m.AuthorHandle, m.AuthorName, m.Text,
                    m.CreatedAt, m.ReceivedAt, m.InReplyTo, m.SentByStaffId, false, false,
                }).ToList(), "RETURNING \"Id\", \"ExternalId\"", ct))
            .ToDictionary(r => r.ExternalId, r => r.Id, StringComparer.Ordinal);
        await RowInserter.InsertAsync<long>(provider, connection, tx, "OutboundMessages", OutboxColumns, _replies.Select(m => new object?[]
        {
            m.OrganisationId, m.ChannelId, m.ConversationId, ids[m.ExternalId], nameof(OutboundStatus.Sent), 1, m.CreatedAt, m.CreatedAt, m.CreatedAt.AddSeconds(2),
        }).ToList(), "", ct);
        await RowInserter.InsertAsync<long>(provider, connection, tx, "InternalNotes", NoteColumns,
            _notes.Select(n => new object?[] { n.OrganisationId, n.ConversationId, n.AuthorId, n.AuthorName, n.Text, n.CreatedAt }).ToList(), "", ct);

        // One prepared statement per conversation (SQLite runs it in-process; PostgreSQL a round trip each, a few hundred).
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE "Conversations" SET "Status" = @Status, "AssignedStaffId" = @AssignedStaffId, "UpdatedAt" = @UpdatedAt,
                "ResolvedAt" = @ResolvedAt, "FirstResponseAt" = @FirstResponseAt, "LastMessageAt" = @LastMessageAt, "MessageCount" = @MessageCount
            WHERE "Id" = @Id
            """, Worked.Select(c => new
        {
            Status = c.Status.ToString(), c.AssignedStaffId, c.UpdatedAt, c.ResolvedAt, c.FirstResponseAt, c.LastMessageAt, c.MessageCount, c.Id,
        }).ToList(), tx, cancellationToken: ct));

        await AuditRows.AppendAsync(provider, connection, tx, _events, ct);
    }

    private sealed class InsertedReply
    {
        public long Id { get; set; }
        public string ExternalId { get; set; } = "";
    }
}
