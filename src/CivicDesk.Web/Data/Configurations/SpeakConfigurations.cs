using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

// Issue 9, items 5–7: incidents, rumours, Q&A sessions and the FAQ.

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> b)
    {
        b.Property(i => i.Slug).HasMaxLength(80);
        b.Property(i => i.Title).HasMaxLength(Incident.MaxTitleLength);
        b.Property(i => i.Keywords).HasMaxLength(Incident.MaxKeywordsLength);
        b.Property(i => i.Guidance).HasMaxLength(Incident.MaxGuidanceLength);
        b.Property(i => i.AreaGeoJson).HasMaxLength(200_000);
        b.Property(i => i.DeclaredById).HasMaxLength(450);
        b.Property(i => i.DeclaredByName).HasMaxLength(200);
        b.Property(i => i.StoodDownByName).HasMaxLength(200);
        b.Property(i => i.Summary).HasMaxLength(Incident.MaxGuidanceLength);
        b.HasIndex(i => new { i.OrganisationId, i.Slug }).IsUnique();
        b.HasIndex(i => new { i.OrganisationId, i.Status });
        b.HasOne<Organisation>().WithMany().HasForeignKey(i => i.OrganisationId);
    }
}

internal sealed class IncidentUpdateConfiguration : IEntityTypeConfiguration<IncidentUpdate>
{
    public void Configure(EntityTypeBuilder<IncidentUpdate> b)
    {
        b.Property(u => u.Text).HasMaxLength(IncidentUpdate.MaxTextLength);
        b.Property(u => u.PostedById).HasMaxLength(450);
        b.Property(u => u.PostedByName).HasMaxLength(200);
        b.Property(u => u.PhotoContentType).HasMaxLength(64);
        b.Property(u => u.PhotoStoredPath).HasMaxLength(300);
        b.Property(u => u.PhotoAlt).HasMaxLength(IncidentUpdate.MaxAltLength);
        b.Property(u => u.ChannelIds).HasMaxLength(500);
        b.Property(u => u.PublicationReference).HasMaxLength(100);
        b.HasIndex(u => new { u.IncidentId, u.PostedAt });
        b.HasOne<Incident>().WithMany().HasForeignKey(u => u.IncidentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RumourClaimConfiguration : IEntityTypeConfiguration<RumourClaim>
{
    public void Configure(EntityTypeBuilder<RumourClaim> b)
    {
        b.Property(c => c.Statement).HasMaxLength(RumourClaim.MaxStatementLength);
        b.Property(c => c.EvidenceNotes).HasMaxLength(RumourClaim.MaxNotesLength);
        b.Property(c => c.CreatedByName).HasMaxLength(200);
        b.Property(c => c.Facts).HasMaxLength(RumourClaim.MaxFactsLength);
        b.Property(c => c.VerdictPublishedByName).HasMaxLength(200);
        b.Property(c => c.RebuttalText).HasMaxLength(1000);
        b.Property(c => c.RebuttalChannelIds).HasMaxLength(500);
        b.Property(c => c.RebuttalReference).HasMaxLength(100);
        b.HasIndex(c => new { c.OrganisationId, c.Status });
        b.HasOne<Organisation>().WithMany().HasForeignKey(c => c.OrganisationId);
    }
}

internal sealed class RumourSightingConfiguration : IEntityTypeConfiguration<RumourSighting>
{
    public void Configure(EntityTypeBuilder<RumourSighting> b)
    {
        b.Property(s => s.AuthorHandle).HasMaxLength(200);
        b.Property(s => s.Reason).HasMaxLength(500);
        b.Property(s => s.AddedByName).HasMaxLength(200);
        b.HasIndex(s => new { s.ClaimId, s.MessageId }).IsUnique();
        b.HasOne<RumourClaim>().WithMany().HasForeignKey(s => s.ClaimId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Message>().WithMany().HasForeignKey(s => s.MessageId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RumourReplyConfiguration : IEntityTypeConfiguration<RumourReply>
{
    public void Configure(EntityTypeBuilder<RumourReply> b)
    {
        b.Property(r => r.AuthorHandle).HasMaxLength(200);
        b.Property(r => r.QueuedByName).HasMaxLength(200);
        // Never twice to the same person about the same claim, whatever the race.
        b.HasIndex(r => new { r.ClaimId, r.ChannelId, r.AuthorHandle }).IsUnique();
        b.HasOne<RumourClaim>().WithMany().HasForeignKey(r => r.ClaimId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class QaSessionConfiguration : IEntityTypeConfiguration<QaSession>
{
    public void Configure(EntityTypeBuilder<QaSession> b)
    {
        b.Property(s => s.Title).HasMaxLength(QaSession.MaxTitleLength);
        b.Property(s => s.Hashtag).HasMaxLength(100);
        b.Property(s => s.Account).HasMaxLength(100);
        b.Property(s => s.ChannelIds).HasMaxLength(500);
        b.Property(s => s.CreatedByName).HasMaxLength(200);
        b.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId);
    }
}

internal sealed class QaQuestionConfiguration : IEntityTypeConfiguration<QaQuestion>
{
    public void Configure(EntityTypeBuilder<QaQuestion> b)
    {
        b.Property(q => q.AuthorHandle).HasMaxLength(200);
        b.HasIndex(q => new { q.SessionId, q.MessageId }).IsUnique();
        b.HasOne<QaSession>().WithMany().HasForeignKey(q => q.SessionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Message>().WithMany().HasForeignKey(q => q.MessageId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FaqEntryConfiguration : IEntityTypeConfiguration<FaqEntry>
{
    public void Configure(EntityTypeBuilder<FaqEntry> b)
    {
        b.Property(f => f.Question).HasMaxLength(FaqEntry.MaxQuestionLength);
        b.Property(f => f.Answer).HasMaxLength(FaqEntry.MaxAnswerLength);
        b.Property(f => f.Topic).HasMaxLength(FaqEntry.MaxTopicLength);
        b.Property(f => f.CreatedByName).HasMaxLength(200);
        b.HasIndex(f => new { f.OrganisationId, f.IsPublished, f.Topic });
        b.HasOne<Organisation>().WithMany().HasForeignKey(f => f.OrganisationId);
    }
}
