using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Features.Places;

public sealed class GazetteerStreetConfiguration : IEntityTypeConfiguration<GazetteerStreet>
{
    public void Configure(EntityTypeBuilder<GazetteerStreet> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(GazetteerStreet.MaxNameLength);
        builder.Property(s => s.Locality).HasMaxLength(GazetteerStreet.MaxNameLength);
        builder.HasIndex(s => s.OrganisationId);
        builder.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}
