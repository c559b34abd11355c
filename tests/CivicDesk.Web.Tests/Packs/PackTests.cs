using System.Net;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Packs;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Packs;

public sealed class PackTests : IClassFixture<CivicDeskFactory>
{
    private readonly CivicDeskFactory _factory;

    public PackTests(CivicDeskFactory factory) => _factory = factory;

    private async Task ConfigureAsync(TestOrganisation org)
    {
        await using var scope = _factory.ScopeFor(org.Id);
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var now = DateTime.UtcNow;
        db.Teams.Add(new Team { OrganisationId = org.Id, Name = "Parks", Slug = "parks", CreatedAt = now });
        await db.SaveChangesAsync();
        var parks = await db.Teams.SingleAsync(t => t.Name == "Parks");
        db.RoutingRules.AddRange(
            new RoutingRule { OrganisationId = org.Id, Name = "Potholes", Position = 1, Keywords = "pothole\ncrater", TeamId = org.Teams["Highways"], SetPriority = Priority.High, UpdatedAt = now },
            new RoutingRule { OrganisationId = org.Id, Name = "Parks", Position = 2, Pattern = @"\bpark(s)?\b", UrgentOnly = true, TeamId = parks.Id, UpdatedAt = now });
        db.ReplyTemplates.Add(new ReplyTemplate { OrganisationId = org.Id, Name = "Thanks", Body = "Thank you. Your reference is {{reference}}.", TeamId = parks.Id, CreatedAt = now, UpdatedAt = now });
        db.ListeningSearches.Add(new ListeningSearch { OrganisationId = org.Id, Name = "Flooding", Terms = "flood\n#floodalert", IsPublic = true, Purpose = "Early warning", CreatedAt = now, UpdatedAt = now });
        db.SlaPolicies.Add(new SlaPolicy { OrganisationId = org.Id, TeamId = parks.Id, FirstResponseHours = 4, ResolutionHours = 40, UpdatedAt = now });
        db.RetentionPolicies.Add(new RetentionPolicy { OrganisationId = org.Id, DataClass = RetentionDataClass.ListeningMessages, PeriodDays = 60, Action = RetentionAction.Delete, IsEnabled = true, UpdatedAt = now });
        db.FaqEntries.AddRange(
            new FaqEntry { OrganisationId = org.Id, Question = "When is my bin collected?", Answer = "Find your day at council.example/bins.", Topic = "Bins", CreatedAt = now, UpdatedAt = now, CreatedByName = "Comms" },
            new FaqEntry { OrganisationId = org.Id, Question = "How do I report a pothole?", Answer = "Use the report form.", Topic = "Roads", IsPublished = false, CreatedAt = now, UpdatedAt = now, CreatedByName = "Comms" });
        await db.SaveChangesAsync();
    }

    /// <summary>The configuration as comparable text, with team names instead of ids.</summary>
    private async Task<string> SnapshotAsync(TestOrganisation org)
    {
        await using var scope = _factory.ScopeFor(org.Id);
        var pack = await scope.ServiceProvider.GetRequiredService<PackService>().ExportAsync("x", null, default);
        return JsonSerializer.Serialize(pack with { From = null, ExportedAt = default }, PackService.Json);
    }

