using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CivicDesk.Triage;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Demo;

/// <summary>What seeding did, for the start-up block and the CLI. Messages is null until they are seeded.</summary>
public sealed record DemoSeedResult(
    bool Created,
    long OrganisationId,
    IReadOnlyList<DemoSignIn> SignIns,
    string? ApiKeyToShow,
    string ApiKeyNote,
    DemoMessagesResult? Messages = null);

/// <summary>Seeded now (how many, how long, from where), or found already seeded.</summary>
public sealed record DemoMessagesResult(bool Seeded, int Count, TimeSpan Elapsed, string DataSource, string? Phases = null);

/// <summary>
/// Creates "Demo Borough Council" once: teams, staff of every role, channels, routing rules, and a few hundred messages
/// submitted through the ingest pipeline (so they are triaged and routed like any other), spread over recent weeks,
/// some replied to, noted and resolved. A second run finds the organisation and changes nothing (bar the API key, below).
/// </summary>
public sealed class DemoSeeder(
    CivicDeskDb db,
    OrganisationContext organisationContext,
    UserManager<StaffMember> users,
    RoleManager<IdentityRole> roles,
    AuditLog audit,
    IngestPipeline pipeline,
    DemoDataSource data,
    TimeProvider clock,
    IConfiguration configuration,
    IOptions<DemoOptions> options,
    IServiceProvider services,
    DemoSeedingProgress progress,
    ILogger<DemoSeeder> logger)
{
    public const string Slug = "demo";
    public const string Name = "Demo Borough Council";
    public const string ApiKeyVariable = "CIVICDESK_DEMO_API_KEY";
    public const string EmergencyAdvice =
        "If someone is in immediate danger, call 999. For gas leaks call the National Gas Emergency Service on 0800 111 999. " +
        "Out of hours for dangerous roads, trees or flooding call 01234 567890.";

    private const int BatchSize = 250;
    private const string SystemActor = "demo seed";
    private const string MessagesSeededAction = "demo.messages-seeded";

    /// <summary>External ids of the shared datasets' reports and posts (the corpus has <see cref="DemoCorpus.ExternalIdPrefix"/>).</summary>
    internal const string SharedDataPrefix = "demo:";

    /// <summary>Conversations worked per write transaction of the history (see <see cref="MakeLivedInAsync"/>).</summary>
    internal const int HistoryChunk = 200;

    internal sealed record TeamSpec(string Slug, string Name, string Description, bool IsDefault = false);

    /// <summary>The FixMyStreet service groups (see the dataset README) as teams, plus Communications and Customer Services.</summary>
    internal static readonly IReadOnlyList<TeamSpec> Teams =
    [
        new("customer-services", "Customer Services", "Contact centre: sees every conversation and picks up anything no rule claims.", IsDefault: true),
        new("highways", "Highways", "Road surfaces, potholes, pavements, roadworks and obstructions."),
        new("street-lighting", "Street Lighting", "Street lights and lit signs."),
        new("waste", "Waste & Street Cleansing", "Bins, recycling, fly-tipping, litter, graffiti and abandoned vehicles."),
        new("drainage", "Drainage", "Blocked drains, gullies and flooding."),
        new("trees-parks", "Trees & Parks", "Trees, hedges, verges, parks and open spaces."),
        new("rights-of-way", "Rights of Way", "Public footpaths, bridleways, stiles and gates."),
        new("parking-traffic", "Parking & Traffic", "Parking, traffic lights, crossings, signs and road markings."),
        new("communications", "Communications", "Press office and social media: rumours, campaigns and public statements."),
        new("emergency-planning", "Emergency Planning", "Civil contingencies: passes gas, water and electricity emergencies to the network operators and tells residents who to call."),
    ];

    /// <summary>
    /// Category → team. Parking, traffic signals and signs go to Parking &amp; Traffic rather than Highways: the demo has
    /// a team for them, and it shows routing spreading work. Order: keyword rule first, then kind, then categories.
    /// </summary>
    internal static readonly IReadOnlyList<(string Category, string Team)> CategoryRules =
    [
        ("highways_road_surface", "highways"),
        ("pavements_footways", "highways"),
        ("obstructions_roadworks", "highways"),
        ("street_lighting", "street-lighting"),
        ("flytipping", "waste"),
        ("bins_refuse_recycling", "waste"),
        ("street_cleaning_litter", "waste"),
        ("graffiti_flyposting", "waste"),
        ("abandoned_vehicles", "waste"),
        ("drainage_flooding", "drainage"),
        ("trees_vegetation", "trees-parks"),
        ("parks_open_spaces", "trees-parks"),
        ("public_rights_of_way", "rights-of-way"),
        ("parking", "parking-traffic"),
        ("traffic_signals_crossings", "parking-traffic"),
        ("signs_markings_street_furniture", "parking-traffic"),
        // The 17th FixMyStreet group: reports that fit no other group go to the contact centre explicitly.
        ("other", "customer-services"),
        // What triage's service rules recognise (CivicDesk.Triage.ServiceRules): the utility networks are not the
        // council's, but Emergency Planning liaises with their operators and tells residents who to call; anything
        // else that is not a council service goes to the contact centre, whose reply says who provides it.
        (ServiceRules.Gas, "emergency-planning"),
        (ServiceRules.Water, "emergency-planning"),
        (ServiceRules.Electricity, "emergency-planning"),
        (ServiceRules.OtherService, "customer-services"),
    ];

    /// <summary>The demo's channels besides the ingest API: the web form and one account on each network.</summary>
    internal static readonly IReadOnlyList<(ChannelKind Kind, string Name, string? Account)> SocialChannels =
    [
        (ChannelKind.WebForm, "Web form", null),
        (ChannelKind.Twitter, "X (Twitter) – " + DemoData.DemoAccount, DemoData.DemoAccount),
        (ChannelKind.Facebook, "Facebook – " + DemoCorpus.FacebookPage, DemoCorpus.FacebookPage),
        (ChannelKind.Bluesky, "Bluesky – " + DemoCorpus.BlueskyAccount, DemoCorpus.BlueskyAccount),
        (ChannelKind.Mastodon, "Mastodon – " + DemoCorpus.MastodonAccount, DemoCorpus.MastodonAccount),
    ];

    internal sealed record StaffSpec(string Name, string Email, string Role, string Team, bool SeesAll = false, string? MentorEmail = null);

    internal static readonly IReadOnlyList<StaffSpec> Staff =
    [
        new("Priya Shah", "priya.shah@demo-borough.example", Roles.Agent, "highways"),
        new("Tom Evans", "tom.evans@demo-borough.example", Roles.Agent, "waste"),
        new("Grace Mensah", "grace.mensah@demo-borough.example", Roles.TeamLead, "highways"),
        new("Owen Price", "owen.price@demo-borough.example", Roles.Comms, "communications"),
        new("Hannah Lewis", "hannah.lewis@demo-borough.example", Roles.Analyst, "customer-services"),
        new("Sam Taylor", "sam.taylor@demo-borough.example", Roles.Admin, "customer-services"),
        new("Aisha Begum", "aisha.begum@demo-borough.example", Roles.Agent, "customer-services"),
        // A trainee in the comms team: their replies and posts wait for Owen's review (issue 9).
        new("Leo Turner", "leo.turner@demo-borough.example", Roles.Trainee, "communications", MentorEmail: "owen.price@demo-borough.example"),
    ];

    /// <summary>The organisation with its messages: what <c>civicdesk seed --demo</c> does. Needs the ingest pipeline running.</summary>
    public async Task<DemoSeedResult> SeedAsync(CancellationToken ct)
    {
        var organisation = await SeedOrganisationAsync(ct);
        return organisation with { Messages = await SeedMessagesAsync(organisation.OrganisationId, ct) };
    }

    /// <summary>
    /// Organisation, teams, channels, rules and staff (no messages, so no ingest pipeline needed): at start-up before the
    /// host runs. Finds an existing demo organisation and only makes sure an API key from the environment works.
    /// </summary>
    public async Task<DemoSeedResult> SeedOrganisationAsync(CancellationToken ct)
    {
        var dataDirectory = DataDirectory.Resolve(configuration);
        var envKey = configuration[ApiKeyVariable] is { Length: > 0 } k ? k.Trim() : null;

        var existing = await db.Organisations.AsNoTracking().Where(o => o.Slug == Slug).Select(o => (long?)o.Id).FirstOrDefaultAsync(ct);
        if (existing is { } orgId)
        {
            SetOrganisation(orgId);
            await ApplyEnvironmentKeyAsync(orgId, envKey, ct);
            var (signIns, storedKey) = await DemoSignIns.ReadAsync(dataDirectory, ct);
            return new DemoSeedResult(false, orgId, signIns, envKey,
                envKey is not null ? $"from {ApiKeyVariable}"
                : storedKey is not null ? $"generated at first start and stored hashed; the key itself is in {DemoSignIns.PathIn(dataDirectory)}"
                : $"stored hashed only; set {ApiKeyVariable} or rotate the key on /admin/channels");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        // All of it in one write transaction: a start killed half-way leaves no organisation (rather than one with
        // teams but no staff, which the next start would take as seeded). Before the host runs, so nobody waits on it.
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var org = new Organisation { Slug = Slug, Name = Name, EmergencyAdvice = EmergencyAdvice, CreatedAt = now.AddDays(-Math.Max(options.Value.SpreadDays, options.Value.CorpusDays) - 14) };
        db.Organisations.Add(org);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another process seeded it at the same moment (unique slug): theirs stands.
            logger.LogWarning("The demo organisation was created by another process; not seeding it again");
            await tx.DisposeAsync();
            db.ChangeTracker.Clear();
            return await SeedOrganisationAsync(ct);
        }

        SetOrganisation(org.Id);
        var teams = Teams.Select(t => new Team
        {
            OrganisationId = org.Id, Slug = t.Slug, Name = t.Name, Description = t.Description,
            IsDefault = t.IsDefault, SeesAllConversations = t.IsDefault, CreatedAt = org.CreatedAt,
        }).ToDictionary(t => t.Slug);
        db.Teams.AddRange(teams.Values);

        var apiKey = envKey ?? ApiKeys.Generate();
        db.Channels.Add(new Channel { OrganisationId = org.Id, Kind = ChannelKind.Api, Name = "Ingest API", ApiKeyHash = ApiKeys.Hash(apiKey), CreatedAt = org.CreatedAt });
        db.Channels.AddRange(SocialChannels.Select(c => new Channel { OrganisationId = org.Id, Kind = c.Kind, Name = c.Name, Account = c.Account, CreatedAt = org.CreatedAt }));
        await db.SaveChangesAsync(ct);

        AddRoutingRules(org.Id, teams, now);
        DemoSla.Add(db, org.Id, teams, now);   // service targets and reply templates (issue 5)
        db.GazetteerStreets.AddRange(DemoStreets.For(data.Data, org.Id));
        var signInsCreated = await AddStaffAsync(org.Id, teams, now, ct);
        await DemoSignIns.WriteAsync(dataDirectory, signInsCreated, envKey is null ? apiKey : null, ct);
        audit.RecordAs(org.Id, null, SystemActor, "demo.seeded", "Organisation", org.Id, after: new
        {
            teams = teams.Count, channels = SocialChannels.Count + 1, rules = CategoryRules.Count + 2, staff = signInsCreated.Count,
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Created the demo organisation {OrganisationId}", org.Id);
        return new DemoSeedResult(true, org.Id, signInsCreated, apiKey,
            envKey is not null ? $"from {ApiKeyVariable}" : $"generated now and stored hashed; also saved in {DemoSignIns.PathIn(dataDirectory)}");
    }

    /// <summary>
    /// The messages, once: submitted through the ingest pipeline (which must be running), backdated, given a year of
    /// history, and made into cases. Every step commits in small transactions (<see cref="HistoryChunk"/> conversations
    /// at a time), so the API and the ingest pipeline write between them instead of queueing behind one long write
    /// lock, and every step skips what is already there, so a run killed at any point is finished by the next start.
    /// A marker event, written last, says it is all done.
    /// </summary>
    public async Task<DemoMessagesResult> SeedMessagesAsync(long orgId, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        SetOrganisation(orgId);
        if (await db.AuditEvents.AnyAsync(a => a.Action == MessagesSeededAction, ct))
        {
            return new DemoMessagesResult(false, 0, TimeSpan.Zero, data.Data.Source);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var channels = await EnsureChannelsAsync(orgId, ct);
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Slug, ct);
        var emails = Staff.Select(s => s.Email).ToList();
        var members = await db.Users.AsNoTracking().Where(u => emails.Contains(u.Email!)).ToListAsync(ct);
        var staff = Staff.Join(members, s => s.Email, m => m.Email, (s, m) => new SeededStaff(m, s.Role, s.Team)).ToList();
        var phases = new List<string>();
        var phase = Stopwatch.GetTimestamp();
        void Phase(string name)
        {
            phases.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name} {Stopwatch.GetElapsedTime(phase).TotalMilliseconds:0} ms"));
            phase = Stopwatch.GetTimestamp();
        }

        await SubmitMessagesAsync(orgId, channels, now, ct);
        Phase("ingest");
        await BackdateAsync(orgId, ct);
        Phase("backdate");
        var worked = await MakeLivedInAsync(orgId, staff, teams, now, ct);
        Phase($"history ({worked} conversations)");

        // Cases need the cases feature, which the CLI host does not register: looked up, not injected.
        if (services.GetService<Cases.CaseCommands>() is not null)
        {
            await services.GetRequiredService<DemoCases>().SeedAsync(orgId, ct);
            await progress.CommittedAsync(DemoSeedingProgress.Cases, 1, ct);
            Phase("cases");
        }

        // Counted, not summed from this run's submissions: a run that finishes an interrupted one resubmits posts the
        // pipeline already has.
        var seeded = await db.Messages.CountAsync(m => m.Direction == MessageDirection.Inbound
            && (m.ExternalId.StartsWith(DemoCorpus.ExternalIdPrefix) || m.ExternalId.StartsWith(SharedDataPrefix)), ct);
        audit.RecordAs(orgId, null, SystemActor, MessagesSeededAction, "Organisation", orgId,
            after: new { messages = seeded, dataSource = data.Data.IsSample ? "sample" : "shared datasets" });
        await db.SaveChangesAsync(ct);

        var elapsed = Stopwatch.GetElapsedTime(started);
        var summary = string.Join(", ", phases);
        logger.LogInformation("Seeded {Messages} demo messages from {Source} in {Elapsed} ms ({Phases})",
            seeded, data.Data.IsSample ? "the built-in sample" : "the shared datasets", (long)elapsed.TotalMilliseconds, summary);
        return new DemoMessagesResult(true, seeded, elapsed, data.Data.Source, summary);
    }

    private void SetOrganisation(long orgId)
    {
        if (organisationContext.OrganisationId != orgId)
        {
            organisationContext.Set(orgId);
        }
    }

    /// <summary>A key given in the environment always works, even when the organisation was seeded with another one.</summary>
    private async Task ApplyEnvironmentKeyAsync(long orgId, string? envKey, CancellationToken ct)
    {
        if (envKey is null)
        {
            return;
        }

        var hash = ApiKeys.Hash(envKey);
        var channel = await db.Channels.Where(c => c.Kind == ChannelKind.Api).OrderBy(c => c.Id).FirstOrDefaultAsync(ct);
        if (channel is null || channel.ApiKeyHash == hash)
        {
            return;
        }

        channel.ApiKeyHash = hash;
        audit.RecordAs(orgId, null, SystemActor, "channel.key-rotated", "Channel", channel.Id, after: new { reason = "set from " + ApiKeyVariable });
        await db.SaveChangesAsync(ct);
    }

    private void AddRoutingRules(long orgId, Dictionary<string, Team> teams, DateTime now)
    {
        var position = 1;
        // Keyword matching first: "pothole" is unambiguous whatever category triage picks.
        db.RoutingRules.Add(new RoutingRule
        {
            OrganisationId = orgId, Position = position++, Name = "Potholes to Highways", Keywords = "pothole, potholes, pot hole, pot holes",
            TeamId = teams["highways"].Id, UpdatedAt = now,
        });
        db.RoutingRules.Add(new RoutingRule
        {
            OrganisationId = orgId, Position = position++, Name = "Rumours to Communications", Kind = "rumour",
            TeamId = teams["communications"].Id, UpdatedAt = now,
        });
        foreach (var (category, team) in CategoryRules)
        {
            db.RoutingRules.Add(new RoutingRule
            {
                OrganisationId = orgId, Position = position++, Name = $"{category.Replace('_', ' ')} to {teams[team].Name}", Category = category,
                TeamId = teams[team].Id, UpdatedAt = now,
            });
        }
    }

    private sealed record SeededStaff(StaffMember Member, string Role, string TeamSlug);

    private async Task<List<DemoSignIn>> AddStaffAsync(long orgId, Dictionary<string, Team> teams, DateTime now, CancellationToken ct)
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        var seeded = new List<DemoSignIn>(Staff.Count);
        foreach (var spec in Staff)
        {
            ct.ThrowIfCancellationRequested();
            var password = Passwords.Generate();
            var member = new StaffMember
            {
                UserName = spec.Email, Email = spec.Email, EmailConfirmed = true, DisplayName = spec.Name, OrganisationId = orgId, CreatedAt = now,
            };
            member.Teams.Add(new TeamMembership { OrganisationId = orgId, StaffMemberId = member.Id, TeamId = teams[spec.Team].Id });
            var created = await users.CreateAsync(member, password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException("Could not create demo staff: " + string.Join("; ", created.Errors.Select(e => e.Description)));
            }

            await users.AddToRoleAsync(member, spec.Role);
            seeded.Add(new DemoSignIn(spec.Email, password, spec.Role, teams[spec.Team].Name));
        }

        foreach (var spec in Staff.Where(s => s.MentorEmail is not null))
        {
            var trainee = await users.FindByEmailAsync(spec.Email);
            var mentor = await users.FindByEmailAsync(spec.MentorEmail!);
            if (trainee is not null && mentor is not null)
            {
                trainee.MentorId = mentor.Id;
                await users.UpdateAsync(trainee);
            }
        }

        return seeded;
    }

    /// <summary>The demo's channels by kind; a demo seeded by an older version gets the ones it lacks.</summary>
    private async Task<Dictionary<ChannelKind, long>> EnsureChannelsAsync(long orgId, CancellationToken ct)
    {
        var existing = await db.Channels.AsNoTracking().OrderBy(c => c.Id).Select(c => new { c.Id, c.Kind }).ToListAsync(ct);
        var created = clock.GetUtcNow().UtcDateTime;
        foreach (var c in SocialChannels.Where(c => existing.All(e => e.Kind != c.Kind)))
        {
            db.Channels.Add(new Channel { OrganisationId = orgId, Kind = c.Kind, Name = c.Name, Account = c.Account, CreatedAt = created });
        }

        await db.SaveChangesAsync(ct);
        return (await db.Channels.AsNoTracking().OrderBy(c => c.Id).Select(c => new { c.Id, c.Kind }).ToListAsync(ct))
            .GroupBy(c => c.Kind).ToDictionary(g => g.Key, g => g.First().Id);
    }

    private async Task<int> SubmitMessagesAsync(long orgId, Dictionary<ChannelKind, long> channels, DateTime now, CancellationToken ct)
    {
        var random = new Random(20_261_121);
        var o = options.Value;
        var stored = 0;
        var batches = 0;

        // The shipped year-long corpus: on every machine.
        foreach (var group in DemoCorpus.Generate(now, o.CorpusMessages, o.CorpusDays).GroupBy(p => p.Channel))
        {
            foreach (var chunk in group.Select(p => p.Post).Chunk(BatchSize))
            {
                stored += (await pipeline.SubmitAsync(new IngestBatch(orgId, channels[group.Key], group.Key, chunk), ct)).Accepted;
                await progress.CommittedAsync(DemoSeedingProgress.Ingest, ++batches, ct);
            }
        }

        // With the shared research datasets (../shared/data), their reports and posts too; the built-in sample's
        // 40 reports are left to the live feed.
        if (data.Data.IsSample)
        {
            return stored;
        }

        var span = TimeSpan.FromDays(o.SpreadDays) - TimeSpan.FromHours(1);
        var start = now - TimeSpan.FromDays(o.SpreadDays);
        var reports = PickReports(data.Data.Reports, o.SeedReports, random);
        var reportPosts = reports.Select((r, i) => new InboundPost(
            ExternalId: SharedDataPrefix + r.Id,
            Text: r.Text,
            AuthorHandle: "web-form:" + ShortHash(r.Id, 8),
            CreatedAt: start + (span * ((i + random.NextDouble()) / reports.Count)),
            Latitude: r.Latitude,
            Longitude: r.Longitude,
            RawPayload: JsonSerializer.Serialize(new { demo = true, source = r.Id, description = r.Text, latitude = r.Latitude, longitude = r.Longitude }))).ToList();

        var social = data.Data.SocialPosts.OrderBy(_ => random.Next()).Take(o.SeedSocialPosts).ToList();
        var socialPosts = social.Select((p, i) => new InboundPost(
            ExternalId: SharedDataPrefix + p.Id,
            Text: p.Text,
            AuthorHandle: "@citizen" + ShortHash(p.Id, 6),
            CreatedAt: start + (span * ((i + random.NextDouble()) / social.Count)),
            RawPayload: JsonSerializer.Serialize(new { demo = true, source = p.Id, text = p.Text }))).ToList();

        foreach (var chunk in reportPosts.Chunk(BatchSize))
        {
            stored += (await pipeline.SubmitAsync(new IngestBatch(orgId, channels[ChannelKind.WebForm], ChannelKind.WebForm, chunk), ct)).Accepted;
            await progress.CommittedAsync(DemoSeedingProgress.Ingest, ++batches, ct);
        }

        foreach (var chunk in socialPosts.Chunk(BatchSize))
        {
            stored += (await pipeline.SubmitAsync(new IngestBatch(orgId, channels[ChannelKind.Twitter], ChannelKind.Twitter, chunk), ct)).Accepted;
            await progress.CommittedAsync(DemoSeedingProgress.Ingest, ++batches, ct);
        }

        return stored;
    }

    /// <summary>A few of every category first (so every team has work), then a random fill; ordered by original date.</summary>
    internal static List<DemoReport> PickReports(IReadOnlyList<DemoReport> all, int count, Random random)
    {
        var shuffled = all.OrderBy(_ => random.Next()).ToList();
        var picked = shuffled.GroupBy(r => r.Label ?? "").SelectMany(g => g.Take(4)).Take(count).ToList();
        var chosen = picked.Select(r => r.Id).ToHashSet();
        picked.AddRange(shuffled.Where(r => !chosen.Contains(r.Id)).Take(count - picked.Count));
        return picked.OrderBy(r => r.Date ?? DateTime.MaxValue).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The pipeline stamps conversations with the time it ran; make them match their (backdated) messages. Only the
    /// seeded messages, and only conversations nobody has worked yet (a second run must not undo the history's times).
    /// Two set-based statements, each its own short write.
    /// </summary>
    private async Task BackdateAsync(long orgId, CancellationToken ct)
    {
        await db.Messages.Where(m => m.OrganisationId == orgId && m.Direction == MessageDirection.Inbound && m.ReceivedAt != m.CreatedAt
                && (m.ExternalId.StartsWith(DemoCorpus.ExternalIdPrefix) || m.ExternalId.StartsWith(SharedDataPrefix)))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ReceivedAt, m => m.CreatedAt), ct);
        await db.Conversations.Where(c => c.OrganisationId == orgId && c.Status == ConversationStatus.New && c.FirstResponseAt == null
                && db.Messages.Any(m => m.ConversationId == c.Id
                    && (m.ExternalId.StartsWith(DemoCorpus.ExternalIdPrefix) || m.ExternalId.StartsWith(SharedDataPrefix))))
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.CreatedAt, c => db.Messages.Where(m => m.ConversationId == c.Id).Min(m => m.CreatedAt))
                .SetProperty(c => c.LastMessageAt, c => db.Messages.Where(m => m.ConversationId == c.Id).Max(m => m.CreatedAt))
                .SetProperty(c => c.UpdatedAt, c => db.Messages.Where(m => m.ConversationId == c.Id).Max(m => m.CreatedAt)), ct);
    }

    private static readonly string[] Notes =
    [
        "Inspector booked to look at this on Thursday.",
        "Looks like the same problem as another report on this street. Linking them.",
        "Asked the contractor for an update; they expect to attend this week.",
        "Photo checked: this meets our intervention level.",
        "Called the resident back, they were happy with the plan.",
        "Not ours: this is on private land. Replied with advice.",
    ];

    /// <summary>
    /// A year of work on the conversations nobody has touched yet: first replies in working hours (urgent ones within the
    /// hour, any time), resolutions days later depending on the problem, a backlog that grows towards today, notes and
    /// assignments, and threads closed a week after they were resolved. Times are what the SLA figures, the expected-by
    /// estimate and the dashboards read, so they follow how a council works rather than a uniform spread.
    /// <para>
    /// <see cref="HistoryChunk"/> conversations per write transaction: each holds the database's write lock for a
    /// fraction of a second, so API requests and the pipeline get in between (one transaction for the year held it for
    /// a minute and more, and they failed with "database is locked"). Each conversation's fate comes from a random
    /// generator seeded by its id, so a run that finishes an interrupted one decides exactly as the first would have,
    /// and a conversation once worked (no longer New) is never picked again.
    /// </para>
    /// </summary>
    /// <returns>How many conversations were worked (the rest stay New: the backlog).</returns>
    private async Task<int> MakeLivedInAsync(long orgId, List<SeededStaff> staff, Dictionary<string, Team> teams, DateTime now, CancellationToken ct)
    {
        var candidates = await db.Conversations.AsNoTracking()
            .Where(c => c.OrganisationId == orgId && c.Status == ConversationStatus.New && c.FirstResponseAt == null && c.CreatedAt < now.AddHours(-2))
            .OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(ct);
        var teamSlugs = teams.Values.ToDictionary(t => t.Id, t => t.Slug);
        var fallback = staff.First(s => s.TeamSlug == "customer-services" && s.Role == Roles.Agent);
        var worked = 0;
        var chunkNumber = 0;
        foreach (var ids in candidates.Chunk(HistoryChunk))
        {
            await using (var tx = await db.BeginWriteTransactionAsync(ct))
            {
                // Read again inside the transaction: another writer may have touched one since the list was made.
                var conversations = await db.Conversations.AsNoTracking().Include(c => c.Channel)
                    .Where(c => ids.Contains(c.Id) && c.Status == ConversationStatus.New && c.FirstResponseAt == null)
                    .OrderBy(c => c.Id).ToListAsync(ct);
                var lastInbound = (await db.Messages.AsNoTracking()
                        .Where(m => ids.Contains(m.ConversationId) && m.Direction == MessageDirection.Inbound)
                        .Select(m => new { m.ConversationId, m.Id, m.ExternalId }).ToListAsync(ct))
                    .GroupBy(m => m.ConversationId).ToDictionary(g => g.Key, g => g.MaxBy(m => m.Id)!.ExternalId);
                var history = new DemoHistory(MessageStore.ToMicroseconds(clock.GetUtcNow().UtcDateTime));
                foreach (var c in conversations)
                {
                    if (Work(c, new Random(unchecked((int)(c.Id * 2_654_435_761L))), lastInbound.GetValueOrDefault(c.Id), history))
                    {
                        history.Worked.Add(c);
                    }
                }

                await history.WriteAsync(db, ct);
                await tx.CommitAsync(ct);
                worked += history.Worked.Count;
            }

            await progress.CommittedAsync(DemoSeedingProgress.History, ++chunkNumber, ct);
        }

        return worked;

        bool Work(Conversation c, Random random, string? inReplyTo, DemoHistory history)
        {
            var latest = now.AddMinutes(-30);
            var age = now - c.CreatedAt;
            var roll = random.NextDouble();
            // (resolved, waiting on the citizen, open) shares by age: old work is mostly done, this week's is not.
            var (resolved, waiting, open) = age.TotalDays switch
            {
                > 21 => (0.86, 0.03, 0.07),
                > 5 => (0.55, 0.10, 0.20),
                > 1 => (0.22, 0.10, 0.30),
                _ => (0.05, 0.05, 0.20),
            };
            if (roll >= resolved + waiting + open)
            {
                return false; // still New: the backlog
            }

            var teamSlug = c.AssignedTeamId is { } t ? teamSlugs.GetValueOrDefault(t) : null;
            var worker = staff.FirstOrDefault(s => s.TeamSlug == teamSlug && s.Role is Roles.Agent or Roles.Comms)
                ?? (random.Next(3) == 0 ? staff.FirstOrDefault(s => s.TeamSlug == teamSlug) : null) ?? fallback;
            var first = c.IsUrgent || c.Priority == Priority.Urgent
                ? c.CreatedAt.AddMinutes(8 + random.Next(50))
                : WorkingTime(c.CreatedAt, random).AddMinutes(30 + random.Next(6 * 60));
            if (first > latest)
            {
                return false;
            }

            c.AssignedStaffId = worker.Member.Id;
            history.Event(worker.Member, "conversation.assigned", c.Id, after: new { staff = worker.Member.Id });
            history.Move(c, ConversationStatus.Open, first.AddMinutes(-2), worker.Member);

            if (roll < resolved)
            {
                var fixIn = c.IsUrgent ? TimeSpan.FromHours(2 + random.Next(10)) : TimeSpan.FromHours(FixHours(c.Category, random));
                var done = fixIn < TimeSpan.FromHours(6) ? first : WorkingTime(first + fixIn, random);
                if (done > latest)
                {
                    history.Reply(c, worker.Member, inReplyTo, Acknowledgement(c, teamSlug, teams), first);
                    return true;
                }

                if (done > first)
                {
                    history.Reply(c, worker.Member, inReplyTo, Acknowledgement(c, teamSlug, teams), first);
                }

                history.Reply(c, worker.Member, inReplyTo, ResolvedText(c), done);
                history.Move(c, ConversationStatus.Resolved, done, worker.Member);
                if (done.AddDays(7) < latest && random.NextDouble() < 0.6)
                {
                    history.Move(c, ConversationStatus.Closed, done.AddDays(7), worker.Member);
                }
            }
            else if (roll < resolved + waiting)
            {
                history.Reply(c, worker.Member, inReplyTo, "Thanks for getting in touch. Could you tell us exactly where this is, for example the nearest house number or landmark?", first);
                history.Move(c, ConversationStatus.WaitingOnCitizen, first, worker.Member);
            }
            else if (random.NextDouble() < 0.6)
            {
                history.Reply(c, worker.Member, inReplyTo, Acknowledgement(c, teamSlug, teams), first);
            }

            if (random.NextDouble() < 0.2)
            {
                history.Note(c, worker.Member, Notes[random.Next(Notes.Length)], first.AddMinutes(5));
            }

            return true;
        }
    }

    /// <summary>The next moment the council is working (Monday to Friday, 08:30 to 17:00), a little way into it.</summary>
    internal static DateTime WorkingTime(DateTime at, Random random)
    {
        var t = at;
        if (t.TimeOfDay >= new TimeSpan(17, 0, 0))
        {
            t = t.Date.AddDays(1).AddHours(8.5);
        }
        else if (t.TimeOfDay < new TimeSpan(8, 30, 0))
        {
            t = t.Date.AddHours(8.5);
        }

        while (t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            t = t.Date.AddDays(1).AddHours(8.5);
        }

        // Within the working day: never past 16:45.
        var room = Math.Max(0, (t.Date.AddHours(16.75) - t).TotalMinutes);
        return t.AddMinutes(random.NextDouble() * Math.Min(room, 90));
    }

    /// <summary>How long a fix takes, in hours, by kind of problem (questions are answered at once).</summary>
    private static double FixHours(string? category, Random random) => category switch
    {
        "highways_road_surface" or "pavements_footways" => 24 * (3 + random.Next(12)),
        "street_lighting" => 24 * (2 + random.Next(8)),
        "flytipping" or "street_cleaning_litter" or "graffiti_flyposting" => 24 * (1 + random.Next(4)),
        "bins_refuse_recycling" => 24 * (1 + random.Next(3)),
        "drainage_flooding" => 24 * (2 + random.Next(10)),
        "trees_vegetation" or "parks_open_spaces" or "public_rights_of_way" => 24 * (4 + random.Next(18)),
        null or "other" => 1 + random.Next(5),
        _ => 24 * (2 + random.Next(8)),
    };

    private static string Acknowledgement(Conversation c, string? teamSlug, Dictionary<string, Team> teams)
    {
        var team = teamSlug is not null && teams.TryGetValue(teamSlug, out var t) ? t.Name : "the right team";
        return $"Thank you for letting us know. We have passed this to {team} (reference {c.Reference}) and will update you when it is done.";
    }

    private static string ResolvedText(Conversation c) => c.Category switch
    {
        "highways_road_surface" or "pavements_footways" => "Thank you for your report. Our highways inspector has visited and a repair has been carried out.",
        "street_lighting" => "Thank you. Our lighting contractor has replaced the faulty lamp and the light is working again.",
        "flytipping" or "street_cleaning_litter" or "graffiti_flyposting" => "Thanks for letting us know. Our street cleansing crew has cleared this.",
        "bins_refuse_recycling" => "Sorry about the missed collection. The crew has been back and collected it.",
        "drainage_flooding" => "Thank you. The gully has been cleared and the drain is running freely again.",
        "trees_vegetation" or "parks_open_spaces" => "Thank you. Our parks and trees team has dealt with this.",
        _ => "Thank you for getting in touch. We have looked into this and dealt with it. Please contact us again if there is still a problem.",
    };

    private static string ShortHash(string value, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..length];
}
