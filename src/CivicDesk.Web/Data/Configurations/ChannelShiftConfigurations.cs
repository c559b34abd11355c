using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

internal sealed class ContactCentreDemandConfiguration : IEntityTypeConfiguration<ContactCentreDemand>
{
    public void Configure(EntityTypeBuilder<ContactCentreDemand> b)
    {
        b.Property(d => d.Service).HasMaxLength(ContactCentreDemand.MaxServiceLength);
        b.Property(d => d.ImportedBy).HasMaxLength(450);
        // One figure per day and service: a re-import replaces it.
        b.HasIndex(d => new { d.OrganisationId, d.Service, d.Date }).IsUnique();
        b.HasOne<Organisation>().WithMany().HasForeignKey(d => d.OrganisationId);
    }
}

internal sealed class ContactCostsConfiguration : IEntityTypeConfiguration<ContactCosts>
{
    public void Configure(EntityTypeBuilder<ContactCosts> b)
    {
        b.HasKey(c => c.OrganisationId);
        b.Property(c => c.Phone).HasPrecision(10, 2);
        b.Property(c => c.FaceToFace).HasPrecision(10, 2);
        b.Property(c => c.Web).HasPrecision(10, 2);
        b.Property(c => c.Social).HasPrecision(10, 2);
        b.HasOne<Organisation>().WithMany().HasForeignKey(c => c.OrganisationId);
    }
}
