using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

internal sealed class OrganisationConfiguration : IEntityTypeConfiguration<Organisation>
{
    public void Configure(EntityTypeBuilder<Organisation> b)
    {
        b.Property(o => o.Slug).HasMaxLength(64);
        b.Property(o => o.Name).HasMaxLength(200);
        b.Property(o => o.EmergencyAdvice).HasMaxLength(1000);
        b.Property(o => o.TimeZoneId).HasMaxLength(64);
        b.Property(o => o.PrivacyContact).HasMaxLength(500);
        b.Property(o => o.IcoRegistration).HasMaxLength(20);
        b.HasIndex(o => o.Slug).IsUnique();
    }
}

internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>
{
    public void Configure(EntityTypeBuilder<Team> b)
    {
        b.Property(t => t.Name).HasMaxLength(120);
        b.Property(t => t.Slug).HasMaxLength(64);
        b.Property(t => t.Description).HasMaxLength(500);
        b.HasIndex(t => new { t.OrganisationId, t.Slug }).IsUnique();
        b.HasOne<Organisation>().WithMany().HasForeignKey(t => t.OrganisationId);
    }
}

internal sealed class StaffMemberConfiguration : IEntityTypeConfiguration<StaffMember>
{
    public void Configure(EntityTypeBuilder<StaffMember> b)
    {
        b.Property(s => s.DisplayName).HasMaxLength(120);
        b.HasIndex(s => s.OrganisationId);
        b.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId);
        b.HasMany(s => s.Teams).WithOne().HasForeignKey(m => m.StaffMemberId);
    }
}

internal sealed class TeamMembershipConfiguration : IEntityTypeConfiguration<TeamMembership>
{
    public void Configure(EntityTypeBuilder<TeamMembership> b)
    {
        b.HasKey(m => new { m.StaffMemberId, m.TeamId });
        b.HasOne(m => m.Team).WithMany().HasForeignKey(m => m.TeamId);
        b.HasIndex(m => new { m.OrganisationId, m.TeamId });
    }
}

