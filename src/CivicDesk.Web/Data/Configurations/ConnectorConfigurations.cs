using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

internal sealed class ChannelConnectionConfiguration : IEntityTypeConfiguration<ChannelConnection>
{
    public void Configure(EntityTypeBuilder<ChannelConnection> b)
    {
        b.Property(c => c.SettingsJson).HasMaxLength(8000);
        b.Property(c => c.ProtectedSecrets).HasMaxLength(8000);
        b.Property(c => c.LastError).HasMaxLength(1000);
        b.HasIndex(c => c.ChannelId).IsUnique();
        b.HasIndex(c => new { c.OrganisationId, c.IsEnabled });
        b.HasOne<Channel>().WithMany().HasForeignKey(c => c.ChannelId);
    }
}

internal sealed class ConnectorCheckpointConfiguration : IEntityTypeConfiguration<ConnectorCheckpoint>
{
    public void Configure(EntityTypeBuilder<ConnectorCheckpoint> b)
    {
        b.HasKey(c => c.ChannelId);
        b.Property(c => c.ChannelId).ValueGeneratedNever();
        b.Property(c => c.Value).HasMaxLength(2000);
        b.HasOne<Channel>().WithMany().HasForeignKey(c => c.ChannelId);
    }
}

internal sealed class ListeningSearchConfiguration : IEntityTypeConfiguration<ListeningSearch>
{
    public void Configure(EntityTypeBuilder<ListeningSearch> b)
    {
        b.Property(s => s.Name).HasMaxLength(120);
        b.Property(s => s.Terms).HasMaxLength(ListeningSearch.MaxTermsLength);
        b.Property(s => s.PrivateReason).HasMaxLength(500);
        b.Property(s => s.Purpose).HasMaxLength(500);
        b.Property(s => s.LegalBasis).HasMaxLength(200);
        b.HasIndex(s => new { s.OrganisationId, s.IsEnabled });
        b.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId);
    }
}
