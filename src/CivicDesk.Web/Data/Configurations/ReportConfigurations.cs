using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

internal sealed class ReportScheduleConfiguration : IEntityTypeConfiguration<ReportSchedule>
{
    public void Configure(EntityTypeBuilder<ReportSchedule> b)
    {
        b.Property(s => s.StaffRecipientIds).HasMaxLength(ReportSchedule.MaxRecipients * 451);
        b.Property(s => s.EmailRecipients).HasMaxLength(ReportSchedule.MaxRecipients * (ReportSchedule.MaxEmailLength + 1));
        b.Property(s => s.CreatedBy).HasMaxLength(450);
        b.Property(s => s.LastError).HasMaxLength(1000);
        b.HasIndex(s => new { s.OrganisationId, s.IsEnabled });
        b.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId);
        // A team's schedule goes with the team: it must never fall back to the organisation's figures.
        b.HasOne<Team>().WithMany().HasForeignKey(s => s.TeamId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReportSettingsConfiguration : IEntityTypeConfiguration<ReportSettings>
{
    public void Configure(EntityTypeBuilder<ReportSettings> b)
    {
        b.HasKey(s => s.OrganisationId);
        b.Property(s => s.ChannelShiftService).HasMaxLength(ContactCentreDemand.MaxServiceLength);
        b.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId);
    }
}
