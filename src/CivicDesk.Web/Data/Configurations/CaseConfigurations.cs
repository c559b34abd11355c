using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

internal sealed class CaseConfiguration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> b)
    {
        b.Property(c => c.Reference).HasMaxLength(32);
        b.Property(c => c.ServiceCode).HasMaxLength(64);
        b.Property(c => c.Title).HasMaxLength(200);
        b.Property(c => c.Description).HasMaxLength(Message.MaxTextLength);
        b.Property(c => c.Address).HasMaxLength(500);
        b.Property(c => c.RestrictedBy).HasMaxLength(32);
        b.Property(c => c.AssignedStaffId).HasMaxLength(450);
        b.Property(c => c.ExpectedByBasis).HasMaxLength(1000);
        b.Property(c => c.Open311Token).HasMaxLength(64);
        b.Property(c => c.ExternalReference).HasMaxLength(200);
        b.Ignore(c => c.IsOpen);
        b.HasIndex(c => c.Reference).IsUnique();
        b.HasIndex(c => c.Open311Token).IsUnique();
        b.HasIndex(c => new { c.OrganisationId, c.Status, c.CreatedAt });
        b.HasIndex(c => new { c.OrganisationId, c.ServiceCode, c.Status });
        b.HasIndex(c => new { c.OrganisationId, c.TeamId, c.Status });
        b.HasIndex(c => new { c.OrganisationId, c.UpdatedAt });
        // Open311 GET requests (newest first in a date window, any status): without it SQLite read every case of the
        // organisation and sorted them, 1.2 s at 87,357 cases (bench/README.md, session 12).
        b.HasIndex(c => new { c.OrganisationId, c.CreatedAt });
        // A page of a text search with more than CaseFilter.CountCap matches, highest priority or soonest due first, is
        // read along these (CaseFilter.SortedRuns); without them every match was looked up and sorted (70–205 ms for
        // "pothole" at 3 M messages, bench/README.md session 14).
        b.HasIndex(c => new { c.OrganisationId, c.Priority, c.CreatedAt, c.Id });
        b.HasIndex(c => new { c.OrganisationId, c.DueAt, c.Id });
        // Duplicate candidates: a case's service family, then a latitude range and the longitude checked in the index,
        // instead of every open case of the window (DuplicateFinder; bench/README.md, session 13).
        b.HasIndex(c => new { c.OrganisationId, c.ServiceCode, c.Latitude, c.Longitude });
        // Only the few cases whose assessment is pending are in it, so the worker's look-up stays cheap at any size.
        b.HasIndex(c => c.AssessmentDueAt).HasFilter("\"AssessmentDueAt\" IS NOT NULL");
        b.HasOne<Organisation>().WithMany().HasForeignKey(c => c.OrganisationId);
        b.HasOne<Team>().WithMany().HasForeignKey(c => c.TeamId);
        b.HasOne<StaffMember>().WithMany().HasForeignKey(c => c.AssignedStaffId);
        b.HasOne<Case>().WithMany().HasForeignKey(c => c.MergedIntoCaseId);
    }
}

internal sealed class CaseServiceConfiguration : IEntityTypeConfiguration<CaseService>
{
    public void Configure(EntityTypeBuilder<CaseService> b)
    {
        b.Property(s => s.Code).HasMaxLength(64);
        b.Property(s => s.Name).HasMaxLength(200);
        b.Property(s => s.Description).HasMaxLength(1000);
        b.Property(s => s.Group).HasMaxLength(120);
        b.Property(s => s.Keywords).HasMaxLength(500);
        b.HasIndex(s => new { s.OrganisationId, s.Code }).IsUnique();
        b.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId);
        b.HasOne<Team>().WithMany().HasForeignKey(s => s.TeamId);
    }
}

internal sealed class CaseUpdateConfiguration : IEntityTypeConfiguration<CaseUpdate>
{
    public void Configure(EntityTypeBuilder<CaseUpdate> b)
    {
        b.Property(u => u.Text).HasMaxLength(5000);
        b.Property(u => u.StaffId).HasMaxLength(450);
        b.Property(u => u.AuthorName).HasMaxLength(200);
        b.Property(u => u.ExternalUpdateId).HasMaxLength(200);
        b.Property(u => u.ExternalStatusCode).HasMaxLength(100);
        b.HasIndex(u => new { u.OrganisationId, u.CaseId, u.CreatedAt });
        // Idempotency for inbound updates: NULLs are distinct in a unique index on both providers.
        b.HasIndex(u => new { u.OrganisationId, u.ExternalUpdateId }).IsUnique();
        b.HasOne<Case>().WithMany().HasForeignKey(u => u.CaseId);
    }
}

internal sealed class CaseMessageConfiguration : IEntityTypeConfiguration<CaseMessage>
{
    public void Configure(EntityTypeBuilder<CaseMessage> b)
    {
        b.HasKey(m => new { m.CaseId, m.MessageId });
        b.Property(m => m.LinkedByStaffId).HasMaxLength(450);
        b.HasIndex(m => new { m.OrganisationId, m.MessageId });
        b.HasOne<Case>().WithMany().HasForeignKey(m => m.CaseId);
        b.HasOne<Message>().WithMany().HasForeignKey(m => m.MessageId);
    }
}

internal sealed class CaseReporterConfiguration : IEntityTypeConfiguration<CaseReporter>
{
    public void Configure(EntityTypeBuilder<CaseReporter> b)
    {
        b.Property(r => r.Name).HasMaxLength(200);
        b.Property(r => r.Email).HasMaxLength(320);
        b.Property(r => r.Phone).HasMaxLength(64);
        b.HasIndex(r => new { r.CaseId, r.ConversationId }).IsUnique();
        b.HasIndex(r => new { r.OrganisationId, r.ConversationId });
        b.HasOne<Case>().WithMany().HasForeignKey(r => r.CaseId);
        b.HasOne<Conversation>().WithMany().HasForeignKey(r => r.ConversationId);
    }
}

internal sealed class CasePhotoConfiguration : IEntityTypeConfiguration<CasePhoto>
{
    public void Configure(EntityTypeBuilder<CasePhoto> b)
    {
        b.Property(p => p.FileName).HasMaxLength(260);
        b.Property(p => p.ContentType).HasMaxLength(100);
        b.Property(p => p.StoredPath).HasMaxLength(500);
        b.Property(p => p.Url).HasMaxLength(1000);
        b.HasIndex(p => new { p.OrganisationId, p.CaseId });
        b.HasOne<Case>().WithMany().HasForeignKey(p => p.CaseId);
    }
}

internal sealed class CaseEventConfiguration : IEntityTypeConfiguration<CaseEvent>
{
    public void Configure(EntityTypeBuilder<CaseEvent> b)
    {
        b.HasIndex(e => new { e.OrganisationId, e.Id });
        b.HasOne<Case>().WithMany().HasForeignKey(e => e.CaseId);
    }
}

internal sealed class CaseDuplicateCandidateConfiguration : IEntityTypeConfiguration<CaseDuplicateCandidate>
{
    public void Configure(EntityTypeBuilder<CaseDuplicateCandidate> b)
    {
        b.Property(d => d.Reasons).HasMaxLength(2000);
        b.HasIndex(d => new { d.CaseId, d.CandidateCaseId }).IsUnique();
        b.HasOne<Case>().WithMany().HasForeignKey(d => d.CaseId);
        b.HasOne<Case>().WithMany().HasForeignKey(d => d.CandidateCaseId).OnDelete(DeleteBehavior.Restrict);
    }
}