internal sealed class ChannelConfiguration : IEntityTypeConfiguration<Channel>
{
    public void Configure(EntityTypeBuilder<Channel> b)
    {
        b.Property(c => c.Name).HasMaxLength(120);
        b.Property(c => c.Account).HasMaxLength(200);
        b.Property(c => c.CredentialsReference).HasMaxLength(200);
        b.Property(c => c.ApiKeyHash).HasMaxLength(64);
        b.HasIndex(c => c.ApiKeyHash).IsUnique();
        b.HasIndex(c => new { c.OrganisationId, c.Kind });
        b.HasOne<Organisation>().WithMany().HasForeignKey(c => c.OrganisationId);
        b.Ignore(c => c.CanReply);
    }
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> b)
    {
        b.Property(m => m.ExternalId).HasMaxLength(200);
        b.Property(m => m.AuthorHandle).HasMaxLength(200);
        b.Property(m => m.AuthorName).HasMaxLength(200);
        b.Property(m => m.Text).HasMaxLength(Message.MaxTextLength);
        b.Property(m => m.Language).HasMaxLength(16);
        b.Property(m => m.InReplyTo).HasMaxLength(200);
        b.Property(m => m.Kind).HasMaxLength(64);
        b.Property(m => m.Category).HasMaxLength(64);
        b.Property(m => m.Sentiment).HasMaxLength(32);
        b.Property(m => m.UrgencyReason).HasMaxLength(200);
        b.Property(m => m.Place).HasMaxLength(200);
        b.Property(m => m.RoutingReason).HasMaxLength(500);
        b.Property(m => m.NeedsHumanReason).HasMaxLength(200);
        b.Property(m => m.TriageScores).HasMaxLength(400);
        // No index on NeedsHumanTriage: the inbox reads Conversations.NeedsHuman (kept by NeedsHumanTriggers), and
        // every ingested message paid for an index no query used.
        b.Property(m => m.SentByStaffId).HasMaxLength(450);
        b.Property(m => m.MatchedSearch).HasMaxLength(120);
        // Idempotency: a re-delivered post (same channel, same network id) is never stored twice.
        b.HasIndex(m => new { m.ChannelId, m.ExternalId }).IsUnique();
        // The conversation first, so that this index also serves the foreign key (deleting a conversation, the
        // needs-a-human recount) and no separate (ConversationId) index has to be written for every message stored;
        // every query that reads it names both the organisation and the conversation.
        b.HasIndex(m => new { m.ConversationId, m.OrganisationId, m.CreatedAt });
        b.HasOne<Channel>().WithMany().HasForeignKey(m => m.ChannelId);
        b.HasOne<Conversation>().WithMany(c => c.Messages).HasForeignKey(m => m.ConversationId);
    }
}

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> b)
    {
        b.Property(c => c.Reference).HasMaxLength(32);
        b.Property(c => c.CitizenHandle).HasMaxLength(200);
        b.Property(c => c.CitizenName).HasMaxLength(200);
        b.Property(c => c.CitizenEmail).HasMaxLength(320);
        b.Property(c => c.Subject).HasMaxLength(200);
        b.Property(c => c.AssignedStaffId).HasMaxLength(450);
        b.Property(c => c.Kind).HasMaxLength(64);
        b.Property(c => c.Category).HasMaxLength(64);
        b.Property(c => c.Sentiment).HasMaxLength(32);
        b.Property(c => c.RoutingReason).HasMaxLength(500);
        b.Property(c => c.RestrictedBy).HasMaxLength(32);
        b.HasIndex(c => c.Reference).IsUnique();
        // No index holds LastMessageAt: ingest sets it on every conversation a batch touches, and an index holding it
        // made each such update rewrite that index on SQLite and, on PostgreSQL, ruled out heap-only (HOT) updates,
        // so every index of the table was written again. No page orders or filters by it; a citizen's latest
        // conversation is found through (ChannelId, CitizenHandle, Status) and the retention purge scans once a day.
        // Team and person first in their indexes, so that each also serves its foreign key (a team or a staff member
        // removed): two fewer indexes for PostgreSQL to write on every conversation update that changes a label
        // (bench/README.md session 22). Every query naming them also names the organisation.
        b.HasIndex(c => new { c.AssignedTeamId, c.OrganisationId, c.Status });
        b.HasIndex(c => new { c.ChannelId, c.CitizenHandle, c.Status });
        // The inbox's keyset pages (Features/Inbox/InboxPaging.cs): priority order by segment, then newest/oldest, each
        // status's run read on its own so every read starts at its first matching row.
        b.HasIndex(c => new { c.OrganisationId, c.IsUrgent, c.Priority, c.Status, c.CreatedAt, c.Id });
        b.HasIndex(c => new { c.OrganisationId, c.Status, c.CreatedAt, c.Id });
        // The inbox's filters (Features/Inbox/InboxQuery.cs): each capped count, and the keys of a rare filter's
        // matches, read one index range per status instead of every conversation. (filter, Status, AssignedTeamId)
        // serves the total and the status facet (filter, status) and the team facet (filter, status, team) as exact
        // ranges of the index alone: a count reads only matching entries and never the table (bench inbox --sql:
        // with the team, or the organisation for channels, checked per table row, each facet count took 5–100 ms).
        // The two filters for rare values are partial indexes. With true statistics (a full ANALYZE) a two-valued flag,
        // or a column that is mostly NULL, reads as "this value is half or all of the table", and SQLite scanned
        // 4.4 M conversations for "needs a human" or "assigned to me" (1.4-2.4 s at 10 M messages, bench/README.md
        // session 16). A partial index holds only the rare rows and its statistics say so; the queries name the flag
        // bare ("NeedsHuman", not "NeedsHuman" = ?), which is what lets either database prove the index applies, and
        // a person's "AssignedStaffId" = ? implies IS NOT NULL on both.
        b.HasIndex(c => new { c.OrganisationId, c.Status, c.AssignedTeamId }, "IX_Conversations_NeedsHuman").HasFilter("\"NeedsHuman\"");
        b.HasIndex(c => new { c.OrganisationId, c.ChannelId, c.Status, c.AssignedTeamId });
        b.HasIndex(c => new { c.AssignedStaffId, c.OrganisationId, c.Status, c.AssignedTeamId }).HasFilter("\"AssignedStaffId\" IS NOT NULL");
        b.HasIndex(c => new { c.OrganisationId, c.Kind, c.Status, c.AssignedTeamId });
        b.HasIndex(c => new { c.OrganisationId, c.Category, c.Status, c.AssignedTeamId });
        b.HasIndex(c => new { c.OrganisationId, c.IsUrgent, c.Status, c.AssignedTeamId });
        b.HasOne(c => c.Channel).WithMany().HasForeignKey(c => c.ChannelId);
        b.HasOne(c => c.AssignedTeam).WithMany().HasForeignKey(c => c.AssignedTeamId);
        b.HasOne<StaffMember>().WithMany().HasForeignKey(c => c.AssignedStaffId);
    }
}

