using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

/// <summary>The organisation's working calendar settings (issue 5); the rest of Organisation is mapped in Configurations.cs.</summary>
internal sealed class OrganisationCalendarConfiguration : IEntityTypeConfiguration<Organisation>
{
    public void Configure(EntityTypeBuilder<Organisation> b)
    {
        b.Property(o => o.WorkingHours).HasMaxLength(200);
        b.Property(o => o.HolidayCalendar).HasMaxLength(32);
    }
}

internal sealed class SlaPolicyConfiguration : IEntityTypeConfiguration<SlaPolicy>
{
    public void Configure(EntityTypeBuilder<SlaPolicy> b)
    {
        b.Property(p => p.ServiceCode).HasMaxLength(64);
        b.Ignore(p => p.Specificity);
        b.HasIndex(p => new { p.OrganisationId, p.TeamId });
        b.HasOne<Organisation>().WithMany().HasForeignKey(p => p.OrganisationId);
        b.HasOne<Team>().WithMany().HasForeignKey(p => p.TeamId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReplyTemplateConfiguration : IEntityTypeConfiguration<ReplyTemplate>
{
    public void Configure(EntityTypeBuilder<ReplyTemplate> b)
    {
        b.Property(t => t.Name).HasMaxLength(ReplyTemplate.MaxNameLength);
        b.Property(t => t.Body).HasMaxLength(ReplyTemplate.MaxBodyLength);
        b.HasIndex(t => new { t.OrganisationId, t.TeamId, t.Name }).IsUnique();
        b.HasOne<Organisation>().WithMany().HasForeignKey(t => t.OrganisationId);
        b.HasOne<Team>().WithMany().HasForeignKey(t => t.TeamId).OnDelete(DeleteBehavior.Cascade);
    }
}
