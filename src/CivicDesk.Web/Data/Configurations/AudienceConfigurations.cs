using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

internal sealed class AccountAudienceSnapshotConfiguration : IEntityTypeConfiguration<AccountAudienceSnapshot>
{
    public void Configure(EntityTypeBuilder<AccountAudienceSnapshot> b)
    {
        b.Property(s => s.Source).HasMaxLength(200);
        // One figure per account and day: a rerun the same day replaces it.
        b.HasIndex(s => new { s.ChannelId, s.Day }).IsUnique();
        b.HasIndex(s => new { s.OrganisationId, s.Day });
        b.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId);
        b.HasOne<Channel>().WithMany().HasForeignKey(s => s.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PostReachSnapshotConfiguration : IEntityTypeConfiguration<PostReachSnapshot>
{
    public void Configure(EntityTypeBuilder<PostReachSnapshot> b)
    {
        b.Property(s => s.Source).HasMaxLength(200);
        b.HasIndex(s => new { s.PublicationDeliveryId, s.Day }).IsUnique();
        b.HasIndex(s => new { s.OrganisationId, s.Day });
        b.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId);
        b.HasOne<PublicationDelivery>().WithMany().HasForeignKey(s => s.PublicationDeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AudienceReadStateConfiguration : IEntityTypeConfiguration<AudienceReadState>
{
    public void Configure(EntityTypeBuilder<AudienceReadState> b)
    {
        b.Property(s => s.ClaimToken).HasMaxLength(64);
        b.Property(s => s.LastError).HasMaxLength(AudienceReadState.MaxErrorLength);
        b.HasIndex(s => s.ChannelId).IsUnique();
        b.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId);
        b.HasOne<Channel>().WithMany().HasForeignKey(s => s.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}
