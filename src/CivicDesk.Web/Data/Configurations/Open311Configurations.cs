using System.Text.Json;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Data.Configurations;

internal sealed class Open311JurisdictionConfiguration : IEntityTypeConfiguration<Open311Jurisdiction>
{
    public void Configure(EntityTypeBuilder<Open311Jurisdiction> b)
    {
        b.Property(j => j.JurisdictionId).HasMaxLength(100);
        b.Property(j => j.Contact).HasMaxLength(500);
        b.HasIndex(j => j.JurisdictionId).IsUnique();
        b.HasIndex(j => j.OrganisationId).IsUnique();
        b.HasOne<Organisation>().WithMany().HasForeignKey(j => j.OrganisationId);
    }
}

internal sealed class Open311ClientConfiguration : IEntityTypeConfiguration<Open311Client>
{
    public void Configure(EntityTypeBuilder<Open311Client> b)
    {
        b.Property(c => c.Name).HasMaxLength(120);
        b.Property(c => c.JurisdictionId).HasMaxLength(100);
        b.Property(c => c.KeyHash).HasMaxLength(64);
        b.Property(c => c.KeyPrefix).HasMaxLength(16);
        b.Property(c => c.Scopes).HasMaxLength(200);
        b.HasIndex(c => c.KeyHash).IsUnique();
        b.HasIndex(c => c.OrganisationId);
        b.HasOne<Organisation>().WithMany().HasForeignKey(c => c.OrganisationId);
    }
}

internal sealed class Open311ServiceAttributeConfiguration : IEntityTypeConfiguration<Open311ServiceAttribute>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<Open311ServiceAttribute> b)
    {
        b.Property(a => a.ServiceCode).HasMaxLength(64);
        b.Property(a => a.Code).HasMaxLength(64);
        b.Property(a => a.DatatypeDescription).HasMaxLength(500);
        b.Property(a => a.Description).HasMaxLength(1000);
        // A handful of choices per attribute, always read with it: one JSON text column, not a table.
        b.Property(a => a.Values)
            .HasConversion(
                v => JsonSerializer.Serialize(v, Json),
                s => JsonSerializer.Deserialize<List<Open311AttributeValue>>(s, Json) ?? new List<Open311AttributeValue>(),
                new ValueComparer<List<Open311AttributeValue>>(
                    (x, y) => x!.SequenceEqual(y!),
                    v => v.Aggregate(0, (h, e) => HashCode.Combine(h, e.GetHashCode())),
                    v => v.ToList()))
            .HasMaxLength(8000);
        b.HasIndex(a => new { a.OrganisationId, a.ServiceCode, a.Code }).IsUnique();
        b.HasOne<Organisation>().WithMany().HasForeignKey(a => a.OrganisationId);
        b.Ignore(a => a.IsList);
    }
}

internal sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> b)
    {
        b.Property(s => s.Url).HasMaxLength(2000);
        b.Property(s => s.ProtectedSecret).HasMaxLength(1000);
        b.Property(s => s.EventTypes).HasMaxLength(200);
        b.HasIndex(s => s.OrganisationId);
        b.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OrganisationId);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.Property(d => d.EventType).HasMaxLength(64);
        b.Property(d => d.Body).HasMaxLength(64_000);
        b.Property(d => d.LastError).HasMaxLength(500);
        // One delivery per event and subscription, however often the outbox is re-read.
        b.HasIndex(d => new { d.SubscriptionId, d.EventId }).IsUnique();
        b.HasIndex(d => new { d.Status, d.NextAttemptAt });
        b.HasIndex(d => new { d.OrganisationId, d.CreatedAt });
        b.HasOne<WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId);
    }
}

internal sealed class WebhookCursorConfiguration : IEntityTypeConfiguration<WebhookCursor>
{
    public void Configure(EntityTypeBuilder<WebhookCursor> b) => b.Property(c => c.Id).ValueGeneratedNever();
}