    [Fact]
    public async Task Export_then_import_into_a_second_organisation_reproduces_the_configuration()
    {
        var first = await TestOrganisation.CreateAsync(_factory);
        await ConfigureAsync(first);
        var admin = await StaffClient.SignInAsync(_factory, first, Roles.Admin);
        var download = await admin.GetAsync("/admin/packs?handler=Export&name=Borough%20basics");
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        var json = await download.Content.ReadAsStringAsync();
        json.ShouldContain("\"format\": \"civicdesk-pack\"");

        var second = await TestOrganisation.CreateAsync(_factory);
        var otherAdmin = await StaffClient.SignInAsync(_factory, second, Roles.Admin);
        var preview = await StaffClient.PostFormAsync(otherAdmin, "/admin/packs", "/admin/packs?handler=Preview", new Dictionary<string, string> { ["PackJson"] = json });
        var page = await Inbox.InboxTestData.ParseAsync(await preview.Content.ReadAsStringAsync());
        var rows = page.QuerySelectorAll("#pack-preview tbody tr").Select(r => r.TextContent).ToList();
        rows.ShouldContain(r => r.Contains("Add team") && r.Contains("Parks"));
        rows.ShouldContain(r => r.Contains("Potholes") && r.Contains("Add, routing to Highways"));
        rows.ShouldContain(r => r.Contains("FAQ entries") && r.Contains("When is my bin collected?"));
        rows.ShouldContain(r => r.Contains("How do I report a pothole?") && r.Contains("(unpublished)"));
        json.ShouldContain("\"faqEntries\"");
        (await SnapshotAsync(second)).ShouldNotContain("Potholes", customMessage: "a preview changes nothing");

        var applied = await StaffClient.PostFormAsync(otherAdmin, "/admin/packs", "/admin/packs?handler=Apply", new Dictionary<string, string> { ["PackJson"] = json });
        (await applied.Content.ReadAsStringAsync()).ShouldContain("Pack applied");
        (await SnapshotAsync(second)).ShouldBe(await SnapshotAsync(first));

        // Importing again changes nothing.
        await using var scope = _factory.ScopeFor(second.Id);
        (await scope.ServiceProvider.GetRequiredService<PackService>().PreviewAsync(json, default)).Changes.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"format\":\"something-else\",\"version\":1,\"name\":\"x\",\"exportedAt\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"format\":\"civicdesk-pack\",\"version\":99,\"name\":\"x\",\"exportedAt\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"format\":\"civicdesk-pack\",\"version\":1,\"name\":\"x\",\"exportedAt\":\"2026-01-01T00:00:00Z\",\"routingRules\":[{\"name\":\"Good\",\"position\":1,\"enabled\":true,\"team\":\"Waste\",\"urgentOnly\":false,\"keywords\":\"bin\"},{\"name\":\"Bad\",\"position\":2,\"enabled\":true,\"team\":\"Waste\",\"urgentOnly\":false,\"pattern\":\"([unclosed\"}]}")]
    [InlineData("{\"format\":\"civicdesk-pack\",\"version\":1,\"name\":\"x\",\"exportedAt\":\"2026-01-01T00:00:00Z\",\"replyTemplates\":[{\"name\":\"T\",\"body\":\"Hi\",\"colour\":\"red\"}]}")]
    // A good FAQ entry beside one with no answer: neither is imported (all or nothing), nor the good routing rule.
    [InlineData("{\"format\":\"civicdesk-pack\",\"version\":2,\"name\":\"x\",\"exportedAt\":\"2026-01-01T00:00:00Z\",\"routingRules\":[{\"name\":\"Good\",\"position\":1,\"enabled\":true,\"team\":\"Waste\",\"urgentOnly\":false,\"keywords\":\"bin\"}],\"faqEntries\":[{\"question\":\"Good?\",\"answer\":\"Yes\",\"topic\":\"T\",\"published\":true},{\"question\":\"Empty?\",\"answer\":\"\",\"topic\":\"T\",\"published\":true}]}")]
    public async Task A_malformed_pack_changes_nothing_and_says_why(string json)
    {
        var org = await TestOrganisation.CreateAsync(_factory);
        await ConfigureAsync(org);
        var before = await SnapshotAsync(org);
        var admin = await StaffClient.SignInAsync(_factory, org, Roles.Admin);

        var applied = await StaffClient.PostFormAsync(admin, "/admin/packs", "/admin/packs?handler=Apply", new Dictionary<string, string> { ["PackJson"] = json });
        var page = await Inbox.InboxTestData.ParseAsync(await applied.Content.ReadAsStringAsync());
        page.QuerySelectorAll("#pack-errors li").ShouldNotBeEmpty();
        (await SnapshotAsync(org)).ShouldBe(before);
        (await Inbox.InboxTestData.WithDbAsync(_factory, org.Id, db => db.Teams.CountAsync())).ShouldBe(4);
    }
}
