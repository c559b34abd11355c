using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;
using CivicDesk.Web.Features.Routing;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CivicDesk.Web.Tests.Routing;

/// <summary>RoutingService against the real database: rules are written with CivicDeskDb, as the admin page writes them.</summary>
public sealed class RoutingServiceTests(CivicDeskFactory factory) : IClassFixture<CivicDeskFactory>
{
    private RoutingService Service => factory.Services.GetRequiredService<RoutingService>();

    private static RoutingInput Input(string text, string? category = null) =>
        new(text, ChannelKind.Api, null, category, null, false, null);

    private async Task<long> AddRuleAsync(TestOrganisation org, string team, Action<RoutingRule> configure)
    {
        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var position = (await db.RoutingRules.MaxAsync(r => (int?)r.Position) ?? 0) + 1;
        var rule = new RoutingRule { OrganisationId = org.Id, Position = position, Name = $"Rule {position}", TeamId = org.Teams[team], UpdatedAt = DateTime.UtcNow };
        configure(rule);
        db.RoutingRules.Add(rule);
        await db.SaveChangesAsync();
        return rule.Id;
    }

    [Fact]
    public async Task RouteAsync_MatchingRule_RoutesToItsTeamWithTheReason()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await AddRuleAsync(org, "Waste", r => r.Keywords = "bin, recycling");
        var ruleId = await AddRuleAsync(org, "Highways", r => r.Category = "highways_road_surface");

        var decision = await Service.RouteAsync(org.Id, Input("Pothole", "highways_road_surface"), default);

        decision.TeamId.ShouldBe(org.Teams["Highways"]);
        decision.TeamName.ShouldBe("Highways");
        decision.RuleId.ShouldBe(ruleId);
        decision.Reason.ShouldBe("routed to Highways by rule 2: category = highways_road_surface");
    }

    [Fact]
    public async Task RouteAsync_NoRuleMatches_GoesToTheDefaultTeam()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await AddRuleAsync(org, "Waste", r => r.Keywords = "bin");

        var decision = await Service.RouteAsync(org.Id, Input("Pothole"), default);

        decision.TeamId.ShouldBe(org.Teams["Customer Services"]);
        decision.Reason.ShouldBe("no rule matched; default team Customer Services");
    }

    [Fact]
    public async Task RouteAsync_DisabledRule_IsSkipped()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await AddRuleAsync(org, "Highways", r => { r.Keywords = "pothole"; r.IsEnabled = false; });
        await AddRuleAsync(org, "Waste", r => r.Keywords = "pothole");

        (await Service.RouteAsync(org.Id, Input("pothole"), default)).TeamName.ShouldBe("Waste");
    }

    [Fact]
    public async Task RouteAsync_AnotherOrganisationsRules_DoNotApply()
    {
        var a = await TestOrganisation.CreateAsync(factory);
        var b = await TestOrganisation.CreateAsync(factory);
        await AddRuleAsync(a, "Highways", r => r.Keywords = "pothole");

        var decision = await Service.RouteAsync(b.Id, Input("pothole"), default);

        decision.TeamId.ShouldBe(b.Teams["Customer Services"]);
        decision.RuleId.ShouldBeNull();
    }

    [Fact]
    public async Task RouteAsync_UsesCachedRulesUntilInvalidated()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        (await Service.RouteAsync(org.Id, Input("pothole"), default)).RuleId.ShouldBeNull();

        var ruleId = await AddRuleAsync(org, "Highways", r => r.Keywords = "pothole");
        (await Service.RouteAsync(org.Id, Input("pothole"), default)).RuleId.ShouldBeNull();

        Service.Invalidate(org.Id);
        (await Service.RouteAsync(org.Id, Input("pothole"), default)).RuleId.ShouldBe(ruleId);
    }

    [Fact]
    public async Task RouteAsync_CachedRulesExpireAfterTheirLifetime()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        var service = new RoutingService(factory.Services.GetRequiredService<IServiceScopeFactory>(), clock, NullLogger<RoutingService>.Instance);
        (await service.RouteAsync(org.Id, Input("pothole"), default)).RuleId.ShouldBeNull();
        var ruleId = await AddRuleAsync(org, "Highways", r => r.Keywords = "pothole");

        clock.Advance(RoutingService.CacheLifetime - TimeSpan.FromSeconds(1));
        (await service.RouteAsync(org.Id, Input("pothole"), default)).RuleId.ShouldBeNull();

        clock.Advance(TimeSpan.FromSeconds(2));
        (await service.RouteAsync(org.Id, Input("pothole"), default)).RuleId.ShouldBe(ruleId);
    }

    [Fact]
    public async Task RouteAsync_ManyConcurrentCalls_AgreeAndShareOneLoad()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        await AddRuleAsync(org, "Highways", r => r.Keywords = "pothole");

        var decisions = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Service.RouteAsync(org.Id, Input("pothole"), default)));
        var books = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Service.GetRuleBookAsync(org.Id, default)));

        decisions.ShouldAllBe(d => d.TeamName == "Highways");
        books.Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task Ingest_RoutesThroughTheRulesAndRecordsTheReason()
    {
        var org = await TestOrganisation.CreateAsync(factory);
        var ruleId = await AddRuleAsync(org, "Highways", r => { r.Keywords = "pothole"; r.SetPriority = Priority.High; });
        Service.Invalidate(org.Id);
        var pipeline = factory.Services.GetRequiredService<IngestPipeline>();

        var outcome = await pipeline.SubmitAsync(new IngestBatch(org.Id, org.ApiChannelId, ChannelKind.Api,
            [new InboundPost("routing-1", "Huge pothole outside 12 Dog Lane", "@citizen")]), default);

        await using var scope = factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var message = await db.Messages.SingleAsync(m => m.Id == outcome.Items[0].MessageId);
        message.RoutedTeamId.ShouldBe(org.Teams["Highways"]);
        message.RoutingRuleId.ShouldBe(ruleId);
        message.RoutingReason.ShouldBe("routed to Highways by rule 1: keyword \"pothole\"");
        message.Category.ShouldBe("highways_road_surface");
        message.Place.ShouldBe("Dog Lane");
        var conversation = await db.Conversations.SingleAsync(c => c.Id == message.ConversationId);
        conversation.AssignedTeamId.ShouldBe(org.Teams["Highways"]);
        conversation.Priority.ShouldBe(Priority.High);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