internal sealed class InternalNoteConfiguration : IEntityTypeConfiguration<InternalNote>
{
    public void Configure(EntityTypeBuilder<InternalNote> b)
    {
        b.Property(n => n.AuthorId).HasMaxLength(450);
        b.Property(n => n.AuthorName).HasMaxLength(200);
        b.Property(n => n.Text).HasMaxLength(5000);
        b.HasIndex(n => new { n.OrganisationId, n.ConversationId });
        b.HasOne<Conversation>().WithMany().HasForeignKey(n => n.ConversationId);
        b.HasMany(n => n.Mentions).WithOne().HasForeignKey(m => m.InternalNoteId);
    }
}

internal sealed class NoteMentionConfiguration : IEntityTypeConfiguration<NoteMention>
{
    public void Configure(EntityTypeBuilder<NoteMention> b)
    {
        b.Property(m => m.StaffMemberId).HasMaxLength(450);
        b.HasIndex(m => new { m.OrganisationId, m.StaffMemberId, m.IsRead });
    }
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> b)
    {
        b.Property(c => c.Hash).HasMaxLength(64);
        b.Property(c => c.KeyId).HasMaxLength(16);
        b.Property(c => c.Signature).HasMaxLength(200);
        b.HasIndex(c => new { c.OrganisationId, c.Sequence });
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> b)
    {
        b.Property(a => a.ActorId).HasMaxLength(450);
        b.Property(a => a.ActorName).HasMaxLength(200);
        b.Property(a => a.Action).HasMaxLength(64);
        b.Property(a => a.TargetType).HasMaxLength(64);
        b.Property(a => a.TargetId).HasMaxLength(64);
        b.Property(a => a.PreviousHash).HasMaxLength(64);
        b.Property(a => a.Hash).HasMaxLength(64);
        b.Property(a => a.PayloadHash).HasMaxLength(64);
        // The unique sequence is what keeps the chain linear when two processes append at once.
        b.HasIndex(a => new { a.OrganisationId, a.Sequence }).IsUnique();
        b.HasIndex(a => new { a.OrganisationId, a.TargetType, a.TargetId });
    }
}

internal sealed class RoutingRuleConfiguration : IEntityTypeConfiguration<RoutingRule>
{
    public void Configure(EntityTypeBuilder<RoutingRule> b)
    {
        b.Property(r => r.Name).HasMaxLength(120);
        b.Property(r => r.Keywords).HasMaxLength(2000);
        b.Property(r => r.Pattern).HasMaxLength(1000);
        b.Property(r => r.Kind).HasMaxLength(64);
        b.Property(r => r.Category).HasMaxLength(64);
        b.Property(r => r.Sentiment).HasMaxLength(32);
        b.Property(r => r.PlaceContains).HasMaxLength(200);
        b.HasIndex(r => new { r.OrganisationId, r.Position });
        b.HasOne(r => r.Team).WithMany().HasForeignKey(r => r.TeamId);
    }
}

internal sealed class OutboundMessageConfiguration : IEntityTypeConfiguration<OutboundMessage>
{
    public void Configure(EntityTypeBuilder<OutboundMessage> b)
    {
        b.Property(o => o.LastError).HasMaxLength(2000);
        b.Property(o => o.ExternalId).HasMaxLength(200);
        b.Property(o => o.ExternalUrl).HasMaxLength(500);
        b.HasIndex(o => new { o.Status, o.NextAttemptAt });
        b.HasIndex(o => new { o.OrganisationId, o.ChannelId, o.Status });
        b.HasOne<Message>().WithMany().HasForeignKey(o => o.MessageId);
    }
}

internal sealed class TriageFeedbackConfiguration : IEntityTypeConfiguration<TriageFeedback>
{
    public void Configure(EntityTypeBuilder<TriageFeedback> b)
    {
        b.Property(f => f.Task).HasMaxLength(32);
        b.Property(f => f.OldValue).HasMaxLength(TriageFeedback.MaxLabelLength);
        b.Property(f => f.NewValue).HasMaxLength(TriageFeedback.MaxLabelLength);
        b.Property(f => f.StaffId).HasMaxLength(450);
        b.Property(f => f.StaffName).HasMaxLength(200);
        b.HasIndex(f => new { f.OrganisationId, f.Task, f.At });
        b.HasOne<Message>().WithMany().HasForeignKey(f => f.MessageId);
    }
}
