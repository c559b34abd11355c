using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
public sealed record DemoMessagesResult(bool Seeded, int Count, TimeSpan Elapsed, string DataSource);

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
        var org = new Organisation { Slug = Slug, Name = Name, EmergencyAdvice = EmergencyAdvice, CreatedAt = now.AddDays(-options.Value.SpreadDays - 7) };
        db.Organisations.Add(org);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another process seeded it at the same moment (unique slug): theirs stands.
            logger.LogWarning("The demo organisation was created by another process; not seeding it again");
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
        db.Channels.AddRange(
            new Channel { OrganisationId = org.Id, Kind = ChannelKind.WebForm, Name = "Web form", CreatedAt = org.CreatedAt },
            new Channel { OrganisationId = org.Id, Kind = ChannelKind.Api, Name = "Ingest API", ApiKeyHash = ApiKeys.Hash(apiKey), CreatedAt = org.CreatedAt },
            new Channel
            {
                OrganisationId = org.Id, Kind = ChannelKind.Twitter, Name = "X (Twitter) – " + DemoData.DemoAccount,
                Account = DemoData.DemoAccount, CreatedAt = org.CreatedAt,
            });
        await db.SaveChangesAsync(ct);

        AddRoutingRules(org.Id, teams, now);
        Sla.SlaDemo.Add(db, org.Id, teams, now);   // service targets and reply templates (issue 5)
        db.GazetteerStreets.AddRange(Places.PlacesFeature.DemoStreets(data.Data, org.Id));
        var signInsCreated = await AddStaffAsync(org.Id, teams, now, ct);
        await DemoSignIns.WriteAsync(dataDirectory, signInsCreated, envKey is null ? apiKey : null, ct);
        audit.RecordAs(org.Id, null, SystemActor, "demo.seeded", "Organisation", org.Id, after: new
        {
            teams = teams.Count, channels = 3, rules = CategoryRules.Count + 2, staff = signInsCreated.Count,
        });
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Created the demo organisation {OrganisationId}", org.Id);
        return new DemoSeedResult(true, org.Id, signInsCreated, apiKey,
            envKey is not null ? $"from {ApiKeyVariable}" : $"generated now and stored hashed; also saved in {DemoSignIns.PathIn(dataDirectory)}");
    }

    /// <summary>
    /// The messages, once: submitted through the ingest pipeline (which must be running), then backdated and given some
    /// history. A marker event says it is done; an interrupted run is simply repeated (the pipeline skips posts it has).
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
        var channels = await db.Channels.AsNoTracking().Where(c => c.Kind == ChannelKind.WebForm || c.Kind == ChannelKind.Twitter)
            .OrderBy(c => c.Id).Select(c => new { c.Id, c.Kind }).ToListAsync(ct);
        var teams = await db.Teams.ToDictionaryAsync(t => t.Slug, ct);
        var emails = Staff.Select(s => s.Email).ToList();
        var members = await db.Users.Where(u => emails.Contains(u.Email!)).ToListAsync(ct);
        var staff = Staff.Join(members, s => s.Email, m => m.Email, (s, m) => new SeededStaff(m, s.Role, s.Team)).ToList();

        var seeded = await SubmitMessagesAsync(orgId, channels.First(c => c.Kind == ChannelKind.WebForm).Id,
            channels.First(c => c.Kind == ChannelKind.Twitter).Id, now, ct);
        var ingested = Stopwatch.GetElapsedTime(started);
        await BackdateAsync(orgId, ct);
        await MakeLivedInAsync(orgId, staff, teams, now, ct);
        // Cases from the seeded messages (Features/Cases). Looked up, not injected: the CLI host seeds without that feature.
        if (services.GetService<Cases.CaseDemoData>() is { } cases)
        {
            await cases.SeedAsync(orgId, ct);
        }

        audit.RecordAs(orgId, null, SystemActor, MessagesSeededAction, "Organisation", orgId,
            after: new { messages = seeded, dataSource = data.Data.IsSample ? "sample" : "shared datasets" });
        await db.SaveChangesAsync(ct);

        var elapsed = Stopwatch.GetElapsedTime(started);
        logger.LogInformation("Seeded {Messages} demo messages from {Source} in {Elapsed} ms (ingest {Ingest} ms, history {History} ms)",
            seeded, data.Data.IsSample ? "the built-in sample" : "the shared datasets", (long)elapsed.TotalMilliseconds,
            (long)ingested.TotalMilliseconds, (long)(elapsed - ingested).TotalMilliseconds);
        return new DemoMessagesResult(true, seeded, elapsed, data.Data.Source);
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
            var password = DemoSignIns.NewPassword();
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

    private async Task<int> SubmitMessagesAsync(long orgId, long webFormId, long xId, DateTime now, CancellationToken ct)
    {
        var random = new Random(20_261_121);
        var o = options.Value;
        var span = TimeSpan.FromDays(o.SpreadDays) - TimeSpan.FromHours(1);
        var start = now - TimeSpan.FromDays(o.SpreadDays);

        var reports = PickReports(data.Data.Reports, o.SeedReports, random);
        var reportPosts = reports.Select((r, i) => new InboundPost(
            ExternalId: "demo:" + r.Id,
            Text: r.Text,
            AuthorHandle: "web-form:" + ShortHash(r.Id, 8),
            CreatedAt: start + (span * ((i + random.NextDouble()) / reports.Count)),
            Latitude: r.Latitude,
            Longitude: r.Longitude,
            RawPayload: JsonSerializer.Serialize(new { demo = true, source = r.Id, description = r.Text, latitude = r.Latitude, longitude = r.Longitude }))).ToList();

        var social = data.Data.SocialPosts.OrderBy(_ => random.Next()).Take(o.SeedSocialPosts).ToList();
        var socialPosts = social.Select((p, i) => new InboundPost(
            ExternalId: "demo:" + p.Id,
            Text: p.Text,
            AuthorHandle: "@citizen" + ShortHash(p.Id, 6),
            CreatedAt: start + (span * ((i + random.NextDouble()) / social.Count)),
            RawPayload: JsonSerializer.Serialize(new { demo = true, source = p.Id, text = p.Text }))).ToList();

        var stored = 0;
        foreach (var chunk in reportPosts.Chunk(BatchSize))
        {
            stored += (await pipeline.SubmitAsync(new IngestBatch(orgId, webFormId, ChannelKind.WebForm, chunk), ct)).Accepted;
        }

        foreach (var chunk in socialPosts.Chunk(BatchSize))
        {
            stored += (await pipeline.SubmitAsync(new IngestBatch(orgId, xId, ChannelKind.Twitter, chunk), ct)).Accepted;
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

    /// <summary>The pipeline stamps conversations with the time it ran; make them match their (backdated) messages.</summary>
    private async Task BackdateAsync(long orgId, CancellationToken ct)
    {
        await db.Messages.Where(m => m.OrganisationId == orgId && m.Direction == MessageDirection.Inbound)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ReceivedAt, m => m.CreatedAt), ct);
        await db.Conversations.Where(c => c.OrganisationId == orgId)
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

    /// <summary>Replies, notes, assignments and resolutions on older conversations, so the inbox looks worked.</summary>
    private async Task MakeLivedInAsync(long orgId, List<SeededStaff> staff, Dictionary<string, Team> teams, DateTime now, CancellationToken ct)
    {
        var random = new Random(7);
        var conversations = await db.Conversations.Include(c => c.Channel)
            .Where(c => c.OrganisationId == orgId && c.CreatedAt < now.AddDays(-2))
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(ct);
        var lastInbound = await db.Messages.Where(m => m.OrganisationId == orgId && m.Direction == MessageDirection.Inbound)
            .GroupBy(m => m.ConversationId).Select(g => new { g.Key, ExternalId = g.OrderByDescending(m => m.Id).Select(m => m.ExternalId).First() })
            .ToDictionaryAsync(x => x.Key, x => x.ExternalId, ct);
        var teamSlugs = teams.Values.ToDictionary(t => t.Id, t => t.Slug);
        var fallback = staff.First(s => s.TeamSlug == "customer-services" && s.Role == Roles.Agent);
        var replies = new List<(Message Reply, DateTime At)>();

        foreach (var c in conversations)
        {
            var roll = random.NextDouble();
            var teamSlug = c.AssignedTeamId is { } t ? teamSlugs.GetValueOrDefault(t) : null;
            var worker = staff.FirstOrDefault(s => s.TeamSlug == teamSlug && s.Role is Roles.Agent or Roles.Comms) ?? fallback;
            var at = Min(c.CreatedAt.AddHours(2 + (random.NextDouble() * 46)), now.AddHours(-1));
            if (roll < 0.45)
            {
                c.AssignedStaffId = worker.Member.Id;
                audit.RecordAs(orgId, worker.Member.Id, worker.Member.DisplayName, "conversation.assigned", "Conversation", c.Id,
                    after: new { staff = worker.Member.Id });
            }

            if (roll < 0.30)
            {
                // Replied and resolved; a few closed for good after that.
                replies.Add((Reply(c, worker, lastInbound.GetValueOrDefault(c.Id), ResolvedText(c), at), at));
                Move(c, ConversationStatus.Resolved, at, worker, orgId);
                if (roll < 0.05)
                {
                    Move(c, ConversationStatus.Closed, Min(at.AddDays(3), now), worker, orgId);
                }
            }
            else if (roll < 0.38)
            {
                replies.Add((Reply(c, worker, lastInbound.GetValueOrDefault(c.Id), "Thanks for getting in touch. Could you tell us exactly where this is, for example the nearest house number or landmark?", at), at));
                Move(c, ConversationStatus.WaitingOnCitizen, at, worker, orgId);
            }
            else if (roll < 0.55)
            {
                Move(c, ConversationStatus.Open, at, worker, orgId);
            }

            if (roll is > 0.2 and < 0.5)
            {
                db.InternalNotes.Add(new InternalNote
                {
                    OrganisationId = orgId, ConversationId = c.Id, AuthorId = worker.Member.Id, AuthorName = worker.Member.DisplayName,
                    Text = Notes[random.Next(Notes.Length)], CreatedAt = at.AddMinutes(-30),
                });
                audit.RecordAs(orgId, worker.Member.Id, worker.Member.DisplayName, "note.added", "Conversation", c.Id);
            }
        }

        await db.SaveChangesAsync(ct);

        // Outbox rows need the replies' ids, so they follow in a second save: each reply was delivered.
        foreach (var (reply, at) in replies)
        {
            db.OutboundMessages.Add(new OutboundMessage
            {
                OrganisationId = orgId, ChannelId = reply.ChannelId, ConversationId = reply.ConversationId, MessageId = reply.Id,
                Status = OutboundStatus.Sent, Attempts = 1, QueuedAt = at, NextAttemptAt = at, SentAt = at.AddSeconds(2),
            });
        }

        await db.SaveChangesAsync(ct);
    }

    private Message Reply(Conversation c, SeededStaff worker, string? inReplyTo, string text, DateTime at)
    {
        var handle = c.Channel?.Account ?? Name;
        var message = new Message
        {
            OrganisationId = c.OrganisationId, ChannelId = c.ChannelId, Direction = MessageDirection.Outbound,
            ExternalId = "demo-reply:" + Guid.NewGuid().ToString("N"), AuthorHandle = handle, AuthorName = Name,
            Text = c.CitizenHandle.StartsWith('@') ? $"{c.CitizenHandle} {text}" : text,
            CreatedAt = at, ReceivedAt = at, InReplyTo = inReplyTo, SentByStaffId = worker.Member.Id,
        };
        c.Messages.Add(message);
        c.MessageCount++;
        c.FirstResponseAt ??= at;
        c.LastMessageAt = c.LastMessageAt > at ? c.LastMessageAt : at;
        audit.RecordAs(c.OrganisationId, worker.Member.Id, worker.Member.DisplayName, "reply.queued", "Conversation", c.Id);
        return message;
    }

    private void Move(Conversation c, ConversationStatus next, DateTime at, SeededStaff worker, long orgId)
    {
        var before = c.Status;
        c.MoveTo(next, at);
        audit.RecordAs(orgId, worker.Member.Id, worker.Member.DisplayName, "conversation.status-changed", "Conversation", c.Id,
            before: new { status = before.ToString() }, after: new { status = next.ToString() });
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

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static string ShortHash(string value, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..length];
}
