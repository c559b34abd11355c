using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

internal sealed class ReviewItemConfiguration : IEntityTypeConfiguration<ReviewItem>
{
    public void Configure(EntityTypeBuilder<ReviewItem> b)
    {
        b.Property(r => r.Kind).HasMaxLength(40);
        b.Property(r => r.SubjectId).HasMaxLength(64);
        b.Property(r => r.Title).HasMaxLength(200);
        b.Property(r => r.AuthorId).HasMaxLength(450);
        b.Property(r => r.AuthorName).HasMaxLength(200);
        b.Property(r => r.MentorId).HasMaxLength(450);
        b.Property(r => r.SubmittedText).HasMaxLength(ReviewItem.MaxTextLength);
        b.Property(r => r.ApprovedText).HasMaxLength(ReviewItem.MaxTextLength);
        b.Property(r => r.CoachingNote).HasMaxLength(ReviewItem.MaxNoteLength);
        b.Property(r => r.DecidedById).HasMaxLength(450);
        b.Property(r => r.DecidedByName).HasMaxLength(200);
        b.HasIndex(r => new { r.OrganisationId, r.Status, r.MentorId });
        b.HasIndex(r => new { r.OrganisationId, r.AuthorId, r.Status });
        b.HasIndex(r => new { r.OrganisationId, r.Kind, r.SubjectId });
        b.HasMany(r => r.Entries).WithOne().HasForeignKey(e => e.ReviewItemId);
        b.HasOne<Organisation>().WithMany().HasForeignKey(r => r.OrganisationId);
    }
}

internal sealed class ReviewEntryConfiguration : IEntityTypeConfiguration<ReviewEntry>
{
    public void Configure(EntityTypeBuilder<ReviewEntry> b)
    {
        b.Property(e => e.Action).HasMaxLength(40);
        b.Property(e => e.Text).HasMaxLength(ReviewItem.MaxTextLength);
        b.Property(e => e.Note).HasMaxLength(ReviewItem.MaxNoteLength);
        b.Property(e => e.ActorId).HasMaxLength(450);
        b.Property(e => e.ActorName).HasMaxLength(200);
    }
}
