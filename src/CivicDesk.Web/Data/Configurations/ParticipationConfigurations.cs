using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

internal sealed class CitizenAccountConfiguration : IEntityTypeConfiguration<CitizenAccount>
{
    public void Configure(EntityTypeBuilder<CitizenAccount> b)
    {
        b.Property(a => a.Email).HasMaxLength(320);
        b.Property(a => a.DisplayName).HasMaxLength(60);
        b.Property(a => a.Postcode).HasMaxLength(10);
        b.HasIndex(a => new { a.OrganisationId, a.Email }).IsUnique();
        b.HasOne<Organisation>().WithMany().HasForeignKey(a => a.OrganisationId);
    }
}

internal sealed class CitizenSignInTokenConfiguration : IEntityTypeConfiguration<CitizenSignInToken>
{
    public void Configure(EntityTypeBuilder<CitizenSignInToken> b)
    {
        b.Property(t => t.Email).HasMaxLength(320);
        b.Property(t => t.TokenHash).HasMaxLength(64);
        b.Property(t => t.BrowserHash).HasMaxLength(64);
        b.Property(t => t.RequestedFrom).HasMaxLength(64);
        b.HasIndex(t => t.TokenHash).IsUnique();
        b.HasIndex(t => new { t.OrganisationId, t.Email, t.CreatedAt });
        b.HasOne<Organisation>().WithMany().HasForeignKey(t => t.OrganisationId);
    }
}

