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
    public DbSet<CuratorGrant> CuratorGrants => Set<CuratorGrant>();
    public DbSet<AccountReminder> AccountReminders => Set<AccountReminder>();
    public DbSet<PublishedPack> PublishedPacks => Set<PublishedPack>();
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
    // Participation (issue 10): citizen accounts, challenges, crowd-maps, case email updates
    public DbSet<CitizenAccount> CitizenAccounts => Set<CitizenAccount>();
    public DbSet<CitizenSignInToken> CitizenSignInTokens => Set<CitizenSignInToken>();
    public DbSet<Challenge> Challenges => Set<Challenge>();
    public DbSet<ChallengeDocument> ChallengeDocuments => Set<ChallengeDocument>();
    public DbSet<IdeaTheme> IdeaThemes => Set<IdeaTheme>();
    public DbSet<Idea> Ideas => Set<Idea>();
    public DbSet<IdeaSupport> IdeaSupports => Set<IdeaSupport>();
    public DbSet<IdeaComment> IdeaComments => Set<IdeaComment>();
    public DbSet<ContentReport> ContentReports => Set<ContentReport>();
    public DbSet<MapProject> MapProjects => Set<MapProject>();
    public DbSet<MapFeature> MapFeatures => Set<MapFeature>();
    public DbSet<CaseEmailSubscription> CaseEmailSubscriptions => Set<CaseEmailSubscription>();
    // Places (gazetteer)
    public DbSet<GazetteerStreet> GazetteerStreets => Set<GazetteerStreet>();
    // Review queue for trainees (issue 9)
    public DbSet<ReviewItem> ReviewItems => Set<ReviewItem>();
    public DbSet<ReviewEntry> ReviewEntries => Set<ReviewEntry>();
    // Publishing and the newsroom (issue 9)
    public DbSet<Publication> Publications => Set<Publication>();
    public DbSet<PublicationImage> PublicationImages => Set<PublicationImage>();
    public DbSet<PublicationDelivery> PublicationDeliveries => Set<PublicationDelivery>();
    public DbSet<NewsPost> NewsPosts => Set<NewsPost>();
    public DbSet<NewsPostImage> NewsPostImages => Set<NewsPostImage>();
    public DbSet<NewsPostChange> NewsPostChanges => Set<NewsPostChange>();
    // Dashboards (issue 11): aggregates maintained by the aggregate worker from trigger-captured dirty hours
    public DbSet<HourlyMessageCount> HourlyMessageCounts => Set<HourlyMessageCount>();
    public DbSet<DailyMessageCount> DailyMessageCounts => Set<DailyMessageCount>();
    public DbSet<DailyTopicCount> DailyTopicCounts => Set<DailyTopicCount>();
    public DbSet<WeeklyTopicCount> WeeklyTopicCounts => Set<WeeklyTopicCount>();
    public DbSet<WeeklyMessageCount> WeeklyMessageCounts => Set<WeeklyMessageCount>();
    public DbSet<DailyOrganisationTopicCount> DailyOrganisationTopicCounts => Set<DailyOrganisationTopicCount>();
    public DbSet<WeeklyOrganisationTopicCount> WeeklyOrganisationTopicCounts => Set<WeeklyOrganisationTopicCount>();
    public DbSet<MonthlyOrganisationTopicCount> MonthlyOrganisationTopicCounts => Set<MonthlyOrganisationTopicCount>();
    public DbSet<MonthlyMessageCount> MonthlyMessageCounts => Set<MonthlyMessageCount>();
    public DbSet<DailyResponseTime> DailyResponseTimes => Set<DailyResponseTime>();
    public DbSet<HourlyOpenConversation> HourlyOpenConversations => Set<HourlyOpenConversation>();
    public DbSet<AggregateDirtyHour> AggregateDirtyHours => Set<AggregateDirtyHour>();
    public DbSet<ContactCentreDemand> ContactCentreDemand => Set<ContactCentreDemand>();
    public DbSet<ContactCosts> ContactCosts => Set<ContactCosts>();
    // Engagement Index benchmarking and signed exchange (issue 11)
    public DbSet<BenchmarkOptIn> BenchmarkOptIns => Set<BenchmarkOptIn>();
    public DbSet<EngagementScoreSnapshot> EngagementScoreSnapshots => Set<EngagementScoreSnapshot>();
    public DbSet<EngagementSigningKey> EngagementSigningKeys => Set<EngagementSigningKey>();
    public DbSet<EngagementPeer> EngagementPeers => Set<EngagementPeer>();
    public DbSet<EngagementPeerMonth> EngagementPeerMonths => Set<EngagementPeerMonth>();
    public DbSet<InstanceIdentity> InstanceIdentities => Set<InstanceIdentity>();
    // Audience and reach per account (issue 11 part 5): daily snapshots read from the networks
    public DbSet<AccountAudienceSnapshot> AccountAudienceSnapshots => Set<AccountAudienceSnapshot>();
    public DbSet<PostReachSnapshot> PostReachSnapshots => Set<PostReachSnapshot>();
    public DbSet<AudienceReadState> AudienceReadStates => Set<AudienceReadState>();
    public DbSet<ReportSchedule> ReportSchedules => Set<ReportSchedule>();
    public DbSet<ReportSettings> ReportSettings => Set<ReportSettings>();
    // Incidents, rumours, Q&A sessions and the FAQ (issue 9)
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<IncidentUpdate> IncidentUpdates => Set<IncidentUpdate>();
    public DbSet<RumourClaim> RumourClaims => Set<RumourClaim>();
    public DbSet<RumourSighting> RumourSightings => Set<RumourSighting>();
    public DbSet<RumourReply> RumourReplies => Set<RumourReply>();
    public DbSet<QaSession> QaSessions => Set<QaSession>();
    public DbSet<QaQuestion> QaQuestions => Set<QaQuestion>();
    public DbSet<FaqEntry> FaqEntries => Set<FaqEntry>();

    public abstract DatabaseProvider Provider { get; }

    // True while this context holds AuditChain.Gate for a transaction begun by BeginWriteTransactionAsync: the audited
    // SaveChanges inside it must not wait for the gate again (SemaphoreSlim is not re-entrant).
    private bool _holdsAuditGate;

    /// <summary>
    /// Begins a transaction that may append audit events, taking <see cref="AuditChain.Gate"/> first. Always use this
    /// instead of <c>Database.BeginTransactionAsync</c> for writes: a transaction that writes (on SQLite, the
    /// database-wide write lock) and only then waits for the gate in an audited SaveChanges deadlocks against the
    /// ingest pipeline, which holds the gate and waits for the write lock, until SQLite's busy timeout fails one of
    /// them with "database is locked". Gate first, then the database, everywhere: the order cannot invert.
    /// </summary>
    /// <summary>
    /// True while this context has a transaction from <see cref="BeginWriteTransactionAsync"/> open: a service called
    /// inside someone else's unit of work (a review approval publishing a post) joins it instead of beginning its own.
    /// </summary>
    public bool HasWriteTransaction => _holdsAuditGate;

    public async Task<WriteTransaction> BeginWriteTransactionAsync(CancellationToken ct)
    {
        if (_holdsAuditGate)
        {
            throw new InvalidOperationException("A write transaction is already open on this context.");
        }

        await AuditChain.Gate.WaitAsync(ct);
        try
        {
            var tx = await Database.BeginTransactionAsync(ct);
            _holdsAuditGate = true;
            return new WriteTransaction(this, tx);
        }
        catch
        {
            AuditChain.Gate.Release();
            throw;
        }
    }

    /// <summary>A transaction holding the audit gate until it is disposed (committed or not).</summary>
    public sealed class WriteTransaction : IAsyncDisposable
    {
        private readonly CivicDeskDb _db;
        private readonly Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction _tx;
        private bool _disposed;

        internal WriteTransaction(CivicDeskDb db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx) => (_db, _tx) = (db, tx);

        public Task CommitAsync(CancellationToken ct) => _tx.CommitAsync(ct);

        public Task RollbackAsync(CancellationToken ct) => _tx.RollbackAsync(ct);

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                await _tx.DisposeAsync();
            }
            finally
            {
                _db._holdsAuditGate = false;
                AuditChain.Gate.Release();
            }
        }
    }

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

        // Inside BeginWriteTransactionAsync the gate is already ours; anywhere else take it for this save only.
        var takeGate = !_holdsAuditGate;
        if (takeGate)
        {
            await AuditChain.Gate.WaitAsync(cancellationToken);
        }

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
            if (takeGate)
            {
                AuditChain.Gate.Release();
            }
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

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // Ingest updates a conversation's counters and times with every batch that reaches it. With room left on each
        // page, and no index holding the columns it changes, PostgreSQL rewrites the row in place (a heap-only
        // update) instead of adding an entry to every one of the table's indexes.
        builder.Entity<Conversation>().HasStorageParameter("fillfactor", 85);
    }
}
