using System.Linq.Expressions;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CivicDesk.Web.Data;

/// <summary>
/// The one model. Every <see cref="IOrganisationOwned"/> row is filtered to the signed-in member's organisation by a
/// global query filter; with no organisation set nothing is visible. System work (ingest, seeding, audit verify)
/// sets <see cref="OrganisationContext"/> explicitly or calls <c>IgnoreQueryFilters()</c> on purpose.
/// </summary>
public abstract class CivicDeskDb(DbContextOptions options, OrganisationContext organisation) : IdentityDbContext<StaffMember>(options)
{
    public long? CurrentOrganisationId => organisation.OrganisationId;

    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMembership> TeamMemberships => Set<TeamMembership>();
    public DbSet<Channel> Channels => Set<Channel>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<InternalNote> InternalNotes => Set<InternalNote>();
    public DbSet<NoteMention> NoteMentions => Set<NoteMention>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();
    // Governance and privacy (issue 12)
    public DbSet<RetentionPolicy> RetentionPolicies => Set<RetentionPolicy>();
    public DbSet<RetentionRun> RetentionRuns => Set<RetentionRun>();
    public DbSet<SubjectRequest> SubjectRequests => Set<SubjectRequest>();
    public DbSet<ListeningSearchChange> ListeningSearchChanges => Set<ListeningSearchChange>();
    public DbSet<SocialAccount> SocialAccounts => Set<SocialAccount>();
    public DbSet<SocialAccountReview> SocialAccountReviews => Set<SocialAccountReview>();
    public DbSet<RoutingRule> RoutingRules => Set<RoutingRule>();
    public DbSet<OutboundMessage> OutboundMessages => Set<OutboundMessage>();
    public DbSet<ChannelConnection> ChannelConnections => Set<ChannelConnection>();
    public DbSet<ConnectorCheckpoint> ConnectorCheckpoints => Set<ConnectorCheckpoint>();
    public DbSet<ListeningSearch> ListeningSearches => Set<ListeningSearch>();
    // Service targets and reply templates (issue 5)
    public DbSet<SlaPolicy> SlaPolicies => Set<SlaPolicy>();
    public DbSet<ReplyTemplate> ReplyTemplates => Set<ReplyTemplate>();

    // Cases
    public DbSet<Case> Cases => Set<Case>();
    public DbSet<CaseService> CaseServices => Set<CaseService>();
    public DbSet<CaseUpdate> CaseUpdates => Set<CaseUpdate>();
    public DbSet<CaseMessage> CaseMessages => Set<CaseMessage>();
    public DbSet<CaseReporter> CaseReporters => Set<CaseReporter>();
    public DbSet<CasePhoto> CasePhotos => Set<CasePhoto>();
    public DbSet<CaseEvent> CaseEvents => Set<CaseEvent>();
    public DbSet<CaseDuplicateCandidate> CaseDuplicateCandidates => Set<CaseDuplicateCandidate>();

    // Open311 and webhooks (issue 5)
    public DbSet<Open311Jurisdiction> Open311Jurisdictions => Set<Open311Jurisdiction>();
    public DbSet<Open311Client> Open311Clients => Set<Open311Client>();
    public DbSet<Open311ServiceAttribute> Open311ServiceAttributes => Set<Open311ServiceAttribute>();
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookCursor> WebhookCursors => Set<WebhookCursor>();
    public DbSet<TriageFeedback> TriageFeedback => Set<TriageFeedback>();
    // Places (gazetteer)
    public DbSet<GazetteerStreet> GazetteerStreets => Set<GazetteerStreet>();

    public abstract DatabaseProvider Provider { get; }

    /// <summary>
    /// Saves, first sealing any new audit events into their organisation's hash chain. Appends are serialised in
    /// this process; a unique (organisation, sequence) clash with another process is retried on a fresh head.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var pending = ChangeTracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        if (pending.Count == 0)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        await AuditChain.Gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                foreach (var group in pending.GroupBy(e => e.OrganisationId))
                {
                    var head = await AuditEvents.IgnoreQueryFilters().AsNoTracking()
                        .Where(a => a.OrganisationId == group.Key)
                        .OrderByDescending(a => a.Sequence)
                        .Select(a => new { a.Sequence, a.Hash })
                        .FirstOrDefaultAsync(cancellationToken);
                    var (sequence, hash) = head is null ? (0L, AuditChain.Genesis) : (head.Sequence, head.Hash);
                    foreach (var e in group)
                    {
                        AuditChain.Seal(e, sequence, hash);
                        (sequence, hash) = (e.Sequence, e.Hash);
                    }
                }

                try
                {
                    return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
                }
                catch (DbUpdateException) when (attempt < 5)
                {
                    // Most likely another process took the same sequence number; re-read the head and try again.
                }
            }
        }
        finally
        {
            AuditChain.Gate.Release();
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(CivicDeskDb).Assembly);

        foreach (var entity in builder.Model.GetEntityTypes().Where(e => typeof(IOrganisationOwned).IsAssignableFrom(e.ClrType)))
        {
            typeof(CivicDeskDb).GetMethod(nameof(FilterByOrganisation), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .MakeGenericMethod(entity.ClrType).Invoke(this, [builder]);
        }

        // A message the network deleted is hidden from every read (inbox, thread, public pages, counts).
        builder.Entity<Message>().HasQueryFilter(m => m.OrganisationId == CurrentOrganisationId && m.DeletedAt == null);

        // Staff must be found by user name at sign-in, before any organisation is known: the filter is open
        // only when no organisation is set (anonymous sign-in), and closed to other organisations otherwise.
        builder.Entity<StaffMember>().HasQueryFilter(s => CurrentOrganisationId == null || s.OrganisationId == CurrentOrganisationId);
    }

    private void FilterByOrganisation<T>(ModelBuilder builder) where T : class, IOrganisationOwned
    {
        Expression<Func<T, bool>> filter = e => e.OrganisationId == CurrentOrganisationId;
        builder.Entity<T>().HasQueryFilter(filter);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // All instants are UTC; SQLite hands DateTime back as Unspecified, so say so on the way out.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class SqliteCivicDeskDb(DbContextOptions<SqliteCivicDeskDb> options, OrganisationContext organisation) : CivicDeskDb(options, organisation)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresCivicDeskDb(DbContextOptions<PostgresCivicDeskDb> options, OrganisationContext organisation) : CivicDeskDb(options, organisation)
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
