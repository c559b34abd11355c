using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

internal sealed class BenchmarkOptInConfiguration : IEntityTypeConfiguration<BenchmarkOptIn>
{
    public void Configure(EntityTypeBuilder<BenchmarkOptIn> b)
    {
        b.HasKey(o => o.OrganisationId);
        b.Property(o => o.OptedInById).HasMaxLength(450);
        b.Property(o => o.OptedInByName).HasMaxLength(256);
        b.HasOne<Organisation>().WithMany().HasForeignKey(o => o.OrganisationId);
    }
}

internal sealed class EngagementScoreSnapshotConfiguration : IEntityTypeConfiguration<EngagementScoreSnapshot>
{
    public void Configure(EntityTypeBuilder<EngagementScoreSnapshot> b)
    {
        b.HasKey(s => new { s.OrganisationId, s.Month });
        // Peers' percentiles read one month across organisations.
        b.HasIndex(s => s.Month);
        b.Property(s => s.ComponentsJson).HasMaxLength(2000);
        b.Property(s => s.MethodsVersion).HasMaxLength(32);
        b.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId);
    }
}

internal sealed class EngagementSigningKeyConfiguration : IEntityTypeConfiguration<EngagementSigningKey>
{
    public void Configure(EntityTypeBuilder<EngagementSigningKey> b)
    {
        b.HasKey(k => k.OrganisationId);
        b.Property(k => k.PublicKey).HasMaxLength(512);
        b.Property(k => k.Fingerprint).HasMaxLength(64);
        b.Property(k => k.ProtectedPrivateKey).HasMaxLength(4000);
        b.HasOne<Organisation>().WithMany().HasForeignKey(k => k.OrganisationId);
    }
}

internal sealed class EngagementPeerConfiguration : IEntityTypeConfiguration<EngagementPeer>
{
    public void Configure(EntityTypeBuilder<EngagementPeer> b)
    {
        b.Property(p => p.Fingerprint).HasMaxLength(64);
        b.Property(p => p.PublicKey).HasMaxLength(512);
        b.Property(p => p.Name).HasMaxLength(EngagementPeer.MaxNameLength);
        b.Property(p => p.Slug).HasMaxLength(EngagementPeer.MaxNameLength);
        b.Property(p => p.InstanceId).HasMaxLength(EngagementPeer.MaxNameLength);
        b.Property(p => p.MethodsVersion).HasMaxLength(32);
        b.Property(p => p.ImportedById).HasMaxLength(450);
        b.Property(p => p.ImportedByName).HasMaxLength(256);
        // One peer per signing key: a re-import replaces the older file.
        b.HasIndex(p => new { p.OrganisationId, p.Fingerprint }).IsUnique();
        b.HasMany(p => p.Months).WithOne().HasForeignKey(m => m.PeerId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Organisation>().WithMany().HasForeignKey(p => p.OrganisationId);
    }
}

internal sealed class EngagementPeerMonthConfiguration : IEntityTypeConfiguration<EngagementPeerMonth>
{
    public void Configure(EntityTypeBuilder<EngagementPeerMonth> b)
    {
        b.HasIndex(m => new { m.PeerId, m.Month }).IsUnique();
        b.Property(m => m.ComponentsJson).HasMaxLength(2000);
    }
}

internal sealed class InstanceIdentityConfiguration : IEntityTypeConfiguration<InstanceIdentity>
{
    public void Configure(EntityTypeBuilder<InstanceIdentity> b)
    {
        b.Property(i => i.Id).ValueGeneratedNever();
        b.Property(i => i.InstanceId).HasMaxLength(64);
    }
}