internal sealed class ChallengeConfiguration : IEntityTypeConfiguration<Challenge>
{
    public void Configure(EntityTypeBuilder<Challenge> b)
    {
        b.Property(c => c.Slug).HasMaxLength(80);
        b.Property(c => c.Title).HasMaxLength(200);
        b.Property(c => c.Question).HasMaxLength(500);
        b.Property(c => c.Background).HasMaxLength(20_000);
        b.Property(c => c.Hashtag).HasMaxLength(100);
        b.Property(c => c.PlaceName).HasMaxLength(200);
        b.Property(c => c.ResponseSummary).HasMaxLength(20_000);
        b.HasIndex(c => new { c.OrganisationId, c.Slug }).IsUnique();
        b.HasOne<Organisation>().WithMany().HasForeignKey(c => c.OrganisationId);
        b.HasOne<Team>().WithMany().HasForeignKey(c => c.OwnerTeamId);
        b.HasOne<ListeningSearch>().WithMany().HasForeignKey(c => c.ListeningSearchId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class ChallengeDocumentConfiguration : IEntityTypeConfiguration<ChallengeDocument>
{
    public void Configure(EntityTypeBuilder<ChallengeDocument> b)
    {
        b.Property(d => d.Title).HasMaxLength(200);
        b.Property(d => d.Url).HasMaxLength(2000);
        b.HasOne<Challenge>().WithMany().HasForeignKey(d => d.ChallengeId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class IdeaThemeConfiguration : IEntityTypeConfiguration<IdeaTheme>
{
    public void Configure(EntityTypeBuilder<IdeaTheme> b)
    {
        b.Property(t => t.Title).HasMaxLength(200);
        b.Property(t => t.Response).HasMaxLength(10_000);
        b.HasOne<Challenge>().WithMany().HasForeignKey(t => t.ChallengeId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class IdeaConfiguration : IEntityTypeConfiguration<Idea>
{
    public void Configure(EntityTypeBuilder<Idea> b)
    {
        b.Property(i => i.Title).HasMaxLength(150);
        b.Property(i => i.Text).HasMaxLength(5000);
        b.Property(i => i.PhotoFile).HasMaxLength(200);
        b.Property(i => i.PhotoContentType).HasMaxLength(100);
        b.Property(i => i.HiddenReason).HasMaxLength(100);
        b.Property(i => i.Response).HasMaxLength(10_000);
        b.HasIndex(i => new { i.OrganisationId, i.ChallengeId, i.State });
        b.HasIndex(i => new { i.ChallengeId, i.MessageId }).IsUnique();
        b.HasOne<Challenge>().WithMany().HasForeignKey(i => i.ChallengeId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<CitizenAccount>().WithMany().HasForeignKey(i => i.CitizenAccountId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<IdeaTheme>().WithMany().HasForeignKey(i => i.ThemeId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class IdeaSupportConfiguration : IEntityTypeConfiguration<IdeaSupport>
{
    public void Configure(EntityTypeBuilder<IdeaSupport> b)
    {
        // The rule "one support per citizen per idea" lives in the database, so it holds under concurrent clicks.
        b.HasIndex(s => new { s.IdeaId, s.CitizenAccountId }).IsUnique();
        b.HasOne<Idea>().WithMany().HasForeignKey(s => s.IdeaId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<CitizenAccount>().WithMany().HasForeignKey(s => s.CitizenAccountId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class IdeaCommentConfiguration : IEntityTypeConfiguration<IdeaComment>
{
    public void Configure(EntityTypeBuilder<IdeaComment> b)
    {
        b.Property(c => c.Text).HasMaxLength(2000);
        b.Property(c => c.HiddenReason).HasMaxLength(100);
        b.HasIndex(c => new { c.IdeaId, c.CreatedAt });
        b.HasOne<Idea>().WithMany().HasForeignKey(c => c.IdeaId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<IdeaComment>().WithMany().HasForeignKey(c => c.ParentCommentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<CitizenAccount>().WithMany().HasForeignKey(c => c.CitizenAccountId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class ContentReportConfiguration : IEntityTypeConfiguration<ContentReport>
{
    public void Configure(EntityTypeBuilder<ContentReport> b)
    {
        b.Property(r => r.Reason).HasMaxLength(100);
        b.Property(r => r.Detail).HasMaxLength(1000);
        b.HasIndex(r => new { r.OrganisationId, r.ResolvedAt });
        b.HasOne<Idea>().WithMany().HasForeignKey(r => r.IdeaId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<IdeaComment>().WithMany().HasForeignKey(r => r.CommentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<CitizenAccount>().WithMany().HasForeignKey(r => r.CitizenAccountId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class MapProjectConfiguration : IEntityTypeConfiguration<MapProject>
{
    public void Configure(EntityTypeBuilder<MapProject> b)
    {
        b.Property(p => p.Slug).HasMaxLength(80);
        b.Property(p => p.Title).HasMaxLength(200);
        b.Property(p => p.Description).HasMaxLength(5000);
        b.Property(p => p.AttributesJson).HasMaxLength(10_000);
        b.Property(p => p.CaseServiceCode).HasMaxLength(64);
        b.Property(p => p.Colour).HasMaxLength(7);
        b.HasIndex(p => new { p.OrganisationId, p.Slug }).IsUnique();
        b.HasOne<Organisation>().WithMany().HasForeignKey(p => p.OrganisationId);
        b.HasOne<Team>().WithMany().HasForeignKey(p => p.OwnerTeamId);
    }
}

internal sealed class MapFeatureConfiguration : IEntityTypeConfiguration<MapFeature>
{
    public void Configure(EntityTypeBuilder<MapFeature> b)
    {
        b.Property(f => f.GeometryJson).HasMaxLength(200_000);
        b.Property(f => f.AttributesJson).HasMaxLength(10_000);
        b.Property(f => f.PhotoFile).HasMaxLength(200);
        b.Property(f => f.PhotoContentType).HasMaxLength(100);
        b.Property(f => f.RejectedReason).HasMaxLength(500);
        b.Property(f => f.ExternalId).HasMaxLength(200);
        b.HasIndex(f => new { f.MapProjectId, f.State });
        b.HasOne<MapProject>().WithMany().HasForeignKey(f => f.MapProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<CitizenAccount>().WithMany().HasForeignKey(f => f.CitizenAccountId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Case>().WithMany().HasForeignKey(f => f.CaseId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class CaseEmailSubscriptionConfiguration : IEntityTypeConfiguration<CaseEmailSubscription>
{
    public void Configure(EntityTypeBuilder<CaseEmailSubscription> b)
    {
        b.Property(s => s.Email).HasMaxLength(320);
        b.Property(s => s.UnsubscribeToken).HasMaxLength(64);
        b.Property(s => s.StatusUrl).HasMaxLength(500);
        b.HasIndex(s => s.UnsubscribeToken).IsUnique();
        b.HasIndex(s => new { s.CaseId, s.Email }).IsUnique();
        b.HasOne<Case>().WithMany().HasForeignKey(s => s.CaseId).OnDelete(DeleteBehavior.Cascade);
    }
}
