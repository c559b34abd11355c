using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

internal sealed class PublicationConfiguration : IEntityTypeConfiguration<Publication>
{
    public void Configure(EntityTypeBuilder<Publication> b)
    {
        b.Property(p => p.Text).HasMaxLength(Publication.MaxTextLength);
        b.Property(p => p.LinkUrl).HasMaxLength(2000);
        b.Property(p => p.Source).HasMaxLength(100);
        b.Property(p => p.CreatedById).HasMaxLength(450);
        b.Property(p => p.CreatedByName).HasMaxLength(200);
        b.HasIndex(p => new { p.OrganisationId, p.CreatedAt });
        b.HasIndex(p => new { p.OrganisationId, p.Source });
        b.HasMany(p => p.Images).WithOne().HasForeignKey(i => i.PublicationId);
        b.HasMany(p => p.Deliveries).WithOne().HasForeignKey(d => d.PublicationId);
        b.HasOne<Organisation>().WithMany().HasForeignKey(p => p.OrganisationId);
    }
}

internal sealed class PublicationImageConfiguration : IEntityTypeConfiguration<PublicationImage>
{
    public void Configure(EntityTypeBuilder<PublicationImage> b)
    {
        b.Property(i => i.FileName).HasMaxLength(200);
        b.Property(i => i.ContentType).HasMaxLength(100);
        b.Property(i => i.AltText).HasMaxLength(2000);
    }
}

internal sealed class PublicationDeliveryConfiguration : IEntityTypeConfiguration<PublicationDelivery>
{
    public void Configure(EntityTypeBuilder<PublicationDelivery> b)
    {
        b.Property(d => d.Text).HasMaxLength(Publication.MaxTextLength);
        b.Property(d => d.LastError).HasMaxLength(2000);
        b.Property(d => d.IdempotencyKey).HasMaxLength(64);
        b.Property(d => d.ClaimToken).HasMaxLength(64);
        b.Property(d => d.PartsJson).HasMaxLength(8000);
        b.Property(d => d.RemoteId).HasMaxLength(500);
        b.Property(d => d.RemoteUrl).HasMaxLength(2000);
        b.HasIndex(d => d.IdempotencyKey).IsUnique();
        b.HasIndex(d => new { d.PublicationId, d.ChannelId }).IsUnique();
        // The worker's "what is due" query, across organisations.
        b.HasIndex(d => new { d.State, d.NextAttemptAt });
        b.HasOne<Channel>().WithMany().HasForeignKey(d => d.ChannelId);
    }
}

internal sealed class NewsPostConfiguration : IEntityTypeConfiguration<NewsPost>
{
    public void Configure(EntityTypeBuilder<NewsPost> b)
    {
        b.Property(p => p.Slug).HasMaxLength(120);
        b.Property(p => p.Title).HasMaxLength(200);
        b.Property(p => p.Summary).HasMaxLength(600);
        b.Property(p => p.BodyMarkdown).HasMaxLength(NewsPost.MaxBodyLength);
        b.Property(p => p.Tags).HasMaxLength(1000);
        b.Property(p => p.WithdrawalReason).HasMaxLength(1000);
        b.Property(p => p.AuthorId).HasMaxLength(450);
        b.Property(p => p.AuthorName).HasMaxLength(200);
        b.Property(p => p.ChannelsJson).HasMaxLength(20_000);
        b.HasIndex(p => new { p.OrganisationId, p.Slug }).IsUnique();
        b.HasIndex(p => new { p.OrganisationId, p.Status, p.PublishedAt });
        b.HasMany(p => p.Images).WithOne().HasForeignKey(i => i.NewsPostId);
        b.HasMany(p => p.Changes).WithOne().HasForeignKey(c => c.NewsPostId);
        b.HasOne<Organisation>().WithMany().HasForeignKey(p => p.OrganisationId);
    }
}

internal sealed class NewsPostImageConfiguration : IEntityTypeConfiguration<NewsPostImage>
{
    public void Configure(EntityTypeBuilder<NewsPostImage> b)
    {
        b.Property(i => i.FileName).HasMaxLength(200);
        b.Property(i => i.ContentType).HasMaxLength(100);
        b.Property(i => i.AltText).HasMaxLength(2000);
    }
}

internal sealed class NewsPostChangeConfiguration : IEntityTypeConfiguration<NewsPostChange>
{
    public void Configure(EntityTypeBuilder<NewsPostChange> b)
    {
        b.Property(c => c.Note).HasMaxLength(1000);
        b.Property(c => c.ActorName).HasMaxLength(200);
    }
}
