using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Features.Demo;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Platform;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Tests.Demo;

public sealed class DemoSeedingTests : IClassFixture<DemoFactory>
{
    private readonly DemoFactory _factory;

    public DemoSeedingTests(DemoFactory factory) => _factory = factory;

    /// <summary>The demo organisation, once its messages are seeded (they follow the host's start, in the background).</summary>
    private async Task<long> DemoOrganisationIdAsync()
    {
        var seeded = await _factory.Services.GetRequiredService<DemoStartup>().Completion.WaitAsync(TimeSpan.FromMinutes(6));
        seeded.Messages.ShouldNotBeNull();
        return seeded.OrganisationId;
    }

    [Fact]
    public async Task Demo_organisation_has_its_teams_channels_and_emergency_advice()
    {
        var orgId = await DemoOrganisationIdAsync();
        await using var scope = _factory.ScopeFor(orgId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();

        var org = await db.Organisations.SingleAsync(o => o.Id == orgId);
        org.Name.ShouldBe("Demo Borough Council");
        org.EmergencyAdvice.ShouldContain("0800 111 999");
        var teams = await db.Teams.ToListAsync();
        teams.Select(t => t.Name).ShouldBe(
            ["Customer Services", "Highways", "Street Lighting", "Waste & Street Cleansing", "Drainage", "Trees & Parks", "Rights of Way", "Parking & Traffic", "Communications", "Emergency Planning"],
            ignoreOrder: true);
        var defaultTeam = teams.Single(t => t.IsDefault);
        defaultTeam.Name.ShouldBe("Customer Services");
        defaultTeam.SeesAllConversations.ShouldBeTrue();

        var channels = await db.Channels.ToListAsync();
        channels.Select(c => c.Kind).ShouldBe([ChannelKind.WebForm, ChannelKind.Api, ChannelKind.Twitter, ChannelKind.Facebook, ChannelKind.Bluesky, ChannelKind.Mastodon], ignoreOrder: true);
        channels.Single(c => c.Kind == ChannelKind.Twitter).Name.ShouldBe("X (Twitter) – @DemoBoroughCncl");
    }

    [Fact]
    public async Task Routing_rules_put_the_keyword_rule_first_and_map_categories_to_teams()
    {
        var orgId = await DemoOrganisationIdAsync();
        await using var scope = _factory.ScopeFor(orgId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var rules = await db.RoutingRules.Include(r => r.Team).OrderBy(r => r.Position).ToListAsync();

        rules[0].Keywords!.ShouldContain("pothole");
        rules[0].Team!.Name.ShouldBe("Highways");
        rules.Single(r => r.Kind == "rumour").Team!.Name.ShouldBe("Communications");
        string TeamFor(string category) => rules.Single(r => r.Category == category).Team!.Name;
        TeamFor("highways_road_surface").ShouldBe("Highways");
        TeamFor("obstructions_roadworks").ShouldBe("Highways");
        TeamFor("street_lighting").ShouldBe("Street Lighting");
        TeamFor("flytipping").ShouldBe("Waste & Street Cleansing");
        TeamFor("abandoned_vehicles").ShouldBe("Waste & Street Cleansing");
        TeamFor("drainage_flooding").ShouldBe("Drainage");
        TeamFor("parks_open_spaces").ShouldBe("Trees & Parks");
        TeamFor("public_rights_of_way").ShouldBe("Rights of Way");
        TeamFor("parking").ShouldBe("Parking & Traffic");
        TeamFor("traffic_signals_crossings").ShouldBe("Parking & Traffic");
        TeamFor("utilities_gas").ShouldBe("Emergency Planning");
        TeamFor("utilities_water").ShouldBe("Emergency Planning");
        TeamFor("utilities_electricity").ShouldBe("Emergency Planning");
        TeamFor("other_service").ShouldBe("Customer Services");
        rules.Select(r => r.Position).ShouldBe(Enumerable.Range(1, rules.Count));
    }

    [Fact]
    public async Task Staff_of_every_role_can_sign_in_with_the_stored_passwords()
    {
        await DemoOrganisationIdAsync();
        var (signIns, apiKey) = await DemoSignIns.ReadAsync(_factory.DataDirectory, default);

        signIns.Count.ShouldBe(8);
        signIns.Select(s => s.Role).Distinct().ShouldBe(Roles.All, ignoreOrder: true);
        signIns.ShouldContain(s => s.Role == Roles.Agent && s.Team == "Highways");
        signIns.ShouldContain(s => s.Role == Roles.Agent && s.Team == "Waste & Street Cleansing");
        signIns.ShouldContain(s => s.Role == Roles.Agent && s.Team == "Customer Services");
        signIns.ShouldContain(s => s.Role == Roles.TeamLead && s.Team == "Highways");
        signIns.ShouldContain(s => s.Role == Roles.Comms && s.Team == "Communications");
        // The key came from the environment, so the file does not repeat it.
        apiKey.ShouldBeNull();
        foreach (var s in signIns)
        {
            s.Password.Length.ShouldBeGreaterThanOrEqualTo(20);
            (await StaffClient.SignInAsync(_factory, s.Email, s.Password)).ShouldNotBeNull();
        }
    }

    [Fact]
    public async Task Messages_come_from_the_shared_data_through_the_pipeline_without_personal_details()
    {
        var orgId = await DemoOrganisationIdAsync();
        await using var scope = _factory.ScopeFor(orgId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var inbound = await db.Messages.Where(m => m.Direction == MessageDirection.Inbound && m.ExternalId.StartsWith("demo:")).ToListAsync();
        var webForm = await db.Channels.SingleAsync(c => c.Kind == ChannelKind.WebForm);
        var x = await db.Channels.SingleAsync(c => c.Kind == ChannelKind.Twitter);

        // Five reports (the sixth carries a phone number and is left out), two tweets (the retail one is off-topic).
        inbound.Where(m => m.ChannelId == webForm.Id).Select(m => m.Text).ShouldBe(DemoFactory.Reports.Take(5).Select(r => r.Text), ignoreOrder: true);
        var tweets = inbound.Where(m => m.ChannelId == x.Id).ToList();
        tweets.Count.ShouldBe(2);
        tweets.ShouldAllBe(t => t.Text.StartsWith("@DemoBoroughCncl ") && t.AuthorHandle.StartsWith("@citizen"));
        tweets.ShouldContain(t => t.Text == "@DemoBoroughCncl the 8.24 is late again, third day running");
        inbound.ShouldAllBe(m => m.TriageScores != null && m.RoutingReason != null);
        inbound.ShouldNotContain(m => m.Text.Contains("07700"));

        // Spread over the last few weeks, and the conversations agree with their messages.
        var now = DateTime.UtcNow;
        inbound.Min(m => m.CreatedAt).ShouldBeLessThan(now.AddDays(-7));
        inbound.ShouldAllBe(m => m.CreatedAt <= now && m.ReceivedAt == m.CreatedAt);
        var ids = inbound.Select(m => m.ConversationId).ToList();
        var conversations = await db.Conversations.Where(c => ids.Contains(c.Id)).ToListAsync();
        conversations.ShouldAllBe(c => c.CreatedAt < now.AddMinutes(-30) && c.CreatedAt == inbound.Where(m => m.ConversationId == c.Id).Min(m => m.CreatedAt));
    }

    [Fact]
    public async Task The_inbox_looks_worked_and_the_audit_chain_holds()
    {
        var orgId = await DemoOrganisationIdAsync();
        await using var scope = _factory.ScopeFor(orgId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();

        (await db.Conversations.CountAsync(c => c.Status != ConversationStatus.New)).ShouldBeGreaterThan(0);
        var sent = await db.OutboundMessages.Where(o => o.Status == OutboundStatus.Sent).ToListAsync();
        foreach (var o in sent)
        {
            var reply = await db.Messages.SingleAsync(m => m.Id == o.MessageId);
            reply.Direction.ShouldBe(MessageDirection.Outbound);
            reply.ConversationId.ShouldBe(o.ConversationId);
        }

        (await db.AuditEvents.AnyAsync(a => a.Action == "demo.seeded")).ShouldBeTrue();
        var verification = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(orgId, default);
        verification.IsIntact.ShouldBeTrue();
    }

    [Fact]
    public async Task Seeding_again_finds_the_organisation_and_adds_nothing()
    {
        var orgId = await DemoOrganisationIdAsync();
        var before = await CountsAsync(orgId);
        var file = await File.ReadAllTextAsync(DemoSignIns.PathIn(_factory.DataDirectory));

        var result = await _factory.Services.SeedDemoOrganisationAsync();

        result.Created.ShouldBeFalse();
        result.OrganisationId.ShouldBe(orgId);
        result.SignIns.Count.ShouldBe(8);
        result.ApiKeyToShow.ShouldBe(DemoFactory.ApiKey);
        (await CountsAsync(orgId)).ShouldBe(before);
        (await File.ReadAllTextAsync(DemoSignIns.PathIn(_factory.DataDirectory))).ShouldBe(file);
    }

    [Fact]
    public async Task The_api_key_from_the_environment_is_stored_only_as_its_hash()
    {
        var orgId = await DemoOrganisationIdAsync();
        await using var scope = _factory.ScopeFor(orgId);
        var api = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Channels.SingleAsync(c => c.Kind == ChannelKind.Api);

        api.ApiKeyHash.ShouldBe(ApiKeys.Hash(DemoFactory.ApiKey));
    }

    [Fact]
    public async Task The_api_key_from_the_environment_is_accepted_by_the_ingest_api()
    {
        var orgId = await DemoOrganisationIdAsync();
        var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/messages")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { messages = new[] { new { externalId = "api-demo-1", text = "Pothole reported by the CRM", authorHandle = "crm:42" } } }),
        };
        request.Headers.Add("X-Api-Key", DemoFactory.ApiKey);

        var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await using var scope = _factory.ScopeFor(orgId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var api = await db.Channels.SingleAsync(c => c.Kind == ChannelKind.Api);
        (await db.Messages.SingleAsync(m => m.ExternalId == "api-demo-1")).ChannelId.ShouldBe(api.Id);
    }

    [Fact]
    public async Task The_feed_adds_one_triaged_message_at_a_time()
    {
        var orgId = await DemoOrganisationIdAsync();
        var sp = _factory.Services;
        var feed = new DemoFeed(sp.GetRequiredService<DemoStartup>(), sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<IngestPipeline>(), sp.GetRequiredService<DemoDataSource>(),
            TimeProvider.System, Options.Create(new DemoOptions()), NullLogger<DemoFeed>.Instance);
        var before = (await CountsAsync(orgId)).Messages;

        var item = await feed.AddOneAsync(default);

        item.ShouldNotBeNull();
        item.Duplicate.ShouldBeFalse();
        (await CountsAsync(orgId)).Messages.ShouldBe(before + 1);
        await using var scope = _factory.ScopeFor(orgId);
        var message = await scope.ServiceProvider.GetRequiredService<CivicDeskDb>().Messages.SingleAsync(m => m.Id == item.MessageId);
        message.ExternalId.ShouldStartWith("demo-live:");
        message.TriageScores.ShouldNotBeNull();
    }

    [Fact]
    public async Task The_shipped_corpus_gives_a_year_of_worked_messages_on_six_channels()
    {
        var orgId = await DemoOrganisationIdAsync();
        await using var scope = _factory.ScopeFor(orgId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var kinds = await db.Channels.ToDictionaryAsync(c => c.Id, c => c.Kind);
        var corpus = (await db.Messages.Where(m => m.Direction == MessageDirection.Inbound && m.ExternalId.StartsWith(DemoCorpus.ExternalIdPrefix))
            .Select(m => new { m.CreatedAt, m.ChannelId, m.Latitude }).ToListAsync())
            .Select(m => new { m.CreatedAt, Kind = kinds[m.ChannelId], m.Latitude }).ToList();

        corpus.Count.ShouldBeGreaterThanOrEqualTo(1_500);
        corpus.Select(m => m.Kind).Distinct().Count().ShouldBe(6);
        var now = DateTime.UtcNow;
        corpus.ShouldAllBe(m => m.CreatedAt <= now && m.CreatedAt > now.AddDays(-366));
        corpus.Select(m => (m.CreatedAt.Year, m.CreatedAt.Month)).Distinct().Count().ShouldBeGreaterThanOrEqualTo(12);
        // Seasons: gritting and ice in winter, not in summer; forms carry points.
        var ice = await db.Messages.Where(m => m.ExternalId.StartsWith(DemoCorpus.ExternalIdPrefix) && (m.Text.Contains("gritted") || m.Text.Contains("grit bin"))).Select(m => m.CreatedAt.Month).ToListAsync();
        ice.ShouldNotBeEmpty();
        ice.ShouldAllBe(month => month != 6 && month != 7 && month != 8);
        corpus.Where(m => m.Kind == ChannelKind.WebForm).ShouldAllBe(m => m.Latitude != null);

        // Worked at realistic times: old conversations mostly resolved, first replies after the message, none in the future.
        var conversations = await db.Conversations.Where(c => c.CreatedAt < now.AddDays(-30)).ToListAsync();
        conversations.Count(c => c.Status is ConversationStatus.Resolved or ConversationStatus.Closed).ShouldBeGreaterThan(conversations.Count / 2);
        conversations.Where(c => c.FirstResponseAt != null).ShouldAllBe(c => c.FirstResponseAt > c.CreatedAt && c.FirstResponseAt < now);
        conversations.Where(c => c.ResolvedAt != null).ShouldAllBe(c => c.ResolvedAt >= c.FirstResponseAt);
        (await db.Conversations.CountAsync(c => c.Status == ConversationStatus.New)).ShouldBeGreaterThan(0); // a backlog to work on
    }

    private async Task<(int Organisations, int Teams, int Staff, int Channels, int Rules, int Messages)> CountsAsync(long orgId)
    {
        await using var scope = _factory.ScopeFor(orgId);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        return (await db.Organisations.CountAsync(o => o.Slug == "demo"), await db.Teams.CountAsync(), await db.Users.CountAsync(),
            await db.Channels.CountAsync(), await db.RoutingRules.CountAsync(), await db.Messages.CountAsync());
    }
}
