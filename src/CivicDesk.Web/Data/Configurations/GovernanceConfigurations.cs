using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

internal sealed class RetentionPolicyConfiguration : IEntityTypeConfiguration<RetentionPolicy>
{
    public void Configure(EntityTypeBuilder<RetentionPolicy> b)
    {
        b.Property(p => p.DataClass).HasConversion<string>().HasMaxLength(32);
        b.Property(p => p.Action).HasConversion<string>().HasMaxLength(16);
        // One policy per class: the purge must never have to choose between two.
        b.HasIndex(p => new { p.OrganisationId, p.DataClass }).IsUnique();
    }
}

internal sealed class RetentionRunConfiguration : IEntityTypeConfiguration<RetentionRun>
{
    public void Configure(EntityTypeBuilder<RetentionRun> b) => b.HasIndex(r => new { r.OrganisationId, r.StartedAt });
}

internal sealed class SubjectRequestConfiguration : IEntityTypeConfiguration<SubjectRequest>
{
    public void Configure(EntityTypeBuilder<SubjectRequest> b)
    {
        b.Property(r => r.Reference).HasMaxLength(16);
        b.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(r => r.RequesterName).HasMaxLength(200);
        b.Property(r => r.Emails).HasMaxLength(2000);
        b.Property(r => r.Handles).HasMaxLength(2000);
        b.Property(r => r.Names).HasMaxLength(2000);
        b.Property(r => r.References).HasMaxLength(2000);
        b.Property(r => r.Outcome).HasMaxLength(4000);
        b.Property(r => r.CreatedByStaffId).HasMaxLength(450);
        b.HasIndex(r => new { r.OrganisationId, r.Reference }).IsUnique();
        b.HasIndex(r => new { r.OrganisationId, r.Status, r.DueAt });
    }
}

internal sealed class ListeningSearchChangeConfiguration : IEntityTypeConfiguration<ListeningSearchChange>
{
    public void Configure(EntityTypeBuilder<ListeningSearchChange> b)
    {
        b.Property(c => c.Change).HasMaxLength(1000);
        b.HasIndex(c => new { c.OrganisationId, c.ListeningSearchId, c.At });
    }
}

internal sealed class SocialAccountConfiguration : IEntityTypeConfiguration<SocialAccount>
{
    public void Configure(EntityTypeBuilder<SocialAccount> b)
    {
        b.Property(a => a.Network).HasMaxLength(32);
        b.Property(a => a.Handle).HasMaxLength(200);
        b.Property(a => a.Url).HasMaxLength(500);
        b.Property(a => a.Owners).HasMaxLength(500);
        b.Property(a => a.Deputy).HasMaxLength(200);
        b.Property(a => a.Purpose).HasMaxLength(1000);
        b.Property(a => a.Audience).HasMaxLength(500);
        b.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(a => a.CredentialHolder).HasMaxLength(200);
        b.HasIndex(a => new { a.OrganisationId, a.Network, a.Handle }).IsUnique();
    }
}

internal sealed class SocialAccountReviewConfiguration : IEntityTypeConfiguration<SocialAccountReview>
{
    public void Configure(EntityTypeBuilder<SocialAccountReview> b)
    {
        b.Property(r => r.Outcome).HasMaxLength(100);
        b.Property(r => r.Notes).HasMaxLength(2000);
        b.Property(r => r.ReviewedBy).HasMaxLength(200);
        b.HasIndex(r => new { r.OrganisationId, r.SocialAccountId, r.ReviewedOn });
    }
}

internal sealed class CuratorGrantConfiguration : IEntityTypeConfiguration<CuratorGrant>
{
    public void Configure(EntityTypeBuilder<CuratorGrant> b)
    {
        b.Property(g => g.CuratorId).HasMaxLength(450);
        b.Property(g => g.CuratorName).HasMaxLength(200);
        b.Property(g => g.Affiliation).HasMaxLength(200);
        b.Property(g => g.Note).HasMaxLength(CuratorGrant.MaxNoteLength);
        b.Property(g => g.GrantedById).HasMaxLength(450);
        b.Property(g => g.GrantedByName).HasMaxLength(200);
        b.Property(g => g.RevokedByName).HasMaxLength(200);
        b.HasOne<Channel>().WithMany().HasForeignKey(g => g.ChannelId).OnDelete(DeleteBehavior.Cascade);
        // Checked on every request a curator makes.
        b.HasIndex(g => new { g.CuratorId, g.EndsAt });
        b.HasIndex(g => new { g.OrganisationId, g.EndsAt });
    }
}

internal sealed class AccountReminderConfiguration : IEntityTypeConfiguration<AccountReminder>
{
    public void Configure(EntityTypeBuilder<AccountReminder> b)
    {
        b.Property(r => r.Key).HasMaxLength(64);
        b.Property(r => r.Text).HasMaxLength(300);
        b.HasOne<SocialAccount>().WithMany().HasForeignKey(r => r.SocialAccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(r => new { r.OrganisationId, r.SocialAccountId, r.Key }).IsUnique();
        b.HasIndex(r => new { r.OrganisationId, r.SentAt });
    }
}

internal sealed class PublishedPackConfiguration : IEntityTypeConfiguration<PublishedPack>
{
    public void Configure(EntityTypeBuilder<PublishedPack> b)
    {
        b.Property(p => p.Name).HasMaxLength(120);
        b.Property(p => p.Description).HasMaxLength(PublishedPack.MaxDescriptionLength);
        b.Property(p => p.Contents).HasMaxLength(500);
        b.Property(p => p.PublishedByName).HasMaxLength(200);
        b.HasIndex(p => new { p.OrganisationId, p.PublishedAt });
    }
}
